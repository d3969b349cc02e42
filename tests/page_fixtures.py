"""Fixtures for the browser tests of the page (tests/test_page_*.py).

A real server process with the built-in Gemini emulator, and Debian's Chromium driven by
Playwright. Import what a test module needs: ``from page_fixtures import server, browser, page``.
Tests skip, saying why, when /usr/bin/chromium or Playwright is missing.
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHROMIUM = os.environ.get("KINDLECHAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

# What the old Kindle browser (WebKit 53x, firmware < 5.16.4) lacks: the page must work without.
OLD_KINDLE = """
delete window.fetch; delete window.EventSource; delete window.Promise; delete window.ReadableStream;
window.fetch = undefined; window.EventSource = undefined; window.Promise = undefined;
window.ReadableStream = undefined;
"""
MODES = ["chromium", "old-kindle"]
# A fresh page starts on a new chat, as after New chat (else it opens the server's newest
# chat, another test's); a reload, or a cleared localStorage, is left alone.
FRESH_CHAT = """
if (!sessionStorage.getItem('kc.test')) { sessionStorage.setItem('kc.test', '1'); localStorage.setItem('kc.chat', 'new'); }
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `python -m kindlechat --demo` on a free loopback port."""

    def __init__(self, data_dir, *flags, env=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/" % self.port
        self.log_path = os.path.join(str(data_dir), "server.log")
        env_extra, env = env, dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
        env.pop("GEMINI_API_KEY", None)
        env.update(env_extra or {})
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kindlechat", "--demo", "--port", str(self.port),
             "--data-dir", str(data_dir)] + list(flags),
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                self.get("api/health")
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("server did not start:\n" + self.output())
                time.sleep(0.1)

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode("utf-8"))

    def get(self, path):
        return self.request("GET", path)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A demo server (built-in emulator) for the test module, on a fresh data dir."""
    srv = Server(tmp_path_factory.mktemp("kc-data"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("browser tests need Debian's chromium at %s (apt-get install chromium)" % CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright for Python (pip install playwright)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, url, mode="chromium", width=758, height=1024, **options):
    """A fresh browser context (own localStorage) showing the page; mode "old-kindle"
    deletes fetch, EventSource, Promise and ReadableStream before any script runs."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.add_init_script(FRESH_CHAT)
    if mode == "old-kindle":
        context.add_init_script(OLD_KINDLE)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#message")
    return page


@pytest.fixture(params=MODES)
def page(request, browser, server):
    """The page in plain Chromium and in old-Kindle mode; fails the test on a script error."""
    p = open_page(browser, server.url, request.param)
    p.mode = request.param
    yield p
    errors = list(p.errors)
    p.context.close()
    assert not errors, "script errors on the page: %r" % errors


def wait_js(page, expr, arg=None, timeout=60):
    """Poll a JS function (given arg) until it returns something truthy; returns it.
    Not Playwright's wait_for_function: that one needs Promise in the page, which the
    old-Kindle mode has deleted."""
    deadline = time.time() + timeout
    while True:
        value = page.evaluate(expr, arg)
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, expr))
        time.sleep(0.05)


def send(page, text):
    """Type a message and press Send; returns a locator for the new reply."""
    count = page.locator(".msg.model").count()
    page.fill("#message", text)
    page.click("#send")
    wait_js(page, "(n) => document.querySelectorAll('.msg.model').length > n", count, timeout=15)
    return page.locator(".msg.model").last


def wait_status(page, statuses=("done",), timeout=60):
    """Wait until the last reply's data-status is one of the given ones; returns it."""
    return wait_js(page, """(ss) => {
        var all = document.querySelectorAll('.msg.model'), el = all[all.length - 1];
        var s = el && el.getAttribute('data-status');
        return ss.indexOf(s) >= 0 ? s : null; }""", list(statuses), timeout)

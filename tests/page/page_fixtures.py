"""Fixtures for the browser tests of the page (tests/page/test_page_*.py).

A real server process with the built-in Gemini emulator, and Debian's Chromium driven by
Playwright. Import what a test module needs: ``from page_fixtures import server, browser, page``.
Tests skip, saying why, when /usr/bin/chromium or Playwright is missing.
"""
import os
import random
import time

import pytest

from testkit.serverproc import ServerProcess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
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


class Server(ServerProcess):
    """`python -m kindlechat --demo` at the emulator's own pace (the page tests measure
    it), on a free loopback port; paths are relative to url: server.get("api/settings")."""

    def __init__(self, data_dir, *flags, env=None):
        # A cut reply's continuations come at once (demo:drop's fail, then its error shows).
        env = dict({"KINDLECHAT_RECONNECT_WAIT": "0.05"}, **(env or {}))
        super().__init__(os.path.join(str(data_dir), "data"), "--demo", *flags, env=env, fast=False)
        self.start(timeout=30)
        self.url += "/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A demo server (built-in emulator) for the test module, on a fresh data dir."""
    srv = Server(tmp_path_factory.mktemp("kc-data"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def quick_server(tmp_path_factory):
    """A demo server that writes fast (2,000 words a second, the first after 50 ms), the
    page updated every 250 ms: for tests of the page's pages, not of its pace. A module
    takes it as its server: ``from page_fixtures import quick_server as server``."""
    srv = Server(tmp_path_factory.mktemp("kc-quick"), "--throttle-ms", "250",
                 env={"KINDLECHAT_DEMO_TPS": "2000", "KINDLECHAT_DEMO_FIRST_MS": "50"})
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
    from playwright.sync_api import Error as PlaywrightError   # here: without Playwright the tests skip
    deadline = time.time() + timeout
    while True:
        try:
            value = page.evaluate(expr, arg)
        except PlaywrightError as exc:   # the page navigated meanwhile (a reload it does on purpose)
            if "context was destroyed" not in str(exc):
                raise
            value = None
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
    stop_ready(page)
    return page.locator(".msg.model").last


def stop_ready(page):
    """Wait out Stop's guard (a tap in its first 0.8 s is the second of a double tap on
    Send, and does nothing: issue 22.3), so a test's tap on Stop stops."""
    wait_js(page, "() => !KC.guarded || !KC.guarded(document.getElementById('stop'))", timeout=15)


def wait_status(page, statuses=("done",), timeout=60):
    """Wait until the last reply's data-status is one of the given ones; returns it."""
    return wait_js(page, """(ss) => {
        var all = document.querySelectorAll('.msg.model'), el = all[all.length - 1];
        var s = el && el.getAttribute('data-status');
        return ss.indexOf(s) >= 0 ? s : null; }""", list(statuses), timeout)


def long_reply(paragraphs, seed=3):
    """A long Markdown reply, the same for a seed: paragraphs, with a heading, a list, a
    table and a code block now and then."""
    rng, out = random.Random(seed), []
    words = "the quick brown fox jumps over a lazy dog while Gemini writes on".split()
    for n in range(paragraphs):
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(20, 60))) + ".")
        if n % 25 == 0:
            out.append("## Part %d" % n)
        if n % 40 == 7:
            out.append("- one\n- two\n- three")
        if n % 50 == 9:
            out.append("| a | b |\n|---|---|\n| 1 | 2 |")
        if n % 60 == 30:
            out.append("```\n" + "\n".join("line %d of code" % k for k in range(12)) + "\n```")
    return "\n\n".join(out)


def wait_through_reloads(page, expr, arg=None, timeout=60):
    """wait_js for a page that reloads itself at a moment the test cannot know (a new
    language, issue 15): an evaluate the reload cuts off ("Execution context was
    destroyed") is asked again of the new page."""
    from playwright.sync_api import Error
    deadline = time.time() + timeout
    while True:
        try:
            value = page.evaluate(expr, arg)
            if value:
                return value
        except Error as exc:
            if "context was destroyed" not in str(exc):
                raise
        if time.time() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, expr))
        time.sleep(0.05)

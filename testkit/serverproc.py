"""A real KindleChat server process for end-to-end tests, and a small JSON client.

    srv = ServerProcess(tmp_path, "--demo").start()
    cid = srv.post("/api/chats", {})["id"]
    index = srv.post("/api/chats/%s/messages" % cid, {"text": "hi"})["index"]
    answer = srv.read_reply(cid, index)     # long-polls until the reply ends
    srv.stop()
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from testkit import ROOT, SRC
from testkit.ports import free_port

# A quick emulator for tests that don't measure pacing.
# A fast demo; and cuts end a reply as they did before continuations (issue 25), which
# the tests of cuts and their messages rely on: tests/test_continuation.py turns them on.
FAST_DEMO = {"KINDLECHAT_DEMO_TPS": "2000", "KINDLECHAT_DEMO_FIRST_MS": "20", "KINDLECHAT_RECONNECT_TRIES": "0"}
LIVE = ("streaming", "reconnecting")   # a reply's statuses before its end


class HTTPFailure(Exception):
    def __init__(self, status, body):
        super().__init__("%s %s" % (status, body))
        self.status, self.body = status, body


class ServerProcess:
    """`python -m kindlechat` on a free loopback port with its own data dir."""

    def __init__(self, data_dir, *flags, env=None, fast=True):
        self.data_dir = str(data_dir)
        self.flags = list(flags)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.env = dict(os.environ, PYTHONPATH=SRC, PYTHONUNBUFFERED="1")
        self.env.pop("GEMINI_API_KEY", None)
        if fast:
            self.env.update(FAST_DEMO)
        self.env.update(env or {})
        self.log_path = os.path.join(self.data_dir, "..", "server-%d.log" % self.port)
        self.proc = None

    def start(self, timeout=20):
        os.makedirs(self.data_dir, exist_ok=True)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kindlechat", "--port", str(self.port), "--data-dir", self.data_dir]
            + self.flags, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited:\n" + self.output())
            try:
                self.get("/api/health")
                return self
            except (OSError, HTTPFailure):
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("server did not answer in %ss:\n%s" % (timeout, self.output()))

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    # -- HTTP ---------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, raw=None, timeout=30):
        """JSON answer of a request; raises HTTPFailure(status, parsed body) on 4xx/5xx."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode("utf-8"))
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
            raise HTTPFailure(exc.code, parsed) from None

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, {} if body is None else body, **kw)

    def new_chat(self):
        return self.post("/api/chats")["id"]

    def send(self, chat_id, text):
        return self.post("/api/chats/%s/messages" % chat_id, {"text": text})["index"]

    def read_reply(self, chat_id, index, wait=10, limit=120):
        """Long-poll a reply from offset 0 to its end; returns the last answer with the
        whole text joined. Fails on a repeated or missing offset."""
        offset, parts, deadline, statuses = 0, [], time.monotonic() + limit, []
        while time.monotonic() < deadline:
            answer = self.get("/api/chats/%s/messages/%d?from=%d&wait=%s" % (chat_id, index, offset, wait))
            assert answer["next"] == offset + len(answer["text"]), answer
            parts.append(answer["text"])
            offset = answer["next"]
            if not statuses or statuses[-1] != answer["status"]:
                statuses.append(answer["status"])
            if answer["status"] not in LIVE:
                answer["text"], answer["statuses"] = "".join(parts), statuses
                return answer
        raise AssertionError("reply did not end in %ss" % limit)

    # -- lifecycle ------------------------------------------------------------
    def stop(self, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.log.close()

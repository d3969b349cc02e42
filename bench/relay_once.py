"""Relay one fixed stream through the server's own code, in one thread, with no
clock and no network, so that `valgrind --tool=callgrind` counts the same
instructions every time (bench/callgrind.py runs it; it also runs alone).

    python bench/relay_once.py [--kib 256] [--poll-every 8] [--dry]

What runs is what the server runs for a reply: the message is posted through the
WSGI app (guard + Bottle routes), the reply's stream is parsed by http.client's
chunked decoder and stream.ReplyStream (transport.Exchange, sse.LineDecoder,
EventDecoder, gemini.Decoder), appended by replies.Replies (Text, the journal
once a "second"), ended by store.Store; every --poll-every reads the page's long poll goes
through the WSGI app too (throttle off). Only the edges are stand-ins: the
upstream is bytes in memory (HTTP/1.1, chunked, one event per chunk), the reply
thread runs in the calling thread, and the clock advances 1 ms per reading.
--dry sets everything up and relays nothing: the baseline to subtract.
"""
import argparse
import http.client
import io
import json
import os
import shutil
import sys
import threading
import types

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import common  # noqa: F401,E402  (puts the repo root and src/ on sys.path)
from testkit.gemini_chunks import gemini_stream  # noqa: E402

from kindlechat.providers import gemini  # noqa: E402
from kindlechat import replies, settings, store
from kindlechat.web import routes as server

DATA = "/tmp/kindlechat-relay-once"


class Clock:
    """time for replies/store: 1 ms passes per reading; sleeping passes at once."""
    now = 1000.0

    def monotonic(self):
        Clock.now += 0.001
        return Clock.now

    def time(self):
        return 1.7e9

    def sleep(self, seconds):
        Clock.now += seconds


class InlineThread:
    """threading.Thread for Replies: the reply runs when started, in this thread."""

    def __init__(self, target, args=(), daemon=None, name=None):
        self.target, self.args = target, args

    def start(self):
        self.target(*self.args)

    def join(self, timeout=None):
        pass

    def is_alive(self):
        return False


class Upstream(http.client.HTTPResponse):
    """http.client's own response over bytes in memory; every n-th read1 first
    lets the page poll."""

    def __init__(self, data, every, hook):
        sock = types.SimpleNamespace(makefile=lambda mode: io.BufferedReader(io.BytesIO(data)))
        super().__init__(sock, method="POST")
        self.begin()
        self.reads, self.every, self.hook = 0, every, hook

    def read1(self, n=-1):
        self.reads += 1
        if self.every and self.reads % self.every == 0:
            self.hook()
        return super().read1(n)


class Session:
    """requests.Session's post(), answered by Upstream: the response as
    transport.Exchange reads it (status, headers, raw.read1, close). raw.chunked is
    False: http.client's read1 undoes the chunking itself."""

    def __init__(self, make):
        self.make = make

    def post(self, url, **kwargs):
        fp = self.make()
        headers = {k: v for k, v in fp.getheaders()}
        raw = types.SimpleNamespace(chunked=False, read1=lambda n, decode_content=True: fp.read1(n),
                                    close=fp.close, shutdown=lambda: None)
        return types.SimpleNamespace(status_code=200, headers=headers, raw=raw, close=fp.close)


def wsgi(app, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1:8642",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8642", "SERVER_PROTOCOL": "HTTP/1.1",
               "CONTENT_TYPE": "application/json" if body is not None else "", "CONTENT_LENGTH": str(len(data)),
               "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
               "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False,
               "wsgi.run_once": False}
    status = []
    out = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    return status[0], json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kib", type=int, default=256)
    ap.add_argument("--poll-every", type=int, default=8)
    ap.add_argument("--dry", action="store_true")
    args = ap.parse_args()

    events, texts = gemini_stream(args.kib * 1024)
    body = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events) + b"0\r\n\r\n"
    data = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + body)

    clock = Clock()
    replies.time = store.time = server.time = clock
    replies.threading = types.SimpleNamespace(Thread=InlineThread, Condition=threading.Condition,
                                              Event=threading.Event, Lock=threading.Lock, RLock=threading.RLock)
    store.secrets = types.SimpleNamespace(token_hex=lambda n: "0" * (2 * n))
    shutil.rmtree(DATA, ignore_errors=True)
    os.makedirs(DATA)
    conf = settings.load(["--data-dir", DATA, "--gemini-url", "http://127.0.0.1:9", "--throttle-ms", "0"],
                         environ={"GEMINI_API_KEY": "x"})
    chat = server.ChatServer(conf)
    app = server.guard(server.make_app(chat), server.allowed_hosts(conf), "")
    page = {"offset": 0, "polls": 0}

    def poll():
        status, answer = wsgi(app, "GET", "/api/chats/%s/messages/1?from=%d&wait=0" % (cid, page["offset"]))
        page["offset"] = answer["next"]
        page["polls"] += 1
        return answer

    chat.transport._session = Session(lambda: Upstream(data, args.poll_every, poll))
    status, made = wsgi(app, "POST", "/api/chats", {})
    if "id" not in made:
        raise SystemExit("POST /api/chats: %s %s" % (status, made))
    cid = made["id"]
    if args.dry:
        shutil.rmtree(DATA, ignore_errors=True)
        print(json.dumps({"dry": True}))
        return
    status, sent = wsgi(app, "POST", "/api/chats/%s/messages" % cid, {"text": "Write at length."})
    answer = poll()
    text = "".join(texts)
    if answer["status"] != "done" or page["offset"] != len(text):
        raise SystemExit("relay went wrong: %s at %d of %d" % (answer["status"], page["offset"], len(text)))
    stored = chat.store.get(cid)["messages"][1]["text"]
    if stored != text:
        raise SystemExit("the stored text differs")
    print(json.dumps({"events": len(events), "text_chars": len(text), "wire_bytes": len(data),
                      "polls": page["polls"]}))
    shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()

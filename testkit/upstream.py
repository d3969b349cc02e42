"""A scripted loopback HTTP server in Gemini's wire format, for tests and benchmarks:
in the caller's process (Upstream), or in one of its own (UpstreamProcess, so that
its sending costs no CPU in a process a benchmark measures).

    up = Upstream().start()
    up.script(Reply(body=open(fixture, "rb").read(), pieces=split(body, "bytes")))
    ... point the client at up.url ...
    up.stop()

It writes exactly the bytes it is given, split into the pieces given, each piece a
separate send (TCP_NODELAY), framed as HTTP/1.1 chunked (like Gemini), close-delimited
(no Content-Length, no chunking) or with a Content-Length; optionally gzip-encoded;
optionally stalling or dropping the connection part-way. Upstream(tls=context) speaks
HTTPS instead (context: a server-side ssl.SSLContext with its certificate loaded).
"""
import argparse
import gzip
import json
import random
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional

from testkit import ROOT
from testkit.gemini_chunks import gemini_stream


@dataclass
class Reply:
    """What the upstream sends for one request."""
    body: bytes = b""
    status: int = 200
    content_type: str = "text/event-stream"
    pieces: Optional[List[bytes]] = None     # the body split into sends; None = one send
    framing: str = "chunked"                 # "chunked" | "close" | "length"
    gzip: bool = False
    delay: float = 0.0                       # seconds between pieces
    stall_after: Optional[int] = None        # after this many pieces, send nothing more (hold open)
    drop_after: Optional[int] = None         # after this many pieces, close the socket abruptly
    stall_seconds: float = 30.0
    head_delay: float = 0.0                  # seconds before the status line (a slow first token)
    drop_before_head: bool = False           # close (RST) before the first byte of the answer
    keep_alive: bool = False                 # no "Connection: close": the next request may come on it
    headers: dict = field(default_factory=dict)


def split(data, how, seed=0):
    """The ways tests cut upstream bytes: whole, 1-byte, every CR|LF, inside every
    multi-byte UTF-8 character, and random sizes."""
    if how == "whole":
        return [data]
    if how == "bytes":
        return [data[i:i + 1] for i in range(len(data))]
    cuts = set()
    if how == "crlf":
        cuts = {i + 1 for i in range(len(data) - 1) if data[i:i + 2] == b"\r\n"}
    elif how == "utf8":
        cuts = {i for i in range(1, len(data)) if 0x80 <= data[i] < 0xC0}
    elif how == "random":
        rng, i = random.Random(seed), 0
        while i < len(data):
            i += rng.randint(1, 64)
            cuts.add(i)
    else:
        raise ValueError(how)
    edges = [0] + sorted(c for c in cuts if 0 < c < len(data)) + [len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:]) if b > a]


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        up = self.server.upstream
        up.connections += 1
        if up.tls is None:
            self._serve(sock, up)
            return
        try:   # HTTPS: the handshake in this connection's own thread
            sock = up.tls.wrap_socket(sock, server_side=True)
        except OSError:   # ssl.SSLError is one: a client that gave up or distrusts us
            return
        try:
            self._serve(sock, up)
        finally:
            sock.close()

    def _serve(self, sock, up):
        while True:   # more than one request only after a keep_alive reply sent whole
            try:
                request = self._read_request(sock)
            except OSError:
                return
            if request is None:
                return
            up.requests.append(request)
            reply = (up.route(request) if up.route else None) or up.next_reply()
            if callable(reply):   # a reply made from the request (a continuation of what it carries)
                reply = reply(request)
            try:
                if not self._respond(sock, reply, up) or not reply.keep_alive:
                    return
            except OSError:
                return

    @staticmethod
    def _read_request(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        method, path, _ = (lines[0].split(" ") + ["", ""])[:3]
        return {"method": method, "path": path, "headers": headers, "body": body}

    def _respond(self, sock, reply, up):
        body = gzip.compress(reply.body, mtime=0) if reply.gzip else reply.body
        pieces = split(body, "whole") if reply.pieces is None or reply.gzip else reply.pieces
        if reply.head_delay:
            up.stopping.wait(reply.head_delay)
        if reply.drop_before_head:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return False
        head = ["HTTP/1.1 %d X" % reply.status, "Content-Type: " + reply.content_type]
        if reply.gzip:
            head.append("Content-Encoding: gzip")
        if reply.framing == "chunked":
            head.append("Transfer-Encoding: chunked")
        elif reply.framing == "length":
            head.append("Content-Length: %d" % len(body))
        if not (reply.keep_alive and reply.framing in ("chunked", "length")):
            head.append("Connection: close")
        head += ["%s: %s" % kv for kv in reply.headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for n, piece in enumerate(pieces):
            if reply.drop_after is not None and n >= reply.drop_after:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return False   # closed with RST by the linger-0 close
            if reply.stall_after is not None and n >= reply.stall_after:
                up.stopping.wait(reply.stall_seconds)
                return False
            if reply.framing == "chunked":
                piece = b"%x\r\n%s\r\n" % (len(piece), piece)
            sock.sendall(piece)
            up.sent.append(time.monotonic())
            if reply.delay:
                time.sleep(reply.delay)
        if reply.framing == "chunked":
            sock.sendall(b"0\r\n\r\n")
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Upstream:
    """The server: script() the replies, then point a client at url."""

    def __init__(self, tls=None, port=0, route=None):
        self.tls = tls              # a server-side ssl.SSLContext: HTTPS
        self.port = port            # 0: a free one (a port given: the network coming back there)
        self.route = route          # request -> Reply, or None for the next scripted one (testkit/today.py)
        self.requests = []
        self.connections = 0        # TCP connections accepted
        self.sent = []              # monotonic time of each piece sent
        self._replies = []
        self._last = Reply()
        self.stopping = threading.Event()
        self._server = None

    def script(self, *replies):
        """Queue replies; the last one is repeated once the queue is empty. A reply may
        be a function of the request (its method, path, headers, body) returning one."""
        self._replies.extend(replies)
        return self

    def next_reply(self):
        if self._replies:
            self._last = self._replies.pop(0)
        return self._last

    def start(self):
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.upstream = self
        self.url = "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


class UpstreamProcess:
    """`python -m testkit.upstream` (main() below): an Upstream in a process of its
    own, repeating one synthetic reply (gemini_chunks.gemini_stream), one event per send."""

    def __init__(self, text_bytes, framing="chunked", delay=0.0, seed=1, sizes=(20, 300)):
        self.args = [sys.executable, "-m", "testkit.upstream", "--text-bytes", str(text_bytes),
                     "--framing", framing, "--delay", str(delay), "--seed", str(seed), "--sizes", "%d,%d" % sizes]
        self.events, self.texts = gemini_stream(text_bytes, seed, sizes)
        self.text = "".join(self.texts)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     cwd=ROOT, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError("upstream did not start")
        return self

    def sent(self):
        """Monotonic times of the pieces sent since the last call (CLOCK_MONOTONIC
        is one clock for every process of the machine)."""
        self.proc.stdin.write("sent\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def main(argv=None):
    """Print the URL; on stdin, "sent" prints the send times since the last "sent"
    as a JSON list; the end of stdin stops it."""
    ap = argparse.ArgumentParser(prog="python -m testkit.upstream", description=main.__doc__)
    ap.add_argument("--text-bytes", type=int, default=1 << 20)
    ap.add_argument("--framing", default="chunked", choices=("chunked", "close", "length"))
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between events")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default="20,300")
    args = ap.parse_args(argv)
    events, _ = gemini_stream(args.text_bytes, args.seed, tuple(int(x) for x in args.sizes.split(",")))
    up = Upstream().start()
    up.script(Reply(body=b"".join(events), pieces=events, framing=args.framing, delay=args.delay))
    print(up.url, flush=True)
    for line in sys.stdin:
        if line.strip() == "sent":
            sent, up.sent[:] = list(up.sent), []
            print(json.dumps(sent), flush=True)
    up.stop()


if __name__ == "__main__":
    main()

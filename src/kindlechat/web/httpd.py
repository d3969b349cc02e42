"""The HTTP server under the API, made to survive hostile clients on the Wi-Fi.

    >>> limits = limits_from_env({"KINDLECHAT_HEAD_TIMEOUT": "2"})
    >>> limits.head_timeout, limits.max_head
    (2.0, 32768)
    >>> end_of_head(b"GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n{}")
    27

In Wi-Fi mode anyone on the network reaches the port, and the token is checked only
once a request's head has been read. So a request costs no thread until its head is
whole: one loop (serve_forever) accepts every connection and collects heads itself,
each within `max_head` bytes and `head_timeout` seconds. At most `max_pending`
heads wait; a new connection past that drops the oldest, since a real client (the
page, curl) sends its head in one packet at once and is never the oldest for long.
A whole head goes to a worker thread, at most `max_workers` of them (those past it
get a 503 at once, from the loop); the body then has `body_timeout` seconds in all,
not per read (a byte every 30 s kept a thread for 210 s). When accept fails for
lack of file descriptors the loop drops the oldest waiting head and sleeps briefly:
the listening socket stays readable, so retrying at once spun at 100% CPU.
"""
import errno
import io
import json
import os
import re
import selectors
import socket
import sys
import threading
import time
from collections import OrderedDict, namedtuple
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .. import errors

Limits = namedtuple("Limits", "max_head head_timeout body_timeout max_pending max_workers "
                              "drain_bytes drain_timeout")
# The page's heads are under 1 KB (a cookie in Wi-Fi mode) and curl's smaller. 128
# workers: tests/test_load.py holds 100 long polls at once, and with 512 KiB stacks
# (below) they take 64 MiB of a 32-bit Kindle's 3 GiB of address space.
DEFAULTS = Limits(max_head=32 * 1024, head_timeout=15.0, body_timeout=30.0, max_pending=128,
                  max_workers=128, drain_bytes=8 * 1024 * 1024, drain_timeout=10.0)
ENV = {"head_timeout": "KINDLECHAT_HEAD_TIMEOUT", "body_timeout": "KINDLECHAT_BODY_TIMEOUT"}
# A thread's default stack is RLIMIT_STACK (8 MiB): ~260 threads filled a 32-bit address
# space. Measured with threads of each size on CPython 3.9-3.13: 3.9 and 3.10 crash at 256 KiB
# on a Python recursion to the limit, so 512 KiB; 3.13's C recursion limit (10,000) lets
# json.loads of a 9,000-deep line crash 1 MiB, and the store parses journal lines in these
# threads, so 2 MiB there. 3.14 checks the real stack bounds itself. TLS needs under 128 KiB.
HANDLER_STACK = (2048 if sys.version_info[:2] == (3, 13) else 512) * 1024
HEAD_DRAIN, HEAD_DRAIN_SECONDS = 1024 * 1024, 2.0   # what is read and dropped after a 431
BACKOFF = 0.1           # seconds to wait after accept found no file descriptor free
LINGER = "kindlechat.linger"   # environ list: a body refused unread is noted in it; drain then
_OUT_OF_FILES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_stack_lock = threading.Lock()


def limits_from_env(environ=None):
    """DEFAULTS with the deadlines from the environment (KINDLECHAT_HEAD_TIMEOUT,
    KINDLECHAT_BODY_TIMEOUT, in seconds; tests shorten them)."""
    environ = os.environ if environ is None else environ
    changes = {}
    for field, name in ENV.items():
        try:
            changes[field] = max(0.1, float(environ[name]))
        except (KeyError, ValueError):
            pass
    return DEFAULTS._replace(**changes)


def end_of_head(data):
    """Index just past the blank line that ends a request's head, or -1."""
    found = _HEAD_END.search(data)
    return found.end() if found else -1


def error_bytes(status, code, message):
    """A whole HTTP answer with the API's JSON error body, for the loop to send as is."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
    head = ("HTTP/1.0 %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(body)))
    return head.encode("latin-1") + body


HEAD_TOO_LARGE = ("431 Request Header Fields Too Large",) + tuple(errors.api("head_too_large",
                                                                         kb=DEFAULTS.max_head // 1024))[:2]
HEAD_TIMEOUT = ("408 Request Timeout",) + tuple(errors.api("head_timeout"))[:2]
BUSY = ("503 Service Unavailable",) + tuple(errors.api("overloaded_here"))[:2]


class Waiting:
    """A connection whose request head is still arriving: a socket and its bytes. Or,
    once refused, one whose rest is read and dropped (`drain` bytes more at most), so
    that the client, still sending, reads the answer instead of a reset."""
    __slots__ = ("sock", "addr", "data", "deadline", "drain")

    def __init__(self, sock, addr, deadline):
        self.sock, self.addr, self.data, self.deadline, self.drain = sock, addr, b"", deadline, None


class HeadReader(io.RawIOBase):
    """What the handler reads as its request: the bytes the loop already read, then the
    socket, every read bounded by the request's deadline as a whole."""

    def __init__(self, sock, data, deadline, idle):
        super().__init__()
        self.sock, self.data, self.at, self.deadline, self.idle = sock, data, 0, deadline, idle

    def readable(self):
        return True

    def readinto(self, buf):
        if self.at < len(self.data):
            n = min(len(buf), len(self.data) - self.at)
            buf[:n] = self.data[self.at:self.at + n]
            self.at += n
            return n
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("the request's time is up")
        self.sock.settimeout(min(left, self.idle))
        try:
            return self.sock.recv_into(buf)
        finally:
            self.sock.settimeout(self.idle)   # the answer's writes keep the idle timeout


class QuietHandler(WSGIRequestHandler):
    """Logs method, path and status, never the query (it may hold the access token).
    The parser's own errors are JSON like the API's."""
    error_content_type = "application/json"
    # A reader that stops reading must not hold a thread for ever; long polls
    # (<= 60 s) and SSE heartbeats (15 s) stay well inside this.
    timeout = 120
    error_message_format = ('{"error": {"code": "bad_http", "message": '
                            '"The request could not be read (HTTP %(code)d)."}}')
    # wsgiref writes an answer in several small pieces: with Nagle's algorithm a later
    # piece waited for the client's delayed ACK (tens of ms, bench/latency.py). Buffered,
    # headers and body leave in one send; wsgiref flushes after each body write.
    wbufsize = 65536
    unread = ()

    def setup(self):
        self.connection, data, deadline = self.request
        self.connection.settimeout(self.timeout)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = io.BufferedReader(HeadReader(self.connection, data, deadline, self.timeout))
        self.wfile = self.connection.makefile("wb", self.wbufsize)

    def get_environ(self):
        environ = super().get_environ()   # wsgiref hands the app a copy: share a list, not a flag
        environ[LINGER] = self.unread = []
        return environ

    def handle(self):
        super().handle()
        if self.unread:
            self.linger()

    def linger(self):
        """The answer went out before the client finished sending its body (a 413):
        closing now would reset the connection, and a client still writing would see
        the reset, not the answer. So: end our side, then read and drop the rest of the
        body, within a byte and a time bound, until the client closes."""
        limits = self.server.limits
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            deadline, left = time.monotonic() + limits.drain_timeout, limits.drain_bytes
            while left > 0 and time.monotonic() < deadline:
                self.connection.settimeout(max(0.01, deadline - time.monotonic()))
                got = self.connection.recv(min(left, 65536))
                if not got:
                    break
                left -= len(got)
        except OSError:
            pass

    def log_request(self, code="-", size="-"):
        if str(code)[:1] in ("4", "5"):
            path = getattr(self, "path", "-").split("?", 1)[0]   # unset if the request line was bad
            sys.stderr.write("%s %s %s\n" % (getattr(self, "command", "-"), path[:200], code))

    def log_message(self, format, *args):
        pass


class ThreadedWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server with the loop above: heads collected without threads, a thread
    per whole request (wsgiref alone serves one request at a time: one long poll would
    freeze the page)."""
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, handler=QuietHandler, limits=None):
        # Set before binding: a port that is taken makes socketserver call
        # server_close() from inside its __init__, which needs these.
        self.limits = limits or limits_from_env()
        self.waiting = OrderedDict()          # fd -> Waiting, oldest first
        self.workers = threading.BoundedSemaphore(self.limits.max_workers)
        self._stop, self._stopped = threading.Event(), threading.Event()
        self._stopped.set()
        super().__init__(address, handler)

    # -- the loop ----------------------------------------------------------------
    def serve_forever(self, poll_interval=0.5):
        self._stop.clear()
        self._stopped.clear()
        self.socket.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.socket, selectors.EVENT_READ, None)
        try:
            while not self._stop.is_set():
                self.reap(time.monotonic())
                wait = min([poll_interval] + [w.deadline - time.monotonic() for w in self.waiting.values()])
                for key, _ in self.selector.select(max(0.0, wait)):
                    if key.data is None:
                        self.accept_some()
                    else:
                        self.read_head(key.data)
        finally:
            self.selector.close()
            self._stopped.set()

    def shutdown(self):
        self._stop.set()
        self._stopped.wait()

    def accept_some(self):
        for _ in range(64):        # then let the waiting heads have a turn
            try:
                sock, addr = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno not in _OUT_OF_FILES:
                    raise
                self.out_of_files()
                return
            sock.setblocking(False)
            if len(self.waiting) >= self.limits.max_pending:
                self.drop(next(iter(self.waiting.values())))
            waiting = Waiting(sock, addr, time.monotonic() + self.limits.head_timeout)
            self.waiting[sock.fileno()] = waiting
            self.selector.register(sock, selectors.EVENT_READ, waiting)
            self.read_head(waiting)      # the head has usually arrived with the connection

    def out_of_files(self):
        if self.waiting:
            self.drop(next(iter(self.waiting.values())))
        sys.stderr.write("kindlechat: no file descriptor free for a new connection; waiting\n")
        time.sleep(BACKOFF)

    def read_head(self, waiting):
        want = self.limits.max_head + 1 - len(waiting.data) if waiting.drain is None else 65536
        try:
            got = waiting.sock.recv(want)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            got = b""
        if not got or waiting.drain is not None:
            waiting.drain = (waiting.drain or 0) - len(got)
            return None if got and waiting.drain > 0 else self.drop(waiting)
        waiting.data += got
        end = end_of_head(waiting.data)
        if end != -1:
            self.forget(waiting)
            self.start_worker(waiting, end)
        elif len(waiting.data) > self.limits.max_head:
            self.answer_and_drain(waiting, HEAD_TOO_LARGE)

    def answer_and_drain(self, waiting, answer):
        refuse(waiting.sock, answer, close_it=False)
        try:
            waiting.sock.shutdown(socket.SHUT_WR)
        except OSError:
            return self.drop(waiting)
        waiting.data, waiting.drain = b"", HEAD_DRAIN
        waiting.deadline = min(waiting.deadline, time.monotonic() + HEAD_DRAIN_SECONDS)

    def reap(self, now):
        for waiting in [w for w in self.waiting.values() if w.deadline <= now]:
            self.drop(waiting, None if waiting.drain is not None else HEAD_TIMEOUT)

    def forget(self, waiting):
        self.waiting.pop(waiting.sock.fileno(), None)
        self.selector.unregister(waiting.sock)

    def drop(self, waiting, answer=None):
        """Close a waiting connection, with a short JSON answer if it earned one."""
        self.forget(waiting)
        refuse(waiting.sock, answer)

    # -- the workers ----------------------------------------------------------------
    def start_worker(self, waiting, end):
        if not self.workers.acquire(blocking=False):
            return refuse(waiting.sock, BUSY)
        waiting.sock.setblocking(True)
        deadline = time.monotonic() + self.limits.body_timeout
        thread = threading.Thread(target=self.work, args=((waiting.sock, waiting.data, deadline),
                                                          waiting.addr), daemon=True)
        with _stack_lock:
            before = threading.stack_size(HANDLER_STACK)
            try:
                thread.start()
            except RuntimeError:        # can't start new thread: answer, don't wedge
                self.workers.release()
                refuse(waiting.sock, BUSY)
            finally:
                threading.stack_size(before)

    def work(self, request, addr):
        try:
            self.RequestHandlerClass(request, addr, self)
        except Exception:   # noqa: BLE001 -- one request's failure must not end the server
            self.handle_error(request[0], addr)
        finally:
            close(request[0])
            self.workers.release()

    def server_close(self):
        super().server_close()
        for waiting in list(self.waiting.values()):
            close(waiting.sock)
        self.waiting.clear()


def refuse(sock, answer=None, close_it=True):
    if answer is not None:
        try:
            sock.send(error_bytes(*answer))   # a few hundred bytes: the send buffer takes them
        except OSError:
            pass
    if close_it:
        close(sock)


def close(sock):
    try:
        sock.close()
    except OSError:
        pass


def serve(app, host, port, limits=None):
    """The WSGI app served on host:port, bound and ready; serve_forever() runs it."""
    server_class = ThreadedWSGIServer
    if ":" in host:
        server_class = type("ThreadedWSGIServer6", (ThreadedWSGIServer,), {"address_family": socket.AF_INET6})
    httpd = server_class((host, port), QuietHandler, limits)
    httpd.set_app(app)
    return httpd

"""HTTP streams on requests: send a request, hand over the body's bytes as they
arrive, cancel from any thread at once, and give the connection back to the pool
when a stream ended normally. Knows no provider and no page.

    >>> exchange = Transport().exchange("http://127.0.0.1:9/", {}, b"{}")
    >>> exchange.timeouts, exchange.response is None
    ({'connect': 15.0, 'read': 120.0}, True)

One connection: a Kindle reaches the model over Wi-Fi, where DNS, TCP and a TLS
handshake cost a second or more on its slow core. One session lives as long as the
server, and a reply that was read to its end leaves its connection in the pool for
the next one. A reply that was stopped or failed closes its connection instead:
what is left of its body would be read as the next answer.

Reading uses requests' and urllib3's public API only:
- a chunked body (as Gemini and every provider send) through
  ``iter_content(chunk_size=None)``, which yields each HTTP chunk as it arrives;
- any other body (close-delimited, or with a Content-Length) through
  ``raw.read1()``, which returns what has arrived (``iter_content`` with a size
  waits for that many bytes, and with None for the whole body);
- a cancel after the headers through ``raw.shutdown()`` (urllib3 >= 2.3), which
  wakes a read blocked on the socket (a close from another thread would not).
Before the headers arrive there is no public handle on the connection: see the
one hook below.

Gathering: a model that streams fast sends an event every millisecond or so, and
reading each as it comes wakes the Kindle's one core (shared with the browser)
for each: a system call, the decoder's code brought back into the cache, for a
few characters that the page shows only at its next update (every 500 ms by
default, for e-ink). So after a read that had to wait on the network, and with
nothing more on this machine yet, chunks() pauses `gather` seconds: what arrives
meanwhile is then read in one go. The first text is handed on before the first
pause; cancel() ends a pause at once; gather 0 (the server's throttle off) reads
every chunk as it comes.
"""
import select
import socket
import threading
import time

TIMEOUTS = {"connect": 15.0, "read": 120.0}
READ_SIZE = 65536          # read1() returns what has arrived, up to this
MAX_ERROR_BODY = 65536     # an error body or login page is read this far, no further
MAX_GET_BODY = 1 << 20     # a page of a model list: ~50 models of ~1 KB
# A read that took longer than this waited on the network: one from bytes already
# buffered takes microseconds (tens on a Kindle), one that blocked at least a wake-up.
WAITED = 0.0002


class Transport:
    """The server's one requests session, made at the first reply: importing
    requests costs ~0.1 s of a Kindle's start-up and is not needed before."""

    def __init__(self):
        self._session = None
        self._lock = threading.Lock()

    def session(self):
        with self._lock:
            if self._session is None:
                self._session = _new_session()
            return self._session

    def exchange(self, url, headers, data, timeouts=None, gather=0.0):
        """A request not sent yet: open() sends it. gather: seconds to let the body's
        data gather after a read caught up with the network (see above)."""
        return Exchange(self, url, headers, data, timeouts, gather)

    def get(self, url, headers, timeouts=None, limit=MAX_GET_BODY):
        """A plain GET on the same session (a model list): (status, content type,
        body as text, read up to limit bytes). Raises what requests raises."""
        timeouts = dict(TIMEOUTS, **(timeouts or {}))
        response = self.session().get(url, headers=headers, stream=True, allow_redirects=False,
                                      timeout=(timeouts["connect"], timeouts["read"]))
        try:
            data = response.raw.read(limit, decode_content=True) or b""
        finally:
            response.close()
        return response.status_code, response.headers.get("Content-Type", ""), data.decode("utf-8", "replace")


class Exchange:
    """One request and its streamed answer. open() sends it and returns the
    response once its headers came; chunks() yields the body; cancel() from
    another thread ends it at once; close() lets go of it."""

    def __init__(self, transport, url, headers, data, timeouts=None, gather=0.0):
        self.transport, self.url, self.headers, self.data = transport, url, headers, data
        self.timeouts = dict(TIMEOUTS, **(timeouts or {}))
        self.gather = gather
        self.response = None
        self.cancelled = False
        self._woken = threading.Event()   # set by cancel(): ends a pause in chunks()
        self.whole = False     # the body was read to its end: the connection may serve again
        self._conn = None      # the connection carrying it, noted by the hook

    def open(self):
        # No redirects: requests would send the key header along to wherever a
        # captive portal points (it strips only Authorization across hosts).
        with _noting(self):
            self.response = self.transport.session().post(
                self.url, data=self.data, headers=self.headers, stream=True, allow_redirects=False,
                timeout=(self.timeouts["connect"], self.timeouts["read"]))
        if self.cancelled:     # stopped while the headers were on their way
            self.close()
        return self.response

    def chunks(self):
        """The body's bytes as they arrive, gzip undone; ends at the body's end.
        Pauses to let data gather after a read that waited (see above)."""
        reads, clock = self._reads(), time.monotonic
        while True:
            began = clock()
            data = next(reads, None)
            if data is None:
                break
            waited = clock() - began > WAITED
            yield data
            if self.gather and waited and not self.cancelled and not self._arrived():
                self._woken.wait(self.gather)
        self.whole = not self.cancelled

    def _reads(self):
        if self.response.raw.chunked:
            yield from self.response.iter_content(chunk_size=None)
        else:
            raw = self.response.raw
            while True:
                data = raw.read1(READ_SIZE, decode_content=True)
                if not data:
                    break
                yield data

    def _arrived(self):
        """Whether more of the body is on this machine already: in the socket, or
        decrypted and pending in TLS. Not knowing counts as no (a pause costs only
        `gather` of delay). The few bytes http.client may hold in its own buffer are
        not seen; they wait for the pause's end."""
        sock = getattr(self._conn, "sock", None)
        if sock is None:
            return False
        try:
            if hasattr(sock, "pending") and sock.pending():
                return True
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError, AttributeError):
            return False

    def read_some(self, limit=MAX_ERROR_BODY):
        """Up to limit bytes of the body as text (an error body or a login page)."""
        data = b""
        try:
            while len(data) < limit:
                chunk = self.response.raw.read1(limit - len(data), decode_content=True)
                if not chunk:
                    break
                data += chunk
        except Exception:  # noqa: BLE001 -- a body we could not read is just empty
            pass
        return data.decode("utf-8", "replace")

    def cancel(self):
        """End the exchange now, from any thread."""
        self.cancelled = True
        self._woken.set()
        response = self.response
        if response is None:
            _shut(self._conn)
            return
        try:
            response.raw.shutdown()
        except (ValueError, RuntimeError, OSError):
            pass   # not connected, or already released: nothing is blocked on it

    def close(self):
        """Let go: a body read to its end leaves its connection in the pool; any
        other is closed (its rest would be read as the next answer)."""
        response = self.response
        if response is None:
            return
        if not self.whole:
            response.raw.close()
        response.close()


###############################################################################
# The one hook into urllib3 ###################################################
###############################################################################
# Stop must end a reply while the model keeps the headers back (a thinking model,
# for a minute), and until the headers came neither requests nor urllib3 hands out
# the connection a request is on. A pool's ConnectionCls is urllib3's documented
# way to choose the connection class; ours notes, on the sending thread, which
# connection carries the Exchange being opened there, as it connects or sends.
# Only its socket is used: to shut it down, and to see whether more of the body has
# arrived (chunks()' gathering). Tested in tests/test_transport.py.

_opening = threading.local()


class _noting:
    def __init__(self, exchange):
        self.exchange = exchange

    def __enter__(self):
        _opening.exchange = self.exchange

    def __exit__(self, *exc):
        _opening.exchange = None


def _note(conn):
    exchange = getattr(_opening, "exchange", None)
    if exchange is not None:
        exchange._conn = conn
        if exchange.cancelled:
            _shut(conn)


def _shut(conn):
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _noting_connection(base):
    class Noting(base):
        def connect(self):
            _note(self)
            return super().connect()

        def request(self, *args, **kwargs):
            _note(self)
            return super().request(*args, **kwargs)
    Noting.__name__ = "Noting" + base.__name__
    return Noting


def _new_session():
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    pools = {"http": type("NotingHTTPPool", (HTTPConnectionPool,),
                          {"ConnectionCls": _noting_connection(HTTPConnection)}),
             "https": type("NotingHTTPSPool", (HTTPSConnectionPool,),
                           {"ConnectionCls": _noting_connection(HTTPSConnection)})}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    session = requests.Session()
    session.mount("http://", Adapter())
    session.mount("https://", Adapter())
    return session

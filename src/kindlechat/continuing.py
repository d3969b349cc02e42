"""A cut reply, continued: which cuts are worth a continuation, how long to wait
for the network first, and noticing that the Kindle slept. The reply loop
(replies.py) asks; the provider's request builder decides how a continuation is
asked for (options["partial"]: docs/RELIABILITY.md, "A cut reply completes").

    >>> policy = Policy({"reconnect_tries": 3, "reconnect_wait": 1.0, "network_wait": 600.0})
    >>> [policy.backoff(n) for n in range(8)]
    [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]

Noticing a sleep: Linux's CLOCK_MONOTONIC stops while the system is suspended and
CLOCK_BOOTTIME does not (time.CLOCK_BOOTTIME, Python 3.7+, Linux 2.6.39+; PEP 418;
confirmed on a Kindle, ipkstef/kindle-hardcover-bridge, docs/findings-bellatrix-
5.17.1.md). A socket whose Wi-Fi went away while the Kindle slept sends no reset:
a read on it waits out the whole read timeout (120 s). So while a reply streams, a
watch ticks every few seconds on the boot clock; a tick that comes much later than
asked (the process was suspended, or stopped) cuts the reply's connection at once.
The watch runs only while a reply streams or waits: an idle server has no timer.

Waiting for the network costs nothing while Wi-Fi is off: a probe (one TCP connect
to the service) after 1, 2, 4 ... up to 60 s, never a busy loop, and on a Kindle
`lipc-wait-event com.lab126.cmd connectionAvailable` (a child process blocked on
the event, no CPU; sent about 1.5 s after a wake, same findings) ends the wait
early, as does a wake the watch noticed.
"""
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse

# Errors that are a cut (the connection or the network failed), not an answer of
# the service: only these are continued (errors/upstream.py from_exception, dropped).
CUTS = frozenset(("dropped", "stalled", "dns", "no_network"))
MAX_BACKOFF = 60.0
PROBE_TIMEOUT = 5.0
TICK = 2.0           # seconds between the watch's looks at the clocks (the sleep_check setting)
LATE = 4             # a look this many ticks late: the process slept (or was stopped)


def boottime():
    """Seconds on the clock that counts suspended time too (monotonic where there
    is none: no sleep is then noticed by the clock, only by the read timeout)."""
    try:
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    except (AttributeError, OSError):
        return time.monotonic()


def is_cut(stream):
    """True when the stream ended on a cut the model did not mean: worth continuing."""
    error = stream.error
    return error is not None and error.code in CUTS and not stream.stopped


class Policy:
    """The settings' limits: tries, the first wait, how long to wait for a network."""

    def __init__(self, settings):
        self.settings = settings

    @property
    def tries(self):
        return max(0, int(self.settings.get("reconnect_tries") or 0))

    def backoff(self, n):
        return min(MAX_BACKOFF, float(self.settings.get("reconnect_wait") or 1.0) * 2 ** n)

    @property
    def network_wait(self):
        return float(self.settings.get("network_wait") or 0.0)


def endpoint(url):
    """(host, port) a probe connects to."""
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def probe(url, timeout=PROBE_TIMEOUT):
    """True if a TCP connection to the service's host opens (DNS, route and SYN: the
    network is back). No TLS, no request: a probe costs a few packets."""
    try:
        socket.create_connection(endpoint(url), timeout=timeout).close()
        return True
    except (OSError, ValueError):
        return False


class Watch:
    """One thread, alive only while a reply streams: notices sleeps (see above) and
    cuts the stale connections. Replies waiting for the network are woken by the
    Kindle's connectionAvailable (wait_network) and by a noticed wake."""

    def __init__(self, tick=TICK, clock=boottime):
        self.tick, self.clock = tick, clock
        self._lock = threading.Lock()
        self._streaming = set()
        self._waiting = set()
        self._thread = None
        self._lipc = None
        self.wakes = 0             # sleeps noticed (tests, the log)

    def streaming(self, reply, live=True):
        """reply streams (live) or stopped streaming: watched meanwhile."""
        with self._lock:
            if not live:
                self._streaming.discard(reply)
                return
            self._streaming.add(reply)
            if self._thread is None:
                self._thread = self._start(self._run)

    def waiting(self, reply, live=True):
        """reply waits for the network (live) or no longer: reply.wake is set when
        the network may be back."""
        with self._lock:
            if not live:
                self._waiting.discard(reply)
                return
            self._waiting.add(reply)
            if self._lipc is None:
                tool = shutil.which("lipc-wait-event")
                if tool is not None:
                    self._lipc = self._start(lambda: self._on_event(tool))

    def _on_event(self, tool):
        try:   # blocks in a child process until the Kindle's Wi-Fi is connected again
            subprocess.run((tool, "com.lab126.cmd", "connectionAvailable"), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            pass
        with self._lock:
            self._lipc = None
            waiting = list(self._waiting)
        for reply in waiting:
            reply.wake.set()

    def _run(self):
        last = self.clock()
        while True:
            time.sleep(self.tick)
            now = self.clock()
            with self._lock:
                slept = now - last > self.tick * LATE
                streaming, waiting = list(self._streaming), list(self._waiting)
                if not streaming:
                    self._thread = None
                    return
            last = now
            if slept:
                self.wakes += 1
                for reply in streaming:
                    reply.stream.cut()   # its socket is stale: don't wait out the read timeout
                for reply in waiting:
                    reply.wake.set()

    @staticmethod
    def _start(target):
        thread = threading.Thread(target=target, daemon=True, name="kindlechat-watch")
        try:
            thread.start()
        except RuntimeError:
            return None   # no thread to be had: the read timeout still ends a dead read
        return thread

"""Noticing that the Kindle slept. Linux's CLOCK_MONOTONIC stops while the system is
suspended and CLOCK_BOOTTIME does not (time.CLOCK_BOOTTIME: Python 3.7+, Linux
2.6.39+; PEP 418; seen on a Kindle: ipkstef/kindle-hardcover-bridge,
docs/findings-bellatrix-5.17.1.md). A socket whose Wi-Fi went away while the Kindle
slept sends no reset: a read on it waits out the whole read timeout (120 s). So
while a reply streams, a watch looks at the boot clock every sleep_check seconds; a
look that comes LATE times later than asked (the process was suspended, or stopped)
cuts the replies' connections at once, and they are continued (continuing.py). The
watch runs only while a reply streams: an idle server, or one waiting for Wi-Fi,
has no timer.

Waiting replies are woken by the Kindle's own news that Wi-Fi is back: a child
`lipc-wait-event com.lab126.cmd connectionAvailable` blocks on it (no CPU; sent
about 1.5 s after a wake, same findings; lipc-wait-event as the findings' probe uses
it, cmd/probe/events.go), where that tool exists.

    >>> Watch(tick=0.5).tick, boottime() > 0
    (0.5, True)
"""
import shutil
import subprocess
import threading
import time

TICK = 2.0           # seconds between the watch's looks at the clocks (the sleep_check setting)
LATE = 4             # a look this many ticks late: the process slept (or was stopped)


def boottime():
    """Seconds on the clock that counts suspended time too (monotonic where there
    is none: no sleep is then noticed by the clock, only by the read timeout)."""
    try:
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    except (AttributeError, OSError):
        return time.monotonic()


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
            came = subprocess.run((tool, "com.lab126.cmd", "connectionAvailable"), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        except (OSError, subprocess.SubprocessError):
            came = False
        with self._lock:
            self._lipc = None
            waiting = list(self._waiting) if came else []   # a failing tool wakes nobody: the probes go on
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

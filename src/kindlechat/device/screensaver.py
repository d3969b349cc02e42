"""The Kindle's screensaver, kept away only while something needs the network: a
reply streaming, or a phone typing (Wi-Fi mode). Sleep drops Wi-Fi about 70 s
after it starts (ipkstef/kindle-hardcover-bridge, docs/findings-bellatrix-5.17.1.md,
"Sleep research"), so a reply that streams is kept awake; a Kindle kept awake with
Wi-Fi on is flat in a day or two, so nothing else is.

    >>> calls = []
    >>> guard = Guard(grace=0, run=calls.append)
    >>> guard.clear(); guard.hold(); guard.hold(); guard.release(); calls
    [0, 1]
    >>> guard.release(); guard.settle(); calls
    [0, 1, 0]

The switch is powerd's property (shared/docs/kindle-platform.md, "Power and
network"): `lipc-set-prop com.lab126.powerd preventScreenSaver 1`, and 0 to give
the screensaver back. The first hold sets 1, the last release sets 0 after a grace
of a few seconds (a reply that continues, or the next question, keeps it set
without a flicker of calls). A Stop, a crash or a kill -9 can leave 1 set: the
server clears it at start (clear()), and KUAL's start.sh and stop.sh do too.
Where lipc-set-prop is missing (a desktop), nothing is called.
"""
import shutil
import subprocess
import sys
import threading
import time

from ..library.kindle import system_env

PROPERTY = ("com.lab126.powerd", "preventScreenSaver")
GRACE = 5.0          # seconds the screensaver stays away after the last release
PHONE_TYPING = 60.0  # seconds a phone's request keeps it away (it types, the Kindle waits)


def lipc_runner(root="/mnt/us", out=sys.stdout):
    """run(value): lipc-set-prop powerd preventScreenSaver value, logged; a no-op
    where lipc-set-prop is missing. The system's tool runs without our Python's
    LD_LIBRARY_PATH (library/kindle.py system_env)."""
    def run(value):
        tool = shutil.which("lipc-set-prop")
        if tool is None:
            return
        print("kindlechat: lipc-set-prop %s %s %d" % (PROPERTY + (value,)), file=out, flush=True)
        try:
            subprocess.run((tool,) + PROPERTY + (str(value),), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10,
                           env=system_env(root))
        except (OSError, subprocess.SubprocessError):
            pass   # the screensaver then does what it would do anyway
    return run


class Guard:
    """Counts what needs the network; the screensaver is kept away while any does."""

    def __init__(self, grace=GRACE, run=None, clock=time.monotonic):
        self.grace, self.run, self.clock = grace, run or (lambda value: None), clock
        self.count = 0
        self.value = None        # what was last set: 1, 0, or None (not known)
        self._lock = threading.RLock()
        self._timer = None
        self._leases = {}        # name: deadline (touch())

    def clear(self):
        """At start: whatever a killed server left set is given back."""
        with self._lock:
            self._set(0)

    def hold(self):
        with self._lock:
            self.count += 1
            self._cancel()
            if self.value != 1:
                self._set(1)

    def release(self):
        with self._lock:
            self.count = max(0, self.count - 1)
            if self.count == 0 and self.value == 1:
                self._cancel()
                self._timer = self._later(self.grace, self._off)

    def touch(self, name, seconds):
        """Hold for seconds from now, however often touched meanwhile (a phone's requests)."""
        with self._lock:
            held = name in self._leases
            self._leases[name] = self.clock() + seconds
            if not held:
                self.hold()
                self._later(seconds, lambda: self._expire(name))

    def settle(self):
        """Wait for a pending release (tests)."""
        timer = self._timer
        if timer is not None:
            timer.join()

    def _expire(self, name):
        with self._lock:
            left = self._leases.get(name, 0) - self.clock()
            if left > 0:
                self._later(left, lambda: self._expire(name))
                return
            self._leases.pop(name, None)
            self.release()

    def _off(self):
        with self._lock:
            if self.count == 0:
                self._set(0)

    def _set(self, value):
        self.value = value
        self.run(value)

    def _cancel(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _later(self, seconds, action):
        timer = threading.Timer(max(0.0, seconds), action)
        timer.daemon = True
        try:
            timer.start()
        except RuntimeError:   # no thread to be had: act now rather than never
            action()
        return timer

"""A cut reply, continued: which cuts are worth a continuation, how long to wait
for the network first, and the continuation's stream (sleepwatch.py notices that
the Kindle slept and cuts the stale one). The reply loop (replies.py) asks; the
provider's request builder decides how a continuation is asked for
(options["partial"]: providers/resume_turns.py, docs/RELIABILITY.md).

    >>> policy = Policy({"reconnect_tries": 3, "reconnect_wait": 1.0, "network_wait": 600.0})
    >>> [policy.backoff(n) for n in range(8)]
    [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]

Waiting for the network costs nothing while Wi-Fi is off: a probe (one TCP connect
to the service) after 1, 2, 4 ... up to 60 s, never a busy loop, and on a Kindle
`lipc-wait-event com.lab126.cmd connectionAvailable` (a child process blocked on
the event, no CPU; sent about 1.5 s after a wake, same findings) ends the wait
early, as does a wake the watch noticed. While it waits the screensaver is not kept
away: the Kindle may sleep.
"""
import socket
import urllib.parse

from .overlap import Joiner
from .device.sleepwatch import boottime

# Errors that are a cut (the connection or the network failed), not an answer of
# the service: only these are continued (errors/upstream.py from_exception, dropped).
CUTS = frozenset(("dropped", "stalled", "dns", "no_network"))
MAX_BACKOFF = 60.0
PROBE_TIMEOUT = 5.0


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


def set_status(reply, was, status):
    """was -> status; never over an end that Stop set meanwhile."""
    with reply.changed:
        if reply.status == was:
            reply.status = status
            reply.changed.notify_all()


class Resumer:
    """After a reply's stream ended: whether and when it goes on (replies.py)."""

    def __init__(self, settings, guard, watch):
        self.policy = Policy(settings) if settings is not None else None
        self.guard, self.watch = guard, watch

    def next(self, reply):
        """After a stream ended: the Joiner of the continuation now streaming (it
        waited for the network first), or None: the reply ends as its stream did."""
        stream, policy = reply.stream, self.policy
        if policy is None or reply.resume is None or reply.ended or reply.too_long or reply.stop_asked:
            return None
        failed = stream.error is not None and not stream.stopped
        # A first request that found no network at all says so at once, as before;
        # one that was answered (or whose connection dropped) is continued.
        cut = is_cut(stream) and (stream.opened or stream.error.code == "dropped")
        if not cut and not (reply.tries and failed):
            return None
        reply.cut_error = reply.cut_error or stream.error
        if reply.tries >= policy.tries:
            return self._give_up(reply)
        set_status(reply, "streaming", "reconnecting")
        self.guard.release()   # waiting needs no screensaver kept away: let the Kindle sleep
        try:
            back = self._wait_network(reply)
        finally:
            self.guard.hold()
        if not back or reply.stop_asked:
            return self._give_up(reply)
        partial = reply.partial()
        try:
            new = reply.resume(partial)
        except Exception:  # noqa: BLE001 -- the reply ends as it was cut
            return self._give_up(reply)
        reply.tries += 1
        with reply.changed:
            reply.stream = new
        if reply.stop_asked:   # Stop came while it was made
            new.close()
        return Joiner(partial)

    def _wait_network(self, reply):
        """True once a probe reaches the service (at once on the first cut, after a
        backoff on later ones); False on Stop or after network_wait seconds of boot
        time (sleep counts)."""
        policy, clock = self.policy, boottime
        deadline = clock() + policy.network_wait
        url = reply.stream.exchange.url
        wait = policy.backoff(reply.tries - 1) if reply.tries else 0.0
        self.watch.waiting(reply)
        try:
            n = 0
            while True:
                if wait:
                    reply.wake.wait(wait)
                    reply.wake.clear()
                if reply.stop_asked:
                    return False
                if probe(url):
                    return True
                if clock() >= deadline:
                    return False
                wait, n = min(policy.backoff(n), max(0.0, deadline - clock())), n + 1
        finally:
            self.watch.waiting(reply, False)

    @staticmethod
    def _give_up(reply):
        """The reply ends as its first cut would have ended it (or as Stop did)."""
        stream = reply.stream
        if reply.stop_asked:
            stream.error = None
            stream.close()   # shown stopped (or interrupted), not failed
        elif reply.cut_error is not None:
            stream.error = reply.cut_error
        return None

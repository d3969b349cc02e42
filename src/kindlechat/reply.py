"""One model reply as it is generated: its text so far, its thoughts, its status
and how it ended, and the waits of the polls on it. replies.py runs it.

    >>> r = Reply("c1", 1, stream=None)
    >>> r.state(), r.ended
    ({'status': 'streaming'}, False)
"""
import threading
import time

from .follow_ups import Splitter
from .providers.stream import EXTRAS
from .text import Text

LIVE = frozenset(("streaming", "reconnecting"))   # the statuses of a reply not ended


class Reply:
    """One model reply: its text so far, its thoughts, and how it ended."""

    def __init__(self, chat_id, index, stream, follow_ups=False, resume=None, throttle=0.0):
        self.chat_id, self.index, self.stream = chat_id, index, stream
        self.resume = resume     # partial text -> the stream of its continuation, or None
        self.tries = 0           # continuations asked for
        self.cut_error = None    # the first cut's error: said if the continuations fail
        self.wake = threading.Event()   # the network may be back, or Stop: a wait ends
        self.stop_asked = False
        self.throttle = throttle        # the status shown changes at most this often (e-ink)
        self._shown, self._shown_at = "streaming", time.monotonic()
        self.text, self.thoughts = Text(), Text()
        self.splitter = Splitter(follow_ups)   # cuts the follow-ups (if asked for) out of the text
        self.follow_ups = None                 # the questions, once the reply is done
        self.status = "streaming"
        self.error = self.finish = self.usage = None
        self.sources = self.queries = self.urls = None   # stream.EXTRAS, once known
        self.lock = threading.RLock()             # what changed is a Condition on: taken in C
        self.changed = threading.Condition(self.lock)
        self.waiting = 0                          # threads in wait(): notified only if some are
        self.finished = threading.Event()   # set once it ended: a throttled poll waits on this
        self.thread = None
        self.interrupted = False
        self.forgotten = False   # its chat was deleted or the reply retried: save no more
        self.saved = False       # its end is on disk (not yet, while USB mode lasts)
        self.too_long = False    # MAX_REPLY was reached
        self.saved_offsets = [0, 0]   # how much of text and thoughts is on disk
        self._concluded = threading.Lock()   # taken by whoever ends it: its thread, or Stop
        self._saving = threading.Lock()      # one save at a time: Stop may end it from another thread

    @property
    def ended(self):
        return self.status not in LIVE

    def shown_status(self):
        """The status as polls show it: an end at once, but between streaming and
        reconnecting at most one change per throttle interval (no flicker on e-ink)."""
        status = self.status
        if status not in LIVE:
            return status
        if status != self._shown and time.monotonic() - self._shown_at >= self.throttle:
            self._shown, self._shown_at = status, time.monotonic()
        return self._shown

    def partial(self):
        """What the model said so far, follow-ups held back included."""
        return self.text.since(0) + self.splitter.pending()

    def state(self):
        """Fields of the reply's end, as the API shows them."""
        out = {"status": self.shown_status()}
        for key in ("error", "finish", "usage", "follow_ups") + EXTRAS:
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    def wait(self, ready, timeout):
        """Block until ready() is true, the reply ended, or timeout; returns ready()."""
        deadline = time.monotonic() + timeout
        with self.changed:
            self.waiting += 1
            try:
                while not ready() and not self.ended:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.changed.wait(left)
                return ready()
            finally:
                self.waiting -= 1

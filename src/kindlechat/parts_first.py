"""A reply that first needs other answers: the story so far of a long book is built
from summaries of its parts (reading/recap.py), each asked for in a request of its own
and read whole, kept as it comes, then the reply itself streams. To the replies
(replies.py) it is one stream like any other: Deltas, then error, finish, usage and
the EXTRAS; close() ends whichever request is running. Knows no provider: it opens
its requests through open_stream(pairs) (the service's), and a plan (reading/recap.Plan)
says what to ask and what the reply's request is once the parts are in.

    >>> class Plan:
    ...     jobs = []
    ...     def build(self): return "the reply's request"
    >>> asked = []
    >>> list(PartsFirst(lambda pairs: asked.append(pairs) or iter(()), Plan(), [("user", "q")]))
    []
    >>> asked
    [[('user', "the reply's request")]]
"""
from .providers.stream import EXTRAS


class PartsFirst(object):
    def __init__(self, open_stream, plan, pairs, open_final=None):
        """open_stream(pairs): a part's request; open_final(pairs): the reply's (default the same)."""
        self._open, self.plan, self.pairs = open_stream, plan, pairs
        self._open_final = open_final or open_stream
        self.error = self.finish = self.usage = None
        self.sources = self.queries = self.urls = None
        self.source = {}
        self._current = None
        self._closed = self._done = False

    def __iter__(self):
        for key, prompt in self.plan.jobs:
            if self._closed:
                return
            part = self._current = self._open([("user", prompt)])
            summary = "".join(d.text for d in part if not d.thought)
            if getattr(part, "error", None) is not None or self._closed:
                self.error = getattr(part, "error", None)   # the reply says why; what came is kept
                return
            self.plan.keep(key, summary)
        if self._closed:
            return
        final = self._current = self._open_final(self.pairs[:-1] + [("user", self.plan.build())])
        for delta in final:
            yield delta
        self.error, self.finish, self.usage = (getattr(final, n, None) for n in ("error", "finish", "usage"))
        for name in EXTRAS:
            setattr(self, name, getattr(final, name, None))
        self._done = not getattr(final, "stopped", False)

    def extras(self):
        return self._current.extras() if self._current is not None and hasattr(self._current, "extras") else {}

    def extras_changed(self):
        return bool(self._current is not None and hasattr(self._current, "extras_changed")
                    and self._current.extras_changed())

    def close(self):
        self._closed = True
        if self._current is not None and hasattr(self._current, "close"):
            self._current.close()

    @property
    def stopped(self):
        return self._closed and self.error is None and not self._done

"""Cards written in the background: a queue of word ids, one thread, one request
per batch of a few words (cards.BATCH), and only while no reply streams (a
reply's tokens come first on the Kindle's one core and the reader's Wi-Fi).
A batch that fails for the network stops the run: the words stay unwritten and
are asked for again next time, so no request is spent on a Wi-Fi that is down.

    >>> import threading
    >>> done = threading.Event()
    >>> w = Writer(lambda ids: (done.set(), None)[1], busy=lambda: False)
    >>> w.add(["a", "b"]), done.wait(5), w.wait_idle(5)
    (2, True, True)
"""
import threading

from . import cards

PAUSE = 1.0   # seconds between checks while a reply streams


class Writer:
    """write(ids) -> None or an error value (with .code) writes and stores one batch;
    busy() says whether a reply streams now."""

    def __init__(self, write, busy):
        self._write, self._busy = write, busy
        self._queue = []
        self._lock = threading.Condition()
        self._thread = None
        self._closed = False
        self.running = False
        self.last_error = None   # the error that stopped the last run, or None

    def add(self, ids):
        """Queue ids (those not queued yet); returns how many are queued in all."""
        with self._lock:
            for word_id in ids:
                if word_id not in self._queue:
                    self._queue.append(word_id)
            if self._queue and not self.running and not self._closed:
                self.running, self.last_error = True, None
                self._thread = threading.Thread(target=self._run, name="cards", daemon=True)
                try:
                    self._thread.start()
                except RuntimeError:   # "can't start new thread": asked for again next time
                    self.running = False
                    self._queue = []
            return len(self._queue)

    def pending(self):
        with self._lock:
            return list(self._queue)

    def _next(self):
        with self._lock:
            while not self._closed and self._busy():
                self._lock.wait(PAUSE)
            if self._closed or not self._queue:
                self.running = False
                self._lock.notify_all()
                return None
            batch = self._queue[:cards.BATCH]
            return batch

    def _run(self):
        while True:
            batch = self._next()
            if batch is None:
                return
            try:
                error = self._write(batch)
            except Exception as exc:  # noqa: BLE001 -- the thread must end cleanly and say why
                error = exc
            with self._lock:
                self._queue = [i for i in self._queue if i not in batch]
                if error is not None:
                    self.last_error = error
                    self._queue = []   # the rest waits for the next ask
                    self.running = False
                    self._lock.notify_all()
                    return

    def wait_idle(self, timeout):
        """True once the queue is done (tests, and a clean exit)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self.running, timeout)

    def close(self):
        with self._lock:
            self._closed = True
            self._lock.notify_all()

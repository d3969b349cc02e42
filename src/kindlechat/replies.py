"""Replies being generated. Each runs on a thread of its own, not tied to any
browser connection: the page may disconnect, reload or come back after the
Kindle's Wi-Fi dropped, and read on from the offset it had.

    reply = replies.start(chat_id, index, stream)     # a gemini.ReplyStream
    reply.wait(lambda: reply.text.length > 0, 20)     # until some text, the end, or 20 s
    text = reply.text.since(0)
    replies.stop(chat_id, index)                      # closes the upstream at once

Offsets count code points of the reply text. The text is kept as a list of pieces,
so appending a token costs the token, not the reply so far (a several-MB reply
would otherwise be copied on every token).
"""
import bisect
import threading
import time

from .errors import as_dict
from .store import INTERRUPTED, StorageError

SAVE_EVERY = 1.0   # seconds: a kill -9 loses at most this much of a streaming reply
RESAVE_EVERY, RESAVE_FOR = 2.0, 3600.0   # a reply that ended while the data folder was away


class Text:
    """Append-only text readable from any code-point offset."""

    def __init__(self):
        self._pieces, self._starts, self.length = [], [], 0

    def append(self, piece):
        self._starts.append(self.length)
        self._pieces.append(piece)
        self.length += len(piece)

    def since(self, offset):
        if offset >= self.length:
            return ""
        i = bisect.bisect_right(self._starts, offset) - 1
        head = self._pieces[i][offset - self._starts[i]:]
        return head + "".join(self._pieces[i + 1:])


class Reply:
    """One model reply: its text so far, its thoughts, and how it ended."""

    def __init__(self, chat_id, index, stream):
        self.chat_id, self.index, self.stream = chat_id, index, stream
        self.text, self.thoughts = Text(), Text()
        self.status = "streaming"
        self.error = self.finish = self.usage = None
        self.changed = threading.Condition()
        self.finished = threading.Event()   # set once it ended: a throttled poll waits on this
        self.thread = None
        self.interrupted = False
        self.forgotten = False   # its chat was deleted or the reply retried: save no more
        self.saved = False       # its end is on disk (not yet, while USB mode lasts)

    @property
    def ended(self):
        return self.status != "streaming"

    def state(self):
        """Fields of the reply's end, as the API shows them."""
        out = {"status": self.status}
        for key in ("error", "finish", "usage"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    def wait(self, ready, timeout):
        """Block until ready() is true, the reply ended, or timeout; returns ready()."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not ready() and not self.ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
            return ready()


class Replies:
    """The replies now streaming, by (chat_id, index). One per chat at a time."""

    def __init__(self, store):
        self.store = store
        self._active = {}
        self._lock = threading.Lock()

    def get(self, chat_id, index):
        """The reply, streaming or recently ended (kept so late polls read it from
        memory even if the data folder went away), or None."""
        return self._active.get((chat_id, index))

    def streaming_in(self, chat_id):
        with self._lock:
            return any(cid == chat_id and not r.ended for (cid, _), r in self._active.items())

    def start(self, chat_id, index, stream):
        reply = Reply(chat_id, index, stream)
        with self._lock:
            self._active[(chat_id, index)] = reply
        self.prune()   # ended replies stay for late polls until 16 newer ones ended
        reply.thread = threading.Thread(target=self._run, args=(reply,), daemon=True,
                                        name="reply-%s-%d" % (chat_id, index))
        reply.thread.start()
        return reply

    def stop(self, chat_id, index, interrupted=False):
        """Stop a streaming reply; True if there was one. interrupted: the server is
        shutting down, not the user pressing Stop."""
        reply = self.get(chat_id, index)
        if reply is None or reply.ended:
            return False
        reply.interrupted = interrupted
        reply.stream.close()
        reply.thread.join(10)
        return True

    def stop_chat(self, chat_id):
        for cid, index in list(self._active):
            if cid == chat_id:
                self.stop(cid, index)

    def stop_all(self, interrupted=False):
        for chat_id, index in list(self._active):
            self.stop(chat_id, index, interrupted)

    def prune(self, keep=16):
        """Forget the oldest ended replies beyond keep whose text is on disk."""
        with self._lock:
            ended = [k for k, r in self._active.items() if r.ended and r.saved]
            for key in ended[:max(0, len(ended) - keep)]:
                del self._active[key]

    def _run(self, reply):
        # What is saved is tracked as offsets into the reply's own text: a second
        # buffer grown with += would copy the whole unsaved text on every token.
        saved, saved_at = [0, 0], time.monotonic()
        try:
            for delta in reply.stream:
                with reply.changed:
                    (reply.thoughts if delta.thought else reply.text).append(delta.text)
                    reply.changed.notify_all()
                if time.monotonic() - saved_at >= SAVE_EVERY:
                    self._save(reply, saved)
                    saved_at = time.monotonic()
        except Exception as exc:  # noqa: BLE001 -- the server never dies of a reply
            reply.stream.error = reply.stream.error or _internal(exc)
        self._finish(reply, saved)

    def _save(self, reply, saved):
        """Append the text after the saved offsets to the journal; False if the data
        folder is away (USB mode): the text then goes out with the next save."""
        text, thoughts = reply.text.since(saved[0]), reply.thoughts.since(saved[1])
        if text or thoughts:
            try:
                self.store.add_text(reply.chat_id, reply.index, text, thoughts)
            except (StorageError, KeyError):
                return False
            saved[0], saved[1] = reply.text.length, reply.thoughts.length
        return True

    def _finish(self, reply, saved):
        stream = reply.stream
        if stream.error is not None:
            status = "error"
        elif stream.stopped:
            status = "interrupted" if reply.interrupted else "stopped"
        else:
            status = "done"
        error = as_dict(stream.error) if stream.error is not None else None
        if status == "interrupted":
            error = INTERRUPTED
        problem = self._save_end(reply, saved, status, error)
        if problem is None:
            return self._show(reply, status, error)
        # USB mode: the page is told, the text stays in memory, and it is saved as
        # soon as the data folder is back (then the reply shows how it really ended).
        self._show(reply, "error", {"code": "storage", "message": str(problem)}, saved=False)
        deadline = time.monotonic() + RESAVE_FOR
        while time.monotonic() < deadline and not reply.forgotten:
            time.sleep(RESAVE_EVERY)
            if self._save_end(reply, saved, status, error) is None:
                return self._show(reply, status, error)

    def _save_end(self, reply, saved, status, error):
        """Save the rest of the text and the end; the StorageError if the folder is away."""
        if reply.forgotten:
            return None
        text, thoughts = reply.text.since(saved[0]), reply.thoughts.since(saved[1])
        try:
            self.store.end_message(reply.chat_id, reply.index, status, text, thoughts, error=error,
                                   finish=reply.stream.finish, usage=reply.stream.usage)
            saved[0], saved[1] = reply.text.length, reply.thoughts.length
        except StorageError as exc:
            return exc
        except KeyError:   # the chat was deleted meanwhile
            pass
        return None

    @staticmethod
    def _show(reply, status, error, saved=True):
        reply.saved = saved
        with reply.changed:
            reply.status, reply.error = status, error
            reply.finish, reply.usage = reply.stream.finish, reply.stream.usage
            reply.changed.notify_all()
        reply.finished.set()

    def forget(self, chat_id):
        """Drop the ended replies of a chat (it was deleted or its reply is retried)."""
        with self._lock:
            for key in [k for k, r in self._active.items() if k[0] == chat_id and r.ended]:
                self._active.pop(key).forgotten = True


def _internal(exc):
    from .errors import GeminiError
    return GeminiError("internal", "Something went wrong while writing the reply (%s). Tap Retry."
                       % type(exc).__name__)

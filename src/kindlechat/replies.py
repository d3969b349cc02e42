"""Replies being generated. Each runs on a thread of its own, not tied to any
browser connection: the page may disconnect, reload or come back after the
Kindle's Wi-Fi dropped, and read on from the offset it had.

    >>> import tempfile
    >>> from kindlechat.providers import gemini, stream, transport
    >>> from kindlechat import store
    >>> chats = store.Store(tempfile.mkdtemp())
    >>> cid = chats.create()
    >>> index = chats.add_message(cid, "model", "", "streaming")
    >>> nowhere = transport.Transport().exchange("http://127.0.0.1:9/", {}, b"{}")
    >>> reply = Replies(chats).start(cid, index, stream.ReplyStream(nowhere, gemini.Decoder()))
    >>> reply.finished.wait(10), reply.status, reply.error["code"]
    (True, 'error', 'no_network')

reply.wait(ready, timeout) blocks until ready() or the end; reply.text.since(n)
reads on from offset n; Replies.stop() closes the upstream at once.
Offsets count code points of the reply text (text.Text keeps it compactly).

A reply whose stream is cut (continuing.py) and that can be continued (resume: a
stream factory given at register()) waits for the network as "reconnecting", then
reads a continuation, joined to its text without the words the model said again
(overlap.py). The screensaver is kept away while a reply streams, not while it
waits (screensaver.py).
"""
import itertools
import threading
import time

from . import continuing, errors, memory
from .device import sleepwatch
from .errors import as_dict
from .device.screensaver import Guard
from .store import StorageError
from .providers.stream import EXTRAS
from .reply import Reply  # noqa: F401 (tests and callers take Reply from here, as before)

SAVE_EVERY = 1.0   # seconds: a kill -9 loses at most this much of a streaming reply
RESAVE_EVERY, RESAVE_FOR = 2.0, 3600.0   # a reply that ended while the data folder was away
# A reply (text and thoughts) is ended past this many characters: about 20 times any
# model's output limit (Gemini 2.5: 65,536 tokens, about 260,000 characters), so only
# a broken or hostile upstream that never ends reaches it. It bounds the server's memory
# (docs/RELIABILITY.md) and the journal's size on a Kindle's nearly full storage.
MAX_REPLY = 5000000
# Ended replies stay in memory for late polls until their text adds up to this many
# characters, newest kept first; polls on older ones read the store (its cache or the
# disk), which holds the same text: more would hold each reply twice. A reply whose
# end is not on disk yet (USB mode) is always kept.
KEEP_ENDED = 1024 * 1024
# Stop waits this long for the reply's thread to notice. A thread blocked in connect()
# (SYNs dropped on a half-up Wi-Fi) can't be woken: the reply is ended without it.
STOP_WAIT = 2.0


class Replies:
    """The replies now streaming, by (chat_id, index). One per chat at a time."""

    def __init__(self, store, settings=None, guard=None, watch=None):
        """settings: the server's (throttle, reconnect_*); without them no reply is
        continued. guard: the screensaver's (screensaver.Guard)."""
        self.store = store
        self.settings = settings
        self.guard = guard or Guard()
        self.watch = watch or sleepwatch.Watch(settings.get("sleep_check") or sleepwatch.TICK
                                               if settings is not None else sleepwatch.TICK)
        self.resumer = continuing.Resumer(settings, self.guard, self.watch)
        self._active = {}
        self._lock = threading.Lock()

    def get(self, chat_id, index):
        """The reply, streaming or recently ended (kept so late polls read it from
        memory even if the data folder went away), or None."""
        return self._active.get((chat_id, index))

    def streaming_in(self, chat_id):
        with self._lock:
            return any(cid == chat_id and not r.ended for (cid, _), r in self._active.items())

    def streaming(self):
        """True while any reply streams (the cards wait for it: words/writer.py)."""
        with self._lock:
            return any(not r.ended for r in self._active.values())

    def start(self, chat_id, index, stream, follow_ups=False, resume=None):
        """register() and run() in one."""
        return self.run(self.register(chat_id, index, stream, follow_ups, resume))

    def register(self, chat_id, index, stream, follow_ups=False, resume=None):
        """Make the reply known (polls find it live) before its message is stored.
        follow_ups: the request asked for them (follow_ups.asking); resume: partial
        text -> the stream that continues it (providers.open_stream)."""
        throttle = self.settings["throttle_ms"] / 1000.0 if self.settings is not None else 0.0
        reply = Reply(chat_id, index, stream, follow_ups, resume, throttle)
        with self._lock:
            self._active[(chat_id, index)] = reply
        self.prune()
        return reply

    def run(self, reply):
        """Start the reply's thread. If it can't start ("can't start new thread":
        a Kindle's 32-bit address space or its thread limit), the reply is
        unregistered again and the RuntimeError raised, so nothing is left half-made."""
        reply.thread = threading.Thread(target=self._run, args=(reply,), daemon=True,
                                        name="reply-%s-%d" % (reply.chat_id, reply.index))
        try:
            reply.thread.start()
        except RuntimeError:
            self.unregister(reply)
            raise
        return reply

    def unregister(self, reply):
        with self._lock:
            if self._active.get((reply.chat_id, reply.index)) is reply:
                del self._active[(reply.chat_id, reply.index)]
        reply.forgotten = True

    def stop(self, chat_id, index, interrupted=False):
        """Stop a streaming reply; True if there was one. interrupted: the server is
        shutting down, not the user pressing Stop. Returns within about STOP_WAIT
        seconds, whatever the reply's thread is blocked in."""
        reply = self.get(chat_id, index)
        if reply is None or reply.ended or reply.thread is None:
            return False
        reply.interrupted = interrupted
        reply.stop_asked = True
        reply.wake.set()
        reply.stream.close()
        reply.thread.join(STOP_WAIT)
        if reply.thread.is_alive():
            # Still blocked (in connect(), which close() can't reach): end the reply
            # from here; its thread, when it wakes, finds it ended and saves nothing.
            self._finish(reply, reply.saved_offsets)
        return True

    def stop_chat(self, chat_id):
        for cid, index in list(self._active):
            if cid == chat_id:
                self.stop(cid, index)

    def stop_all(self, interrupted=False):
        for chat_id, index in list(self._active):
            self.stop(chat_id, index, interrupted)

    def prune(self, keep=KEEP_ENDED):
        """Forget the oldest ended replies whose end is on disk, once the ended
        replies' text adds up to more than keep characters (the newest always stays)."""
        with self._lock:
            ended = [(k, r) for k, r in self._active.items() if r.ended and r.saved]
            total = 0
            for n, (key, reply) in enumerate(reversed(ended)):
                total += reply.text.length + reply.thoughts.length
                if total > keep and n > 0:
                    del self._active[key]

    def _run(self, reply):
        saved = reply.saved_offsets
        self.guard.hold()
        try:
            joiner = None
            while True:
                self.watch.streaming(reply)
                try:
                    self._read(reply, saved, joiner)
                finally:
                    self.watch.streaming(reply, False)
                joiner = self.resumer.next(reply)
                if joiner is None:
                    break
        except Exception as exc:  # noqa: BLE001 -- the server never dies of a reply
            reply.stream.error = reply.stream.error or errors.internal(type(exc).__name__)
        finally:
            self.guard.release()
        self._finish(reply, saved)

    def _read(self, reply, saved, joiner=None):
        """Read the reply's stream to its end; a continuation's text goes through
        joiner (overlap.Joiner) first."""
        # What is saved is tracked as offsets into the reply's own text: a second
        # buffer grown with += would copy the whole unsaved text on every token.
        saved_at = time.monotonic()
        # This loop runs for every event (~6,000 a MiB): its names are bound once,
        # and the lock is the Condition's own, entered without a Python call.
        stream, text, thoughts, split = reply.stream, reply.text, reply.thoughts, reply.splitter.feed
        lock, clock = reply.lock, time.monotonic
        deltas = iter(stream)
        if joiner is not None:
            feed = split

            def split(piece):
                return feed(joiner.feed(piece))
            # "reconnecting" until the continuation's first words (or its end) come
            first = next(deltas, None)
            continuing.set_status(reply, "reconnecting", "streaming")
            deltas = itertools.chain(() if first is None else (first,), deltas)
        for delta in deltas:
            if reply.ended:
                break   # Stop ended it while this thread was blocked
            extras = stream.extras() if stream.extras_changed() else None
            with lock:
                if delta.thought:
                    thoughts.append(delta.text)
                else:
                    text.append(split(delta.text))
                if extras:   # sources, searches, pages read: shown while it streams
                    for name, value in extras.items():
                        setattr(reply, name, value)
                if reply.waiting:
                    reply.changed.notify_all()
            if text.length + thoughts.length > MAX_REPLY:
                reply.too_long = True
                stream.close()
                break
            if clock() - saved_at >= SAVE_EVERY:
                self._save(reply, saved)
                saved_at = clock()
        if joiner is not None and stream.error is None:
            # Cut again while undecided, what it held is said again by the next one.
            with lock:
                text.append(reply.splitter.feed(joiner.end()))

    def _save(self, reply, saved):
        """Append the text after the saved offsets to the journal; False if the data
        folder is away (USB mode): the text then goes out with the next save."""
        with reply._saving:
            if reply._concluded.locked():
                return True   # Stop ended it meanwhile: its end carried the text
            text, thoughts = reply.text.since(saved[0]), reply.thoughts.since(saved[1])
            if text or thoughts:
                try:
                    self.store.add_text(reply.chat_id, reply.index, text, thoughts)
                except (StorageError, KeyError):
                    return False
                saved[0], saved[1] = reply.text.length, reply.thoughts.length
            return True

    def _finish(self, reply, saved):
        if not reply._concluded.acquire(blocking=False):
            return   # ended already (by Stop, while this thread was blocked)
        with reply.changed:   # what the splitter held back is the reply's text, however it ended
            reply.text.append(reply.splitter.end())
        status, error = self._outcome(reply)
        if status == "done":   # after an error or Stop, none are shown
            reply.follow_ups = reply.splitter.questions
        problem = self._save_end(reply, saved, status, error)
        if problem is None:
            self._show(reply, status, error)
            memory.release()   # the reply's request body and compaction buffers
            return None
        # USB mode or a full disk: the page is told (never "done": it is not saved),
        # the text stays in memory, and it is saved as soon as the storage is back
        # (then the reply shows how it really ended).
        self._show(reply, "error", {"code": getattr(problem, "code", "storage"), "message": str(problem)},
                   saved=False)
        if threading.current_thread() is reply.thread:
            return self._resave(reply, saved, status, error)
        try:   # ended by Stop from a request's thread, which must answer now
            threading.Thread(target=self._resave, args=(reply, saved, status, error), daemon=True).start()
        except RuntimeError:
            pass   # no thread to be had: the reply stays in memory, shown as not saved

    def _resave(self, reply, saved, status, error):
        deadline = time.monotonic() + RESAVE_FOR
        while time.monotonic() < deadline and not reply.forgotten:
            time.sleep(RESAVE_EVERY)
            if self._save_end(reply, saved, status, error) is None:
                return self._show(reply, status, error)

    @staticmethod
    def _outcome(reply):
        """(status, error dict or None) of a reply whose stream is over."""
        stream = reply.stream
        if reply.too_long:
            return "error", as_dict(errors.reply_too_long(MAX_REPLY))
        # Stopped while it waited for the network: stopped, not failed (its thread may
        # still be in a probe when Stop ends it from here).
        stopped = stream.stopped or (reply.stop_asked and reply.cut_error is not None)
        if stream.error is not None and not stopped:
            return "error", as_dict(stream.error)
        if stopped:
            if reply.interrupted:
                return "interrupted", as_dict(errors.interrupted())
            return "stopped", None
        return "done", None

    def _save_end(self, reply, saved, status, error):
        """Save the rest of the text and the end; the StorageError if the folder is away."""
        with reply._saving:
            if reply.forgotten:
                return None
            text, thoughts = reply.text.since(saved[0]), reply.thoughts.since(saved[1])
            try:
                extras = {name: getattr(reply.stream, name, None) or getattr(reply, name) for name in EXTRAS}
                self.store.end_message(reply.chat_id, reply.index, status, text, thoughts, error=error,
                                       finish=reply.stream.finish, usage=reply.stream.usage,
                                       follow_ups=reply.follow_ups, **extras)
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
            for name in EXTRAS:
                setattr(reply, name, getattr(reply.stream, name, None) or getattr(reply, name))
            reply.changed.notify_all()
        reply.finished.set()

    def forget(self, chat_id):
        """Drop the ended replies of a chat (it was deleted or its reply is retried)."""
        with self._lock:
            for key in [k for k, r in self._active.items() if k[0] == chat_id and r.ended]:
                self._active.pop(key).forgotten = True


"""The chat service: what the routes call. Settings, chats on disk, replies
streaming, and the stream to the model. Holds no HTTP.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp()], environ={}))
    >>> cid = chat.store.create()
    >>> chat.get_chat(cid)["messages"]
    []
"""
import functools
import threading
import time

from . import __version__, errors
from .device import screensaver
from .errors import Refused
from .providers import profiles
from . import settings as settings_mod
from .providers.models import ModelList
from .providers.notes import ModelNotes
from .library.kindle import Library
from .parts_first import PartsFirst
from .replies import Replies
from .store import NotFound, Store, StorageError
from .poll_answers import bad_offset, live_answer, stored_answer
from .providers.transport import Transport
from .library_chats import LibraryChats
from .model_choice import ModelChoice
from .word_reviews import WordReviews


def stale(message):
    """A message that is `streaming` on disk with no live reply behind it, shown as
    it really is: interrupted. Start-up marks such messages on disk, but it can't
    while the data folder is away or read-only (USB mode at start), and a page
    polling a "streaming" message that never changes would poll for ever."""
    if message.get("status") != "streaming":
        return message
    return dict(message, status="interrupted", error=errors.as_dict(errors.interrupted()))


class ChatServer(ModelChoice, LibraryChats, WordReviews):
    """What the routes call. One new reply per chat at a time."""

    def __init__(self, settings, emulator=None):
        self.settings = settings
        self.store = Store(settings["data_dir"])
        # The screensaver is kept away while a reply streams or a phone types (the
        # KUAL start no longer keeps it away for the server's life).
        self.guard = screensaver.Guard(settings.get("screensaver_grace", screensaver.GRACE),
                                       screensaver.lipc_runner(settings.get("library_dir") or "/mnt/us"))
        self.replies = Replies(self.store, settings, self.guard)
        self.emulator = emulator
        self.transport = Transport()          # one session: its pool keeps the connection
        self.library = Library(settings)      # the Kindle's own files: highlights, words, books
        self.models = ModelList()             # the model list, kept for the server's life
        self.notes = ModelNotes(settings["data_dir"])   # retired models, refused levels: kept on disk
        self._send_lock = threading.Lock()   # one new reply per chat, checked and started at once
        self._settings_lock = threading.Lock()   # one settings change at a time (settings.json)
        self._closing = set()                # chats being deleted: no new reply starts there
        self._unmarked = True                # start-up's mark_interrupted has not succeeded yet
        self.trainer = self._trainer()        # reviews, cards and exports of the looked-up words (word_reviews.py)

    @property
    def demo(self):
        return bool(self.settings["demo"] or not profiles.ready(profiles.current(self.settings)[1]))

    def health(self):
        return {"ok": True, "version": __version__, "demo": self.demo}

    def begin(self):
        """At start: give back the screensaver a killed server kept away, mark the
        replies it left streaming (mark_interrupted), and have the looked-up words'
        snapshot brought up to date in a while (words/trainer.py prime). Returns how
        many replies were marked."""
        self.guard.clear()
        self.trainer.prime()
        return self.mark_interrupted()

    def phone_typing(self):
        """A phone's request (Wi-Fi mode): the Kindle waits for what it types, awake."""
        self.guard.touch("phone", screensaver.PHONE_TYPING)

    def mark_interrupted(self):
        """Mark on disk the replies a crash or kill left `streaming`; tried at start
        and again before each new reply until it succeeds once. Returns how many."""
        self.store.remove_leftovers()
        count = self.store.mark_interrupted()
        self._unmarked = self.store.unmarked
        return count

    def close(self):
        """At exit: stop the replies (marked interrupted) and end the writing."""
        self.trainer.close()
        self.replies.stop_all(interrupted=True)
        self.store.close()

    # -- settings -----------------------------------------------------------
    def public_settings(self):
        return dict(settings_mod.public(self.settings), demo=self.demo)

    def update_settings(self, changes):
        # One change at a time: the page saves each tap at once, and two saves that read,
        # merge and write settings.json (one .tmp path) together lost one of them.
        with self._settings_lock:
            return self._update_settings(changes)

    def _update_settings(self, changes):
        if not isinstance(changes, dict):
            raise Refused("bad_input", "settings_object")
        clean = self._profile_changes(changes)
        for name, value in changes.items():
            if name == settings_mod.PROFILES:
                continue
            if name not in settings_mod.EDITABLE:
                raise Refused("bad_input", "not_editable", name=name)
            try:
                clean[name] = settings_mod.coerce(name, value)
            except settings_mod.SettingsError as exc:
                raise Refused("bad_input", "bad_setting", why=str(exc)) from None
        try:
            settings_mod.save(self.settings["data_dir"], clean)
        except OSError as exc:
            raise Refused("unavailable", errors.storage(exc)) from None
        self.settings.update(clean)
        if clean.get("api_key") or profiles.keys_added(changes.get(settings_mod.PROFILES)):
            self.settings["demo"] = False
        return self.public_settings()

    def _profile_changes(self, changes):
        """The settings a PUT's "profiles" and "profile" change (profiles.py)."""
        clean = {}
        if settings_mod.PROFILES in changes:
            try:
                clean, clean[settings_mod.PROFILES] = profiles.clean_changes(
                    self.settings, changes[settings_mod.PROFILES], settings_mod.coerce)
            except ValueError as exc:
                raise Refused("bad_input", exc.args[0]) from None
        name = changes.get("profile", self.settings.get("profile"))
        if isinstance(name, str) and name and profiles.by_name(dict(self.settings, **clean), name) is None:
            if "profile" in changes:
                raise Refused("bad_input", errors.bad_profile(name[:40], "unknown_profile"))
            clean["profile"] = profiles.GEMINI   # the current profile was deleted
        return clean

    # -- chats --------------------------------------------------------------
    def list_chats(self):
        return self.store.list()

    def new_chat(self):
        return self.store.create()

    def get_chat(self, chat_id):
        chat = self.store.get(chat_id)
        chat["messages"] = [m if self.replies.get(chat_id, i) else stale(m)
                            for i, m in enumerate(chat["messages"])]
        chat.update(chat_profile(self.settings, chat["messages"]))
        return chat

    def message(self, chat_id, index):
        messages = self.store.get(chat_id)["messages"]
        if not 0 <= index < len(messages):
            raise NotFound(index)
        return messages[index]

    # -- replies ------------------------------------------------------------
    def _profile_for(self, messages):
        """(name, profile) the next reply of a chat goes to, resolved once a send: the
        profile its first message names (profiles.for_chat), else the current one."""
        named = [m["profile"] for m in messages if m.get("profile")]
        return profiles.for_chat(self.settings, named[0] if named else None)

    @staticmethod
    def _check_model(chosen):
        """A profile with no model (one just made from a preset) is asked for one
        before anything is stored: the service would get "model": ""."""
        if not chosen[1].get("model"):
            raise Refused("bad_input", "no_model", profile=chosen[0])

    def _check_free(self, chat_id):
        if chat_id in self._closing or self.replies.streaming_in(chat_id):
            raise Refused("conflict", "busy")
        if self._unmarked:
            try:
                self.mark_interrupted()
            except StorageError:
                pass   # still away: the send below says so

    def send(self, chat_id, text, search=None, extra=None):
        """Store the user's message and start the reply; returns the reply's index.
        search: search the web for this one (None: the google_search setting).
        extra: more fields kept on the message (a book chat's binding: reading/bookchat.py)."""
        if search is None:
            search = bool(self.settings.get("google_search"))
        with self._send_lock:
            self._check_free(chat_id)
            messages = self.store.get(chat_id)["messages"]
            chosen = self._profile_for(messages)
            self._check_model(chosen)
            extra = dict(extra or {}, **({"search": True} if search else {}))   # kept for Retry; absent is False
            if not messages:   # a new chat keeps the profile it starts with
                extra.update(profile=chosen[0], model=chosen[1]["model"])
            self.store.add_message(chat_id, "user", text, "done", **extra)
            return self._start(chat_id, messages + [dict(extra, role="user", text=text)], chosen)

    def retry(self, chat_id):
        """Generate the last reply again (it ended in an error, or was stopped)."""
        with self._send_lock:
            self._check_free(chat_id)
            messages = self.store.get(chat_id)["messages"]
            if not messages or messages[-1]["role"] != "model":
                raise Refused("conflict", "nothing_to_retry")
            self._check_model(self._profile_for(messages))
            self.store.cut(chat_id, len(messages) - 1)
            self.replies.forget(chat_id)
            return self._start(chat_id, messages[:-1], self._profile_for(messages))

    def delete(self, chat_id):
        """Stop the chat's streaming reply, if any, then delete the chat. The send lock
        is not held while the reply stops, so other chats answer meanwhile."""
        with self._send_lock:
            self.store.get(chat_id)        # an unknown chat is a 404 before anything stops
            self._closing.add(chat_id)
        try:
            self.replies.stop_chat(chat_id)
            with self._send_lock:
                self.store.delete(chat_id)
                self.replies.forget(chat_id)
        finally:
            self._closing.discard(chat_id)

    def stop(self, chat_id, index):
        """Stop a reply; True if it was streaming. A stale `streaming` message (no
        live reply: see stale()) is marked interrupted on disk, where the disk allows."""
        message = self.message(chat_id, index)
        if self.replies.stop(chat_id, index):
            return True
        if message.get("status") == "streaming" and self.replies.get(chat_id, index) is None:
            try:
                self.store.end_message(chat_id, index, "interrupted", error=errors.as_dict(errors.interrupted()))
            except StorageError:
                pass   # still shown as interrupted (stale()), marked at the next chance
            return True
        return False

    def _start(self, chat_id, history, chosen):
        """Register the reply, store its message, start its thread; a failure at
        any step undoes the steps before it, so the chat is never left wedged."""
        pairs = [(m["role"], m["text"]) for m in history if m.get("text")]
        book = self._book_request(chat_id, history, chosen)
        plan = book[0] if book is not None and not isinstance(book[0], str) else None
        if book is not None and plan is None:   # the book's text up to the reader's position, around the question
            pairs[-1] = ("user", book[0])
        follow_ups = bool(self.settings.get("follow_ups"))
        search = bool(history and history[-1].get("search"))
        stream = self._stream_for(pairs, search, chosen, follow_ups)
        # a cut reply's continuation: the same request, asking to go on from the partial text
        resume = functools.partial(self._stream_for, pairs, search, chosen, follow_ups)
        if plan is not None:   # a long book's recap: its parts' summaries first (parts_first.py)
            source = stream.source
            stream = PartsFirst(lambda p: self._stream_for(p, False, chosen, False), plan, pairs,
                                lambda p: self._stream_for(p, search, chosen, follow_ups))
            stream.source, resume = source, None   # a cut recap is not continued: built in parts
        index = len(history)
        reply = self.replies.register(chat_id, index, stream, follow_ups, resume)   # polls find it live from now
        reply.book = book[1] if book else None   # shown with the live reply too (bound, pages, "read on")
        try:
            self.store.add_message(chat_id, "model", "", "streaming",
                                   **dict(stream.source, **({"book": book[1]} if book else {})))
        except BaseException:
            self.replies.unregister(reply)
            raise
        try:
            self.replies.run(reply)
        except RuntimeError:   # "can't start new thread"
            try:
                self.store.cut(chat_id, index)
            except StorageError:
                pass   # left `streaming` on disk, shown interrupted (stale())
            raise Refused("unavailable", errors.no_thread()) from None
        return index

    def poll(self, chat_id, index, offset, wait, tfrom=None):
        """The reply's state and where its new text lies, after offset: waits up to
        `wait` seconds for some, and answers at most once per throttle interval,
        except the reply's first text. Returns (answer without text, text pieces)."""
        reply = self.replies.get(chat_id, index)
        if reply is None:
            return stored_answer(stale(self.message(chat_id, index)), offset, tfrom)
        if offset > reply.text.length:
            raise bad_offset(offset, reply.text.length)
        arrived = time.monotonic()

        def more():
            return reply.text.length > offset or (tfrom is not None and reply.thoughts.length > tfrom)
        first = offset == 0 and not tfrom   # the reply's first words (or thoughts) go out at once
        if reply.wait(more, wait) and not first:
            # e-ink: hold the answer until a throttle interval has passed since the poll came.
            # Only the reply's end cuts the hold short: waiting on reply.changed would wake
            # this thread for every token that arrives meanwhile.
            hold = arrived + self.settings["throttle_ms"] / 1000.0 - time.monotonic()
            if hold > 0:
                reply.finished.wait(min(hold, wait))
        return live_answer(reply, offset, tfrom)


def chat_profile(settings, messages):
    """{"profile", "model"} of a chat: the profile its first message names (else, an
    old chat, the current one) and the model its next reply will use: the profile's
    own now (a switch after a retired model shows at once), else the one last used."""
    named = [m for m in messages if m.get("profile")]
    name = named[0]["profile"] if named else profiles.current(settings)[0]
    profile = profiles.by_name(settings, name)
    model = profile["model"] if profile is not None else (named[-1].get("model") if named else "")
    return {"profile": name, "model": model or ""}

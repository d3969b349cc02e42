"""Conversations on disk, one append-only journal per chat.

    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp())
    >>> cid = store.create()
    >>> store.add_message(cid, "user", "Hello", "done")
    0
    >>> store.get(cid)["messages"][0]["text"]
    'Hello'

Why a journal: a reply streams for many seconds and may be megabytes long. Appending
its new text once a second costs only that text; rewriting a whole JSON file each
second would cost the whole chat, on a Kindle's flash. A kill -9 can tear only the
last line, which the reader drops; so no earlier message is ever lost and every
file stays readable. A reply's end is appended too, in one write, fsynced. Once a
journal holds more than COMPACT_SLACK records beyond one a message (a long reply's
saves, a few replies' ends), the next reply's end compacts it instead: written anew,
atomically, one line a message. Compacting at every end would rewrite the whole chat
each time, a 3 MB chat for a reply of a line: its JSON and 3 MB of flash, on the
Kindle's one core (bench/relay_cpu.py: a third of the server's CPU for a long reply).

The records and what makes one valid are in records.py. A chat with a record
KindleChat never wrote is read as far as it reads, listed as damaged, can be
deleted, and is never written again (Damaged).

A nearly full disk (a Kindle full of books) costs the newest save, never an
earlier message: every write is whole or undone (diskwrite.py).
"""
import os
import re
import secrets
import threading
import time

from . import errors
from .diskwrite import append_whole, write_atomic  # noqa: F401 (settings.py writes with it too)
from .records import BadIndex, apply_record, compact_journal, line, parse_journal

CHAT_ID = re.compile(r"^[0-9a-f]{12}$")
TITLE_LENGTH = 60
ACTION = re.compile(r" \([^()]{1,24}\)$")   # a library chat's "(Explain)" (library/prompts.py)
CACHED_CHATS = 8
COMPACT_SLACK = 64   # records a journal may hold beyond one a message before an end compacts it
INTERRUPTED = errors.as_dict(errors.interrupted())
DAMAGED = errors.damaged_chat().message


class StorageError(Exception):
    """The data directory cannot be read or written: the message says why, for the user;
    .code is "storage_full", "storage" or "damaged"."""
    code = "storage"


class Damaged(StorageError):
    """A write to a chat whose journal has a record KindleChat never wrote."""
    code = "damaged"

    def __init__(self, message=DAMAGED):
        super().__init__(message)


class NotFound(KeyError):
    pass


def _storage_error(exc):
    """A StorageError whose message (from errors.storage) tells full from away;
    its .code is "storage_full" or "storage"."""
    error = errors.storage(exc)
    out = StorageError(error.message)
    out.code = error.code
    return out


def title_of(text):
    """A chat's title: its first message's first paragraph, cut at a word (issue 22.8:
    a library chat's first paragraph is "Book — “first words…” (Action)"). A long
    one keeps its action: the book and passage are cut, and a quote cut open is closed.

        >>> title_of("Emma — “Emma Woodhouse, handsome…” (Explain)\\n\\nExplain this passage")
        'Emma — “Emma Woodhouse, handsome…” (Explain)'
        >>> title_of("Pride and Prejudice (Penguin Classics) — “It is a truth universally…” (Summarize)")
        'Pride and Prejudice (Penguin Classics) — “It is…” (Summarize)'
        >>> title_of("word " * 20)
        'word word word word word word word word word word word word…'
    """
    line = " ".join(re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0].split())
    if len(line) <= TITLE_LENGTH:
        return line
    action = ACTION.search(line) if " — “" in line else None
    if action is None:
        return _cut(line, TITLE_LENGTH)
    head = _cut(line[:action.start()], TITLE_LENGTH - len(action.group()) - 1)   # room for a "”"
    return head + ("”" if head.count("“") > head.count("”") else "") + action.group()


def _cut(line, length):
    if len(line) <= length:
        return line
    cut = line[:length + 1]   # a space just after the length: the cut is at a word's end
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut[:length]).rstrip(" ,;:.-—…") + "…"


def summary(chat, mtime):
    msgs = chat["messages"]
    first = next((m.get("text", "") for m in msgs if m.get("role") == "user"), "")
    title = title_of(first) or "New chat"
    out = {"id": chat["id"], "title": title, "updated": mtime, "count": len(msgs)}
    if chat.get("damaged"):
        out["damaged"] = True
    return out


def _settled(chat):
    """A damaged chat is never written again, so no reply streams in it: a reply it
    shows as streaming was cut short, and can't be marked so on disk."""
    for msg in chat["messages"]:
        if msg.get("status") == "streaming":
            msg.update(status="interrupted", error=dict(INTERRUPTED))
    return chat


class Store:
    """All chats under data_dir/chats. Thread-safe; every method may raise StorageError."""

    def __init__(self, data_dir):
        self.dir = os.path.join(data_dir, "chats")
        self._lock = threading.RLock()
        self._cache = {}        # id -> chat dict, most recently used last
        self._index = None      # id -> summary, built on first use
        self._whole = set()     # ids whose journal is known to end with a newline
        self._records = {}      # id -> records in its journal, as last read or written
        self.unmarked = False   # mark_interrupted could not write a chat (see there)

    def _missing(self, chat_id):
        """A chat file that is not there: an unknown chat, unless the whole data folder
        is away (the Kindle's USB mode unmounts it), which is a storage error."""
        if not os.path.isdir(os.path.dirname(self.dir)):
            return _storage_error(FileNotFoundError(2, "the data folder is not there"))
        return NotFound(chat_id)

    # -- reading ----------------------------------------------------------
    def _path(self, chat_id):
        if not CHAT_ID.match(chat_id or ""):
            raise NotFound(chat_id)
        return os.path.join(self.dir, chat_id + ".jsonl")

    def _load(self, chat_id):
        path = self._path(chat_id)
        chat = self._cache.pop(chat_id, None)
        if chat is None:
            try:
                with open(path, "rb") as f:
                    data = f.read()
                chat = parse_journal(data, chat_id)
                self._records[chat_id] = data.count(b"\n") + (data[-1:] not in (b"\n", b""))
                if chat.get("damaged"):
                    _settled(chat)
            except FileNotFoundError:
                raise self._missing(chat_id) from None
            except OSError as exc:
                raise _storage_error(exc) from None
        self._cache[chat_id] = chat
        while len(self._cache) > CACHED_CHATS:
            self._cache.pop(next(iter(self._cache)))
        return chat

    def get(self, chat_id):
        """The chat as the API shows it: {"id", "title", "messages": [...]}."""
        with self._lock:
            chat = self._load(chat_id)
            out = {"id": chat_id, "title": summary(chat, 0)["title"],
                   "messages": [dict(m) for m in chat["messages"]]}
            if chat.get("damaged"):
                out["damaged"] = True
            return out

    def list(self):
        """Summaries of every chat, most recently changed first."""
        with self._lock:
            return sorted(self._summaries().values(), key=lambda s: -s["updated"])

    def _summaries(self):
        if self._index is None:
            index = {}
            for name in self._listdir():
                cid = name[:-6]
                if name.endswith(".jsonl") and CHAT_ID.match(cid):
                    try:
                        index[cid] = self._summarize(cid)
                    except (NotFound, StorageError):
                        continue
            self._index = index
        return self._index

    def _listdir(self):
        try:
            return os.listdir(self.dir)
        except FileNotFoundError:
            if not os.path.isdir(os.path.dirname(self.dir)):
                raise self._missing(None) from None
            return []
        except OSError as exc:
            raise _storage_error(exc) from None

    def _summarize(self, chat_id):
        chat = self._load(chat_id)
        try:
            mtime = os.path.getmtime(self._path(chat_id))
        except OSError:
            mtime = time.time()
        return summary(chat, mtime)

    # -- writing ----------------------------------------------------------
    def _applied(self, chat_id, records):
        """A copy of the chat with records applied: checked before anything is written."""
        chat = self._load(chat_id)
        if chat.get("damaged"):
            raise Damaged()
        new = dict(chat, messages=[dict(m) for m in chat["messages"]])
        try:
            for rec in records:
                apply_record(new, rec)
        except BadIndex:
            raise NotFound(chat_id) from None
        return new

    def _append(self, chat_id, records, sync):
        """Append records to the journal, then to the cached chat. The disk first:
        what the API shows has been written."""
        new, path = self._applied(chat_id, records), self._path(chat_id)
        data = b"".join(line(r) for r in records)
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
            try:
                self._append_whole(fd, chat_id, data, sync)
            finally:
                os.close(fd)
            self._records[chat_id] = self._records.get(chat_id, 0) + len(records)
        except FileNotFoundError:
            raise self._missing(chat_id) from None
        except OSError as exc:
            raise _storage_error(exc) from None
        self._cache[chat_id] = new
        self._touch(chat_id)

    def _append_whole(self, fd, chat_id, data, sync):
        """Append to the journal all of data or nothing (diskwrite.append_whole)."""
        size = os.lseek(fd, 0, os.SEEK_END)
        if chat_id not in self._whole:
            data = self._after_torn_line(fd, size) + data
        self._whole.discard(chat_id)   # until it is known whole again: if an undo fails,
        append_whole(fd, size, data, sync)   # the next append starts a line of its own
        self._whole.add(chat_id)

    @staticmethod
    def _after_torn_line(fd, size):
        """A kill -9 mid-write may leave a last line without its newline; start a new
        line after it, so that the next record is not glued to the torn one."""
        if size and os.pread(fd, 1, size - 1) != b"\n":
            return b"\n"
        return b""

    def _touch(self, chat_id):
        if self._index is not None:
            self._index[chat_id] = self._summarize(chat_id)

    def create(self):
        """A new empty chat; returns its id."""
        with self._lock:
            try:
                if not os.path.isdir(self.dir):
                    os.mkdir(self.dir)   # never the data folder: if it is away (USB), say so
                chat_id = secrets.token_hex(6)
                chat = {"id": chat_id, "created": time.time(), "messages": []}
                write_atomic(self._path(chat_id), compact_journal(chat))
            except OSError as exc:
                raise _storage_error(exc) from None
            self._cache[chat_id] = chat
            self._records[chat_id] = 1
            self._touch(chat_id)
            return chat_id

    def delete(self, chat_id):
        with self._lock:
            try:
                os.remove(self._path(chat_id))
            except FileNotFoundError:
                raise self._missing(chat_id) from None
            except OSError as exc:
                raise _storage_error(exc) from None
            self._cache.pop(chat_id, None)
            self._records.pop(chat_id, None)
            if self._index is not None:
                self._index.pop(chat_id, None)

    def add_message(self, chat_id, role, text, status, **extra):
        """Append a message; returns its index."""
        with self._lock:
            index = len(self._load(chat_id)["messages"])
            rec = dict(extra, t="msg", role=role, text=text, status=status)
            self._append(chat_id, [rec], sync=True)
            return index

    def add_text(self, chat_id, index, text="", thoughts=""):
        """More text of a streaming reply (not fsynced: a kill -9 keeps what was written)."""
        rec = {"t": "add", "i": index}
        if text:
            rec["text"] = text
        if thoughts:
            rec["thoughts"] = thoughts
        with self._lock:
            self._append(chat_id, [rec], sync=False)

    def end_message(self, chat_id, index, status, text="", thoughts="", **fields):
        """Close a reply: its last text, its final status and fields, in one write:
        appended and fsynced, or (a journal past its slack) a compacting rewrite."""
        end = dict({k: v for k, v in fields.items() if v is not None}, t="end", i=index, status=status)
        records = ([{"t": "add", "i": index, "text": text, "thoughts": thoughts}] if text or thoughts else []) + [end]
        with self._lock:
            messages = len(self._load(chat_id)["messages"])
            if self._records.get(chat_id, 1 << 30) + len(records) > 1 + messages + COMPACT_SLACK:
                self._rewrite(chat_id, records)
            else:
                self._append(chat_id, records, sync=True)

    def cut(self, chat_id, index):
        """Drop message index and everything after it (used by retry)."""
        with self._lock:
            self._rewrite(chat_id, [{"t": "cut", "i": index}])

    def _rewrite(self, chat_id, records):
        """Apply records to a copy of the chat, write it compacted, then show it: the
        disk first, as in _append."""
        new, path = self._applied(chat_id, records), self._path(chat_id)
        if not os.path.exists(path):   # deleted meanwhile (never bring it back), or USB mode
            raise self._missing(chat_id)
        try:
            write_atomic(path, compact_journal(new))
        except OSError as exc:
            raise _storage_error(exc) from None
        self._cache[chat_id] = new
        self._whole.add(chat_id)
        self._records[chat_id] = 1 + len(new["messages"])
        self._touch(chat_id)

    def close(self):
        """At exit: wait for a write under way, then let no other begin. Replies that
        wait for the storage (USB mode) write from daemon threads, which the exit
        kills wherever they are: never halfway through a file."""
        self._lock.acquire()

    def remove_leftovers(self):
        """At start: a .tmp left by a kill -9 mid-compaction (the journal beside it is
        whole: os.replace had not happened)."""
        with self._lock:
            for name in self._listdir():
                if name.endswith(".jsonl.tmp"):
                    try:
                        os.remove(os.path.join(self.dir, name))
                    except OSError:
                        pass

    def mark_interrupted(self):
        """At start: a reply still 'streaming' on disk was cut short by a crash or kill.
        Returns how many were marked. Afterwards self.unmarked says whether a chat
        could not be written (USB mode), so that the caller tries again later."""
        with self._lock:
            self.unmarked = False
            return sum(self._mark_chat(cid) for cid in list(self._summaries()))

    def _mark_chat(self, chat_id):
        """Mark one chat's streaming replies; a chat that can't be read or written
        (damaged, or its file unwritable) is passed over, so the others still are."""
        count = 0
        try:
            chat = self._load(chat_id)
            streaming = [i for i, m in enumerate(chat["messages"]) if m.get("status") == "streaming"]
            for i in streaming:
                self.end_message(chat_id, i, "interrupted", error=INTERRUPTED)
                count += 1
        except (NotFound, Damaged):
            pass   # gone, or damaged: never written again, nothing to retry
        except StorageError:
            self.unmarked = True
        return count

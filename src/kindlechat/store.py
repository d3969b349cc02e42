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
file stays readable. When a reply ends the journal is compacted (written anew,
atomically), so a chat reads back in one line per message.

Records, one JSON object a line:
  {"t": "chat", "id", "created"}                   first line
  {"t": "msg", "role", "text", "status", ...}      a message (index = its order)
  {"t": "add", "i", "text"?, "thoughts"?}          more text for message i
  {"t": "end", "i", "status", "error"?, "finish"?, "usage"?}
  {"t": "cut", "i"}                                drop message i and those after (retry)
"""
import json
import os
import re
import secrets
import threading
import time

from . import errors

CHAT_ID = re.compile(r"^[0-9a-f]{12}$")
TITLE_LENGTH = 60
CACHED_CHATS = 8
INTERRUPTED = errors.as_dict(errors.interrupted())


class StorageError(Exception):
    """The data directory cannot be read or written: the message says why, for the user."""


class NotFound(KeyError):
    pass


def write_atomic(path, data, mode=0o644):
    """Write a file so that a crash leaves either the old or the new one, never half.
    (FAT has no atomic replace of an open file, but os.replace of a closed one is
    a single directory update.)"""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    try:
        os.chmod(path, mode)   # O_CREAT's mode is ignored for an existing .tmp
    except OSError:
        pass


def _storage_error(exc):
    """A StorageError whose message (from errors.storage) tells full from away;
    its .code is "storage_full" or "storage"."""
    error = errors.storage(exc)
    out = StorageError(error.message)
    out.code = error.code
    return out


def _line(record):
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def apply_record(chat, rec):
    """Replay one journal record onto a chat dict; unknown or bad records are skipped."""
    kind, msgs = rec.get("t"), chat["messages"]
    if kind == "chat":
        chat["created"] = rec.get("created", 0)
    elif kind == "msg":
        msgs.append({k: v for k, v in rec.items() if k != "t"})
    elif kind in ("add", "end") and isinstance(rec.get("i"), int) and 0 <= rec["i"] < len(msgs):
        msg = msgs[rec["i"]]
        if kind == "add":
            msg["text"] = msg.get("text", "") + rec.get("text", "")
            if rec.get("thoughts"):
                msg["thoughts"] = msg.get("thoughts", "") + rec["thoughts"]
        else:
            msg.update({k: v for k, v in rec.items() if k not in ("t", "i")})
    elif kind == "cut" and isinstance(rec.get("i"), int):
        del msgs[rec["i"]:]


def parse_journal(data, chat_id):
    """A chat from journal bytes. A torn or garbled line (a kill mid-write) is skipped."""
    chat = {"id": chat_id, "created": 0, "messages": []}
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw.decode("utf-8"))
        except ValueError:
            continue
        if isinstance(rec, dict):
            apply_record(chat, rec)
    return chat


def compact_journal(chat):
    out = [_line({"t": "chat", "id": chat["id"], "created": chat.get("created", 0)})]
    out += [_line(dict(m, t="msg")) for m in chat["messages"]]
    return b"".join(out)


def summary(chat, mtime):
    msgs = chat["messages"]
    first = next((m.get("text", "") for m in msgs if m.get("role") == "user"), "")
    title = " ".join(first.split())[:TITLE_LENGTH] or "New chat"
    return {"id": chat["id"], "title": title, "updated": mtime, "count": len(msgs)}


class Store:
    """All chats under data_dir/chats. Thread-safe; every method may raise StorageError."""

    def __init__(self, data_dir):
        self.dir = os.path.join(data_dir, "chats")
        self._lock = threading.RLock()
        self._cache = {}        # id -> chat dict, most recently used last
        self._index = None      # id -> summary, built on first use
        self._whole = set()     # ids whose journal is known to end with a newline

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
                    chat = parse_journal(f.read(), chat_id)
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
            title = summary(chat, 0)["title"]
            return {"id": chat_id, "title": title, "messages": [dict(m) for m in chat["messages"]]}

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
    def _append(self, chat_id, records, sync):
        """Append records to the journal, then to the cached chat. The disk first:
        what the API shows has been written."""
        path = self._path(chat_id)
        data = b"".join(_line(r) for r in records)
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
            try:
                if chat_id not in self._whole:
                    data = self._after_torn_line(fd) + data
                    self._whole.add(chat_id)
                os.write(fd, data)
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except FileNotFoundError:
            raise self._missing(chat_id) from None
        except OSError as exc:
            raise _storage_error(exc) from None
        chat = self._load(chat_id)
        for rec in records:
            apply_record(chat, rec)
        self._touch(chat_id)

    @staticmethod
    def _after_torn_line(fd):
        """A kill -9 mid-write may leave a last line without its newline; start a new
        line after it, so that the next record is not glued to the torn one."""
        size = os.lseek(fd, 0, os.SEEK_END)
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
        """Close a reply: its last text, its final status and fields, all in one atomic
        rewrite of the journal, compacted (no append first: the rewrite is the save)."""
        end = dict({k: v for k, v in fields.items() if v is not None}, t="end", i=index, status=status)
        extra = [{"t": "add", "i": index, "text": text, "thoughts": thoughts}] if text or thoughts else []
        with self._lock:
            self._rewrite(chat_id, extra + [end])

    def cut(self, chat_id, index):
        """Drop message index and everything after it (used by retry)."""
        with self._lock:
            self._rewrite(chat_id, [{"t": "cut", "i": index}])

    def _rewrite(self, chat_id, records):
        """Apply records to a copy of the chat, write it compacted, then show it: the
        disk first, as in _append."""
        chat, path = self._load(chat_id), self._path(chat_id)
        if not os.path.exists(path):   # deleted meanwhile (never bring it back), or USB mode
            raise self._missing(chat_id)
        new = dict(chat, messages=[dict(m) for m in chat["messages"]])
        for rec in records:
            apply_record(new, rec)
        try:
            write_atomic(path, compact_journal(new))
        except OSError as exc:
            raise _storage_error(exc) from None
        self._cache[chat_id] = new
        self._whole.add(chat_id)
        self._touch(chat_id)

    def mark_interrupted(self):
        """At start: a reply still 'streaming' on disk was cut short by a crash or kill.
        Returns how many were marked."""
        count = 0
        with self._lock:
            for cid in list(self._summaries()):
                chat = self._load(cid)
                for i, msg in enumerate(chat["messages"]):
                    if msg.get("status") == "streaming":
                        self.end_message(cid, i, "interrupted", error=INTERRUPTED)
                        count += 1
        return count

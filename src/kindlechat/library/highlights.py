"""My Clippings.txt as GET /api/highlights reads it, quick on a big file (issue 14.7).

A Kindle only appends to the file, so a parse is kept per version of it (size, mtime):
- the same version: the parse kept in memory;
- the file grew and its old part is unchanged (a CRC-32 of the old size's prefix):
  only the appended tail is parsed, fed to the kept parser state;
- after a restart: the same, from the parse kept on disk (clippings_cache.py);
- otherwise (a first read, an edited or truncated file, another encoding): the
  whole file is parsed. Over PARTIAL_OVER bytes that runs in the background (75 s for
  20 MB on emulated ARM) and the answers meanwhile come from the file's last
  PARTIAL_BYTES, parsed alone and marked partial: the API is newest first, so the
  first screen is there; a note or an edit whose partner is further back shows
  as in the file until the whole parse is in.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "My Clippings.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("B (A)\\n- Your Highlight on Location 1-2 | Added on 1 May 2020 10:00\\n\\nOne\\n==========\\n")
    >>> h = Highlights(path, os.path.join(folder, "cache.json"))
    >>> [c["text"] for c in h.current().items], h.current().partial
    (['One'], False)
"""
import logging
import os
import threading
import zlib

from . import clippings, clippings_cache
from .. import errors

log = logging.getLogger(__name__)
MAX_CLIPPINGS = 64 * 1024 * 1024
# A whole parse of a file larger than this is not waited for (about 4 s a MB on
# emulated ARM, where the issue asks for a first answer within a few seconds).
PARTIAL_OVER = 1024 * 1024
PARTIAL_BYTES = 128 * 1024   # about 400 entries: a first screen and more, ~0.5 s on ARM
SEP = clippings.SEPARATOR.encode("ascii")


class Version:
    """One parse of one version of the file: clippings newest first, by id, their books."""

    def __init__(self, key, items=(), notice=None, parser=None, head=None, partial=False):
        self.key, self.notice, self.parser, self.head, self.partial = key, notice, parser, head, partial
        self.items = list(items)
        self.by_id = {c["id"]: c for c in self.items}
        self.books = books(self.items)   # with the parse: 0.1 s a request on 20 MB otherwise


class Highlights:
    """The clippings file at path, its parse kept in memory and at cache_path.
    start(fn) runs a parse job (a daemon thread by default)."""

    def __init__(self, path, cache_path, start=None):
        self.path, self.cache_path = path, cache_path
        self._start = start or _in_thread
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._partial_lock = threading.Lock()
        self.version = None    # the latest whole parse
        self.job = None        # the key a job is parsing for, while it runs
        self.going_whole = False
        self._partial = None

    def current(self):
        """The Version to answer from now (maybe partial, while a whole parse runs)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return Version(None, notice=errors.library_missing(self.path))
        key = (st.st_size, st.st_mtime_ns)
        with self._lock:
            while self.job is not None and self.job != key and not self.going_whole and self._quick(key):
                self._changed.wait()   # a job for the file's earlier version (writing its cache)
            if self._matches(key):
                return self.version
            start = self.job is None
            if start:
                self.job, self.going_whole = key, False
            quick = self.job == key and self._quick(key)
        if start:
            self._start(lambda: self._run(key))
        if quick:
            with self._lock:
                while self.job == key and not self.going_whole and not self._matches(key):
                    self._changed.wait()
                if self._matches(key):
                    return self.version
        return self.partial(key)

    def _matches(self, key):
        return self.version is not None and self.version.key == key

    def _quick(self, key):
        """Whether the job for key is worth waiting for: no whole parse of a big file."""
        if key[0] <= PARTIAL_OVER or key[0] > MAX_CLIPPINGS:
            return True
        head = self.version.head if self.version is not None else None
        head = head or clippings_cache.read_head(self.cache_path, self.path)
        return bool(head) and head["resume"] is not None and head["size"] <= key[0]

    # -- the job ---------------------------------------------------------------------------
    def _run(self, key):
        save = False
        try:
            version, save = self._build(key)
        except Exception as exc:   # a bug must not leave the requests waiting for ever
            log.exception("parsing %s", self.path)
            version = Version(key, notice=errors.library_unreadable(self.path, str(exc)))
        with self._lock:
            self.version, self._partial = version, None
            self._changed.notify_all()
        try:
            if save:   # still the job: no tail is fed to this parser while it is written
                clippings_cache.save(self.cache_path, version.head, version.parser)
        except (OSError, ValueError) as exc:
            log.warning("the clippings cache was not written: %s", exc)
        finally:
            with self._lock:
                self.job = None
                self._changed.notify_all()

    def _build(self, key):
        """(Version, whether to save it) for the file at key."""
        if key[0] > MAX_CLIPPINGS:
            return Version(key, notice=errors.clippings_too_large(key[0] // 2 ** 20, MAX_CLIPPINGS // 2 ** 20)), False
        try:
            with open(self.path, "rb") as f:
                raw = f.read(key[0])   # what the Kindle appends after the stat is the next version's
        except OSError as exc:
            return Version(key, notice=errors.library_unreadable(self.path, exc.strerror)), False
        base = self._base()
        if base is not None:
            got = resume(base[0], base[1], raw, key)
            if got is not None:
                return got
        if len(raw) > PARTIAL_OVER:   # the base did not fit (an edited file): don't keep them waiting
            with self._lock:
                self.going_whole = True
                self._changed.notify_all()
        return whole(raw, key, self.path), True

    def _base(self):
        """(head, parser) of the latest parse: in memory, else from the disk cache."""
        if self.version is not None and self.version.head is not None:
            return self.version.head, self.version.parser
        return clippings_cache.load(self.cache_path, self.path)

    # -- the partial answer ----------------------------------------------------------------
    def partial(self, key):
        """The newest entries alone, from the file's last PARTIAL_BYTES."""
        with self._partial_lock:
            if self._partial is not None and self._partial.key == key:
                return self._partial
            try:
                self._partial = Version(key, _newest(self.path, key[0]), partial=True)
            except OSError as exc:
                self._partial = Version(key, notice=errors.library_unreadable(self.path, exc.strerror), partial=True)
            return self._partial


def _newest(path, size):
    with open(path, "rb") as f:
        if f.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            return []   # UTF-16: cut anywhere, no separator to find; the whole parse says
        f.seek(max(0, size - PARTIAL_BYTES))
        chunk = f.read(min(size, PARTIAL_BYTES))
    if size > PARTIAL_BYTES:
        cut = chunk.find(SEP)   # the first whole entry starts after it (and on a character)
        chunk = chunk[cut + len(SEP):] if cut >= 0 else b""
    return clippings.parse(chunk.decode("utf-8", "replace"))[0]


def whole(raw, key, path):
    """The Version of the whole file's bytes."""
    encoding = "utf-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = raw.decode("utf-16", "replace"), "utf-16"
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp1252", "replace"), "cp1252"
    parser = clippings.Parser()
    head = {"path": path, "size": len(raw), "mtime_ns": key[1], "crc": zlib.crc32(raw), "encoding": encoding}
    return _fed(parser, text.split(clippings.SEPARATOR), len(raw), head, key)


def resume(head, parser, raw, key):
    """(Version, True) from a parse of the file's first head["size"] bytes and the
    tail appended since, or None when the old part changed (or is not UTF-8)."""
    old = head["size"]
    if head["encoding"] != "utf-8" or head["resume"] is None or len(raw) < old:
        return None
    view = memoryview(raw)
    crc = zlib.crc32(view[:old])
    if crc != head["crc"]:
        return None
    if len(raw) == old:   # only touched: the same bytes
        return _version(parser, dict(head, mtime_ns=key[1]), key), False
    try:
        tail = bytes(view[head["resume"]:]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    new = dict(head, size=len(raw), mtime_ns=key[1], crc=zlib.crc32(view[old:], crc))
    return _fed(parser, tail.split(clippings.SEPARATOR), len(raw), new, key), True


def _fed(parser, blocks, size, head, key):
    """Feed the entries that a separator closes; the text after the last one is fed
    too unless blank, and then the parse can't be resumed (an entry cut short, a
    file not ending as a Kindle ends it: its next version is parsed whole)."""
    parser.feed(blocks[:-1])
    rest = blocks[-1]
    if rest.strip() or head["encoding"] != "utf-8":
        parser.feed([rest])
        head["resume"] = None
    else:
        head["resume"] = size - len(rest.encode("utf-8"))
    return _version(parser, head, key)


def _version(parser, head, key):
    notice = None
    if head["encoding"] == "cp1252":
        notice = errors.clippings_encoding("My Clippings.txt")
    elif parser.skipped:
        notice = errors.clippings_skipped(parser.skipped)
    return Version(key, parser.result(), notice, parser, head)


def books(items):
    """The books of items (newest first), each with its count and latest date."""
    found, order = {}, []
    for c in items:   # newest first, so a book's first item is its latest
        k = (c["book"], c["author"])
        if k not in found:
            found[k] = {"title": c["book"], "author": c["author"], "count": 0, "last": c["added"]}
            order.append(k)
        found[k]["count"] += 1
    return [found[k] for k in order]


def _in_thread(fn):
    threading.Thread(target=fn, name="clippings-parse", daemon=True).start()

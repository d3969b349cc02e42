"""A book's plain text, read once per version of its file (size and mtime) and kept
in the data folder, so a later question reads one UTF-8 file instead of the book.

    data/books/<key>/text.txt    the plain text ("\\n\\n" between paragraphs)
    data/books/<key>/book.json   format, title, author, asin, lengths, the raw->plain checkpoints
    data/books/<key>/...         what recap.py and whoswho.py keep for the book

key = the first 16 hex digits of sha1(path, size, mtime): a book replaced or re-sent
is read again; the old folder is left to be pruned (prune()). The newest book stays
in memory (one: the Kindle has little), with its lower-cased text and paragraph
starts, for retrieval.py.

    >>> import tempfile
    >>> cache = Cache(tempfile.mkdtemp())
    >>> cache.load("/nonexistent/book.azw3").reason
    'missing'
"""
import array
import bisect
import hashlib
import json
import os
import threading

from . import retrieval
from .failures import BookError
from ..diskwrite import write_atomic

FOLDER = "books"
MAX_TEXT = 4 * 1024 * 1024    # characters of plain text read whole; a bigger book is refused (too_big)
STEP = 64                     # raw bytes between two kept checkpoints of the raw->plain map
MAX_FILE = 40 * 1024 * 1024   # bytes of a book file (images included) worth opening at all


class Book(object):
    """A readable book's text, cached: text, lowered, starts (paragraphs), meta."""

    def __init__(self, key, folder, text, meta):
        self.key, self.folder, self.text, self.meta = key, folder, text, meta
        lowered = text.lower()
        self.lowered = lowered if len(lowered) == len(text) else text
        self.starts = array.array("l", retrieval.paragraph_starts(text))
        pairs = meta.get("checkpoints") or [[0, 0]]
        self._raw = array.array("l", (p[0] for p in pairs))
        self._plain = array.array("l", (p[1] for p in pairs))

    def plain_offset(self, raw):
        """The plain-text offset of a raw-text offset, rounded down to the checkpoint at
        or before it (at most STEP raw bytes back): a bound never moves on."""
        i = bisect.bisect_right(self._raw, raw) - 1
        return min(len(self.text), self._plain[i]) if i >= 0 else 0

    def raw_offset(self, plain):
        """The raw-text offset of a plain-text offset (for pages and locations)."""
        i = bisect.bisect_right(self._plain, plain) - 1
        return self._raw[i] if i >= 0 else 0


class Cache(object):
    def __init__(self, data_dir):
        self.root = os.path.join(data_dir, FOLDER)
        self._lock = threading.Lock()
        self._current = None     # the Book read last

    @staticmethod
    def key(path):
        st = os.stat(path)
        ident = "%s\0%d\0%d" % (os.path.abspath(path), st.st_size, int(st.st_mtime))
        return hashlib.sha1(ident.encode("utf-8")).hexdigest()[:16]

    def folder(self, path):
        return os.path.join(self.root, self.key(path))

    def load(self, path):
        """The Book of path, or a BookError (returned, not raised) saying why its
        text can't be read: missing, drm, kfx, pdf, unsupported, damaged, too_big."""
        try:
            key = self.key(path)
        except OSError:
            return BookError("missing", _gone(path))
        with self._lock:
            if self._current is not None and self._current.key == key:
                return self._current
            folder = os.path.join(self.root, key)
            found = self._from_disk(key, folder)
            if found is None:
                found = self._extract(path, key, folder)
            if isinstance(found, Book):
                self._current = found
            return found

    def cached(self, path):
        """The Book of path if it was read before (in memory or on disk), else None."""
        key = self.key(path)
        with self._lock:
            if self._current is not None and self._current.key == key:
                return self._current
            found = self._from_disk(key, os.path.join(self.root, key))
            if isinstance(found, Book):
                self._current = found
            return found

    def _from_disk(self, key, folder):
        try:
            with open(os.path.join(folder, "book.json"), "rb") as f:
                meta = json.loads(f.read().decode("utf-8"))
            if meta.get("error"):
                return BookError(meta["error"]["reason"], meta["error"]["message"])
            with open(os.path.join(folder, "text.txt"), "rb") as f:
                text = f.read().decode("utf-8")
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return Book(key, folder, text, meta)

    def _extract(self, path, key, folder):
        self._current = None   # the last book's memory is free before this one is read
        try:
            if os.path.getsize(path) > MAX_FILE:
                raise BookError("too_big", _too_big(path, os.path.getsize(path)))
            text, meta = extract(path)
        except BookError as exc:
            self._keep(folder, {"error": {"reason": exc.reason, "message": exc.message}}, None)
            return exc
        except OSError:
            return BookError("missing", _gone(path))
        self._keep(folder, meta, text)
        return Book(key, folder, text, meta)

    def _keep(self, folder, meta, text):
        """On disk for next time; a data folder that is away or full only costs a re-read."""
        try:
            os.makedirs(folder, exist_ok=True)
            if text is not None:
                write_atomic(os.path.join(folder, "text.txt"), text.encode("utf-8"))
            write_atomic(os.path.join(folder, "book.json"), json.dumps(meta).encode("utf-8"))
        except OSError:
            pass


def extract(path):
    """(plain text, meta) of a book file, read by mobi_text (the reading package's
    format readers). Raises BookError."""
    from . import mobi_text
    book = mobi_text.read_text(path)
    text = book.text
    if len(text) > MAX_TEXT:
        raise BookError("too_big", _too_big(path, len(text)))
    meta = {"format": book.format, "title": book.title or "", "author": book.author or "", "asin": book.asin or "",
            "length": len(text), "raw_length": book.raw_length, "checkpoints": checkpoints(book, len(text))}
    return text, meta


def checkpoints(book, length):
    """[[raw, plain], ...] ascending: the reader's plain_offset (exact: text[:plain] is
    all the text before raw) every STEP raw bytes."""
    out, last = [], -1
    for raw in range(0, book.raw_length + STEP, STEP):
        plain = min(length, int(book.plain_offset(raw)))
        if plain != last:
            out.append([raw, plain])
            last = plain
    return out or [[0, 0]]


def _gone(path):
    from ..errors import books
    return books.book_missing(os.path.basename(path)).message


def _too_big(path, size):
    from ..errors import books
    return books.book_too_big(os.path.basename(path), size // (1024 * 1024), MAX_TEXT // (1024 * 1024)).message

"""A book's plain text, read once per version of its file (size and mtime) and kept
in the data folder, so a later question reads one UTF-8 file instead of the book.

    data/books/<key>/text.txt    the plain text ("\\n\\n" between paragraphs)
    data/books/<key>/book.json   format, title, author, asin, lengths, the raw->plain pieces
    data/books/<key>/...         what recap.py and whoswho.py keep for the book

key = the first 16 hex digits of sha1(path, size, mtime): a book replaced or re-sent
is read again, and the folders of its older versions are removed then. The newest book stays
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
import shutil
import threading

from . import retrieval
from .failures import BookError
from .markup import ATOMIC, ENCODED, IDENTITY
from ..diskwrite import write_atomic

FOLDER = "books"
MAX_TEXT = 4 * 1024 * 1024    # characters of plain text read whole; a bigger book is refused (too_big)
SAMPLE = 64                   # raw bytes between two samples of a reader that keeps no pieces
MAX_FILE = 40 * 1024 * 1024   # bytes of a book file (images included) worth opening at all


class Book(object):
    """A readable book's text, cached: text, lowered, starts (paragraphs), meta."""

    def __init__(self, key, folder, text, meta):
        self.key, self.folder, self.text, self.meta = key, folder, text, meta
        lowered = text.lower()
        self.lowered = lowered if len(lowered) == len(text) else text
        self.starts = array.array("l", retrieval.paragraph_starts(text))
        pieces = meta.get("pieces") or [[0], [0], [0], [0], [IDENTITY]]
        self._raw, self._raw_len, self._plain, self._plain_len = (array.array("l", p) for p in pieces[:4])
        self._kinds = bytes(pieces[4])
        self.encoding = meta.get("encoding") or "utf-8"

    def plain_offset(self, raw):
        """The index in text of the first character at or after raw offset raw, so text[:it]
        holds nothing from raw on: the reader's own pieces (markup.py's checkpoints) replayed."""
        i = bisect.bisect_right(self._raw, raw) - 1
        if i < 0:
            return 0
        delta, start, size = raw - self._raw[i], self._plain[i], self._plain_len[i]
        if delta >= self._raw_len[i]:
            return min(len(self.text), start + size)
        if self._kinds[i] == IDENTITY:
            return start + delta
        if self._kinds[i] == ENCODED:   # the most characters whose bytes fit in delta
            piece = self.text[start:start + size]
            lo, hi = 0, size
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if len(piece[:mid].encode(self.encoding, "replace")) <= delta:
                    lo = mid
                else:
                    hi = mid - 1
            return start + lo
        return start   # an entity: before it

    def raw_offset(self, plain):
        """The raw-text offset where plain text offset plain came from (pages, locations)."""
        i = bisect.bisect_right(self._plain, plain) - 1
        if i < 0:
            return 0
        return self._raw[i] + min(plain - self._plain[i], self._raw_len[i])


class Cache(object):
    def __init__(self, data_dir, cap=None):
        """cap: raw text bytes read whole at most (mobi_text.DEFAULT_CAP; more is too_big)."""
        self.root = os.path.join(data_dir, FOLDER)
        self.cap = cap
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
            text, meta = extract(path, self.cap)
        except BookError as exc:
            self._keep(folder, {"error": {"reason": exc.reason, "message": exc.message}}, None)
            return exc
        except OSError:
            return BookError("missing", _gone(path))
        meta["path"] = os.path.abspath(path)
        self._keep(folder, meta, text)
        self._prune(meta["path"], key)
        return Book(key, folder, text, meta)

    def _prune(self, path, key):
        """Remove the folders of path's older versions (they are never asked for again)."""
        try:
            names = os.listdir(self.root)
        except OSError:
            return
        for name in names:
            if name == key:
                continue
            try:
                with open(os.path.join(self.root, name, "book.json"), "rb") as f:
                    if json.loads(f.read().decode("utf-8")).get("path") != path:
                        continue
            except (OSError, ValueError, AttributeError):
                continue
            shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)

    def _keep(self, folder, meta, text):
        """On disk for next time; a data folder that is away or full only costs a re-read."""
        try:
            os.makedirs(folder, exist_ok=True)
            if text is not None:
                write_atomic(os.path.join(folder, "text.txt"), text.encode("utf-8"))
            write_atomic(os.path.join(folder, "book.json"), json.dumps(meta).encode("utf-8"))
        except OSError:
            pass


def extract(path, cap=None):
    """(plain text, meta) of a book file, read by mobi_text (the reading package's
    format readers). Raises BookError."""
    from . import mobi_text
    book = mobi_text.read_text(path, cap or mobi_text.DEFAULT_CAP)
    text = book.text
    if len(text) > MAX_TEXT:
        raise BookError("too_big", _too_big(path, len(text)))
    meta = {"format": book.format, "title": book.title or "", "author": book.author or "", "asin": book.asin or "",
            "length": len(text), "raw_length": book.raw_length}
    meta["pieces"], meta["encoding"] = pieces(book)
    return text, meta


def pieces(book):
    """The reader's raw->plain pieces, the checkpoints markup.py documents (raw start, raw
    length, plain start, plain length, kind), as five lists, and the text's encoding."""
    plain = getattr(book, "_plain", None)
    if plain is not None and all(hasattr(plain, n) for n in ("raw_at", "raw_len", "plain_at", "plain_len", "kinds")):
        return [list(plain.raw_at), list(plain.raw_len), list(plain.plain_at), list(plain.plain_len),
                list(plain.kinds)], plain.encoding
    # A reader that keeps no pieces: its public plain_offset every SAMPLE raw bytes, each
    # sample an "entity" piece (a position inside is rounded down to its start).
    raws = list(range(0, book.raw_length + 1, SAMPLE))
    return [raws, [SAMPLE] * len(raws), [book.plain_offset(r) for r in raws], [0] * len(raws),
            [ATOMIC] * len(raws)], "utf-8"


def _gone(path):
    from ..errors import books
    return books.book_missing(os.path.basename(path)).message


def _too_big(path, size):
    from ..errors import books
    return books.book_too_big(os.path.basename(path), size // (1024 * 1024), MAX_TEXT // (1024 * 1024)).message

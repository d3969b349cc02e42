"""The words to review, from the Vocabulary Builder's lookups (vocab.lookups, read
only): one word per language and stem, however many books it was looked up in,
with each sentence as an example. vocab.db is read again only when it (or its
-wal beside it) changed: with 5,000 words a read costs more than a review.

    >>> words = group([("en:ran", "ran", "run", "en", 0, "He ran.", "B", "", 1),
    ...                ("de:lauf", "Lauf", "lauf", "de", 100, "Ein Lauf.", "C", "", 2),
    ...                ("en:runs", "runs", "run", "en", 0, "She runs.", "A", "", 3)])
    >>> [(w["word"], w["lang"], len(w["uses"]), w["mastered"]) for w in words]
    [('runs', 'en', 2, False), ('Lauf', 'de', 1, True)]
    >>> words[0]["uses"][0]["book"], words[0]["id"] == word_id("en", "run")
    ('A', True)
"""
import hashlib
import os
import threading

from ..library import vocab
from . import snapshot

MASTERED = 100   # WORDS.category of a word marked mastered on the Kindle
MAX_USES = 5     # sentences kept a word: the newest
SAVE_AFTER = 100   # lookups read since the snapshot before it is written again (snapshot.py)


def word_id(lang, stem):
    """A short id, the same on every read: the language and the stem, lowercased."""
    key = "%s:%s" % ((lang or "").lower(), (stem or "").casefold())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def group(rows):
    """Words from lookups (vocab.lookups' rows, oldest first), newest word first; a
    word's form is its newest lookup's, its uses newest first."""
    by_id, ids = {}, {}
    add(by_id, ids, rows)
    return ordered(by_id)


def add(by_id, ids, rows):
    """Put lookups (oldest first) into the words by_id ({id: word}; ids: the id of each
    (lang, stem) met, kept to spare the hashing). One pass, no work per row beyond a
    dict look-up where it can: 5,000 words take 0.7 s on emulated ARM."""
    for _wid, word, stem, lang, category, usage, book, author, ms in rows:
        if not word:
            continue
        key = (lang, stem or word)
        wid = ids.get(key)
        if wid is None:
            wid = ids[key] = word_id(lang, stem or word)
        entry = by_id.get(wid)
        if entry is None:
            entry = by_id[wid] = {"id": wid, "lang": (lang or "").lower(), "uses": [], "mastered": True,
                                  "first": ms or 0}
        entry["word"], entry["last"] = word.strip(), ms or 0
        if category != MASTERED:
            entry["mastered"] = False
        if usage:
            usage = " ".join(usage.split())
            uses = entry["uses"]
            if usage and all(u["usage"] != usage for u in uses):
                uses.insert(0, {"word": entry["word"], "usage": usage, "book": book or "", "author": author or ""})
                del uses[MAX_USES:]


def ordered(by_id):
    words = [w for w in by_id.values() if w["word"]]
    words.sort(key=lambda w: w["last"], reverse=True)   # stable: rows came oldest first
    return words


def _stamp(path):
    """What tells a changed vocab.db: its size and time, and its -wal's."""
    out = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


class Deck:
    """The grouped words of one vocab.db. Read again when its file changes: only the
    lookups newer than the newest read when that is all that changed (a word looked
    up while reading: the common case), else all of it. With a snapshot path, the
    words are kept there between runs (snapshot.py) and a new run starts from them."""

    def __init__(self, snapshot_path=None):
        self._lock = threading.Lock()
        self._snapshot = snapshot_path
        self._reset()

    def _reset(self):
        self._key = self._print = self._path = None
        self._words, self._by_id, self._ids, self._why = [], {}, {}, None
        self._newest = -1
        self._unsaved = 0   # lookups read since the snapshot was written

    def forget(self):
        """Let the words go when a snapshot keeps them: the next read starts from it."""
        with self._lock:
            if self._snapshot:
                self._reset()

    def read(self, path, immutable=False):
        """(words newest first, {id: word}, error or None)."""
        key = (path, _stamp(path))
        with self._lock:
            if key != self._key or self._why is not None:
                if self._key is None:
                    self._restore(path)
                if not (path == self._path and self._why is None and self._more(path, immutable)):
                    self._all(path, immutable)
                self._key = key
                self._keep()
            return self._words, self._by_id, self._why

    def _all(self, path, immutable):
        print_, why = vocab.fingerprint(path, immutable)
        rows, why = vocab.lookups(path, immutable) if why is None else ([], why)
        self._by_id, self._ids = {}, {}
        add(self._by_id, self._ids, rows)
        self._words, self._why, self._print, self._path = ordered(self._by_id), why, print_, path
        self._newest = rows[-1][8] if rows else -1
        self._unsaved = SAVE_AFTER   # a whole read is always kept: _keep writes it

    def _more(self, path, immutable):
        """Read only the new lookups; False when more than that changed (then read all)."""
        print_, why = vocab.fingerprint(path, immutable)
        if why is not None or print_ is None or self._print is None:
            return False
        rows, why = vocab.lookups(path, immutable, self._newest)
        old = self._print
        if why is not None or print_[0] != old[0] + len(rows) or print_[2] != old[2] or print_[1] < old[1]:
            return False
        if rows:
            add(self._by_id, self._ids, rows)
            self._words, self._newest = ordered(self._by_id), rows[-1][8]
            self._unsaved += len(rows)
        self._print = print_
        return True

    def _restore(self, path):
        """Start from the snapshot of this vocab.db, if one was kept; _more then checks
        it against vocab.db (its stamp alone can't: FAT keeps times to 2 s)."""
        saved = snapshot.load(self._snapshot, path) if self._snapshot else None
        if saved is not None:
            self._print, self._newest, self._words = saved
            self._by_id, self._ids, self._path, self._unsaved = {w["id"]: w for w in self._words}, {}, path, 0

    def _keep(self):
        if self._snapshot and self._why is None and self._print is not None and self._unsaved >= SAVE_AFTER:
            snapshot.save(self._snapshot, self._path, self._print, self._newest, self._words)
            self._unsaved = 0

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

MASTERED = 100   # WORDS.category of a word marked mastered on the Kindle
MAX_USES = 5     # sentences kept a word: the newest


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
    up while reading: the common case), else all of it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = self._print = None
        self._words, self._by_id, self._ids, self._why = [], {}, {}, None
        self._newest = -1

    def read(self, path, immutable=False):
        """(words newest first, {id: word}, error or None)."""
        key = (path, _stamp(path))
        with self._lock:
            if key != self._key or self._why is not None:
                if not (key[0] == (self._key or (None,))[0] and self._why is None and self._more(path, immutable)):
                    self._all(path, immutable)
                self._key = key
            return self._words, self._by_id, self._why

    def _all(self, path, immutable):
        print_, why = vocab.fingerprint(path, immutable)
        rows, why = vocab.lookups(path, immutable) if why is None else ([], why)
        self._by_id, self._ids = {}, {}
        add(self._by_id, self._ids, rows)
        self._words, self._why, self._print = ordered(self._by_id), why, print_
        self._newest = rows[-1][8] if rows else -1

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
        self._print = print_
        return True

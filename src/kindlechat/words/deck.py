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
    by_id = {}
    for _wid, word, stem, lang, category, usage, book, author, ms in rows:
        word = (word or "").strip()
        if not word:
            continue
        lang = (lang or "").lower()
        key = word_id(lang, stem or word)
        entry = by_id.pop(key, None)   # popped and put back: the dict stays in newest-lookup order
        if entry is None:
            entry = {"id": key, "lang": lang, "uses": [], "mastered": True, "first": ms or 0}
        entry["word"], entry["last"] = word, ms or 0
        entry["mastered"] = entry["mastered"] and category == MASTERED
        usage = " ".join((usage or "").split())
        if usage and all(u["usage"] != usage for u in entry["uses"]):
            entry["uses"].insert(0, {"word": word, "usage": usage, "book": book or "", "author": author or ""})
            del entry["uses"][MAX_USES:]
        by_id[key] = entry
    return list(reversed(list(by_id.values())))


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
    """The grouped words of one vocab.db, read again when it changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._words, self._by_id, self._why = [], {}, None

    def read(self, path, immutable=False):
        """(words newest first, {id: word}, error or None)."""
        key = (path, _stamp(path))
        with self._lock:
            if key != self._key or self._why is not None:
                rows, why = vocab.lookups(path, immutable)
                words = group(rows)
                self._words, self._by_id, self._why = words, {w["id"]: w for w in words}, why
                self._key = key
            return self._words, self._by_id, self._why

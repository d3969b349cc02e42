"""The Vocabulary Builder's vocab.db: every word looked up, the sentence it was in
and the book. Tables (as public exporters read them): WORDS(id, word, stem, lang,
category, timestamp), LOOKUPS(id, word_key -> WORDS.id, book_key -> BOOK_INFO.id,
dict_key, pos, usage, timestamp), BOOK_INFO(id, asin, guid, lang, title, authors).
Timestamps are milliseconds since 1970.

    >>> words("/nonexistent/vocab.db", 10)[1].code
    'library_missing'
"""
import time

from . import kindledb

SQL = ("SELECT w.word, w.stem, w.lang, l.usage, b.title, b.authors, l.timestamp "
       "FROM LOOKUPS l JOIN WORDS w ON l.word_key = w.id LEFT JOIN BOOK_INFO b ON l.book_key = b.id "
       "ORDER BY l.timestamp DESC LIMIT ?")
# Every lookup, for the reviews (words/deck.py groups them into words): WORDS.category
# is 100 for a word the reader marked mastered in the Vocabulary Builder, 0 learning.
ALL_SQL = ("SELECT w.id, w.word, w.stem, w.lang, w.category, l.usage, b.title, b.authors, l.timestamp "
           "FROM LOOKUPS l JOIN WORDS w ON l.word_key = w.id LEFT JOIN BOOK_INFO b ON l.book_key = b.id "
           "WHERE l.timestamp > ? ORDER BY l.timestamp")
# What tells a vocab.db that only gained lookups from one changed otherwise (a word
# deleted, or marked mastered): the lookups, the words, and their categories added up.
FINGERPRINT_SQL = ("SELECT (SELECT count(*) FROM LOOKUPS), (SELECT count(*) FROM WORDS), "
                   "(SELECT total(category) FROM WORDS)")


def when(ms):
    """ISO 8601 in UTC from a millisecond timestamp, or None.

        >>> when(1700000000000)
        '2023-11-14T22:13:20Z'
    """
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ms) / 1000.0)) if ms else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def words(path, limit, immutable=False):
    """([{"word", "stem", "lang", "usage", "book", "author", "when"}] newest first, error or None)."""
    rows, why = kindledb.query(path, SQL, (int(limit),), immutable)
    return [{"word": r[0] or "", "stem": r[1] or r[0] or "", "lang": r[2] or "", "usage": (r[3] or "").strip(),
             "book": r[4] or "", "author": r[5] or "", "when": when(r[6])} for r in rows], why


def lookups(path, immutable=False, after=-1):
    """([(word id, word, stem, lang, category, usage, book, author, ms)] oldest first,
    error or None): every lookup, as vocab.db has it (those later than `after` ms)."""
    rows, why = kindledb.query(path, ALL_SQL, (after,), immutable)
    return [tuple(r) for r in rows], why


def fingerprint(path, immutable=False):
    """((lookups, words, categories' sum), error or None)."""
    rows, why = kindledb.query(path, FINGERPRINT_SQL, (), immutable)
    return (tuple(rows[0]) if rows else None), why

"""The Kindle's own SQLite files, read-only and briefly: vocab.db (the Vocabulary
Builder) and cc.db (the library). The Kindle's apps write them while we read, so
each read opens, queries and closes at once, with a short busy timeout.

    >>> rows, why = query("/nonexistent/vocab.db", "SELECT 1")
    >>> rows, why.code
    ([], 'library_missing')

sqlite3 is imported here, lazily: some Kindle Pythons are built without it, and
the rest of the server must still start (errors.no_sqlite says so in plain words).
"""
import os
from urllib.parse import quote

from .. import errors

BUSY_TIMEOUT = 0.5   # seconds: a write by the Kindle's own app wins; we say "busy, try again"


def _sqlite():
    try:
        import sqlite3
    except ImportError:
        return None
    return sqlite3


def connect(path, immutable=False):
    """A read-only connection (URI mode=ro: no write can happen through it). With
    immutable=1 SQLite takes no locks and reads no journal: only safe for a file
    nothing writes, such as the demo's sample, or one on a read-only mount."""
    sqlite3 = _sqlite()
    uri = "file:%s?mode=ro%s" % (quote(os.path.abspath(path)), "&immutable=1" if immutable else "")
    con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False)
    # cc.db declares columns COLLATE icu, an extension plain SQLite lacks; a stand-in
    # keeps any statement that touches them from failing ("no such collation sequence").
    con.create_collation("icu", lambda a, b: (a > b) - (a < b))
    return con


def query(path, sql, params=(), immutable=False):
    """(rows, None) or ([], error value): never raises for a missing, locked,
    damaged or foreign file."""
    sqlite3 = _sqlite()
    if sqlite3 is None:
        return [], errors.no_sqlite()
    if not os.path.isfile(path):
        return [], errors.library_missing(path)
    try:
        con = connect(path, immutable)
        try:
            return con.execute(sql, params).fetchall(), None
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return [], errors.library_busy(path)
        if "no such table" in text or "no such column" in text:
            return [], errors.library_schema(path)
        return [], errors.library_unreadable(path, exc)
    except sqlite3.DatabaseError as exc:   # not a database, or damaged
        return [], errors.library_unreadable(path, exc)


def columns(path, table, immutable=False):
    rows, why = query(path, "PRAGMA table_info(%s)" % table, immutable=immutable)
    return {r[1] for r in rows}, why

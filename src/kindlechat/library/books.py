"""The Kindle's library database (/var/local/cc.db): the books last opened and how
far the reader got. Its Entries table, as kindle.koplugin (lua/ccdb_scanner.lua)
reads it: p_type ('Entry:Item' is a book), p_titles_0_nominal (title), j_credits
(JSON: [{"name": {"display": ...}, "kind": "Author"}]), p_percentFinished (0..100),
p_lastAccess (seconds since 1970), p_lastAccessedPosition.

    >>> recent("/nonexistent/cc.db", 5)[1].code
    'library_missing'
"""
import json
import time

from . import kindledb

NEEDED = {"p_type", "p_titles_0_nominal", "p_lastAccess"}


def author_of(credits):
    """The first author's display name from j_credits.

        >>> author_of('[{"name": {"display": "Jane Austen"}, "kind": "Author"}]')
        'Jane Austen'
    """
    try:
        items = json.loads(credits or "[]")
    except ValueError:
        return ""
    names = [c.get("name", {}).get("display", "") for c in items if isinstance(c, dict) and isinstance(c.get("name"), dict)]
    return ", ".join(n for n in names if n)


def recent(path, limit, immutable=False):
    """([{"title", "author", "progress", "last_opened", "position"}] most recent first, error or None)."""
    have, why = kindledb.columns(path, "Entries", immutable)
    if why is not None:
        return [], why
    if not NEEDED <= have:
        from .. import errors
        return [], errors.library_schema(path)
    pick = ["p_titles_0_nominal", "j_credits" if "j_credits" in have else "''",
            "p_percentFinished" if "p_percentFinished" in have else "NULL", "p_lastAccess",
            "p_lastAccessedPosition" if "p_lastAccessedPosition" in have else "NULL"]
    sql = ("SELECT %s FROM Entries WHERE p_type = 'Entry:Item' AND p_lastAccess > 0 "
           "ORDER BY p_lastAccess DESC LIMIT ?" % ", ".join(pick))
    rows, why = kindledb.query(path, sql, (int(limit),), immutable)
    return [_book(r) for r in rows if r[0]], why


def _book(row):
    title, credits, percent, last, position = row
    try:
        progress = max(0.0, min(1.0, float(percent) / 100.0)) if percent is not None else None
    except (TypeError, ValueError):
        progress = None
    try:
        opened = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(last)))
    except (TypeError, ValueError, OverflowError, OSError):
        opened = None
    return {"title": title, "author": author_of(credits), "progress": progress,
            "last_opened": opened, "position": position or ""}

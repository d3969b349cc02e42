"""The Kindle's library database (/var/local/cc.db): the books last opened and how
far the reader got. Its Entries table, as kindle.koplugin (lua/ccdb_scanner.lua)
reads it: p_type ('Entry:Item' is a book), p_titles_0_nominal (title), j_credits
(JSON: [{"name": {"display": ...}, "kind": "Author"}]), p_percentFinished (0..100),
p_lastAccess (seconds since 1970), p_lastAccessedPosition.

reading/shelf.py lists the books from it; here are the values its columns need read.
"""
import json
import time



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


def progress_of(percent):
    """p_percentFinished (0..100) as 0..1, or None.

        >>> progress_of(62.5), progress_of(None), progress_of("x")
        (0.625, None, None)
    """
    try:
        return max(0.0, min(1.0, float(percent) / 100.0)) if percent is not None else None
    except (TypeError, ValueError):
        return None


def opened_of(last):
    """(ISO 8601 UTC, seconds) of p_lastAccess, or (None, 0) for a value that is none."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(last))), int(last)
    except (TypeError, ValueError, OverflowError, OSError):
        return None, 0

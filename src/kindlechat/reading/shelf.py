"""Which entries of cc.db are books, and where their files and sidecars are.

cc.db's Entries lists everything the Home screen shows as p_type 'Entry:Item': books,
but also the KUAL launcher (documents/KUAL.kual, a PDOC), scriptlets (.sh), apps,
dictionaries and periodicals; collections are another p_type. A book here is an
Entry:Item whose file has a book's extension, that is not a dictionary (they live in
documents/dictionaries/) and whose cdeType is not a periodical's or an app's.
p_cdeType values: EBOK store book, EBSP sample, PDOC personal document, MAGZ/NWPR
periodicals, AUDI audible (the Kindle's "Content Types", as calibre's kindle driver
and kindle.koplugin's ccdb_scanner.lua read them).

    >>> is_book("/mnt/us/documents/KUAL.kual", "PDOC"), is_book("/mnt/us/documents/Emma.azw3", "PDOC")
    (False, True)
    >>> is_book("/mnt/us/documents/dictionaries/Oxford.azw", "EBOK"), is_book("/mnt/us/documents/x.mobi", "MAGZ")
    (False, False)
    >>> sidecar_dir("/r/documents/Emma.azw3")
    '/r/documents/Emma.sdr'
"""
import hashlib
import os

from ..library import books as books_mod, kindledb

KINDLE_ROOT = "/mnt/us"
BOOK_EXTENSIONS = (".mobi", ".azw", ".azw3", ".prc", ".pobi", ".kfx", ".azw8", ".pdf", ".txt", ".azw4")
NOT_BOOKS = ("MAGZ", "NWPR", "NEWS", "AUDI", "APPL", "DICT")
NEEDED = {"p_type", "p_titles_0_nominal", "p_lastAccess", "p_location"}
OPTIONAL = ("j_credits", "p_percentFinished", "p_cdeType", "p_uuid", "p_mimeType")


def is_book(location, cde_type):
    low = (location or "").lower().replace("\\", "/")
    if not low.endswith(BOOK_EXTENSIONS):
        return False
    if "/dictionaries/" in low or (cde_type or "").upper() in NOT_BOOKS:
        return False
    return True


def sidecar_dir(path):
    """<book>.sdr beside the book, as the Kindle names it (the extension replaced)."""
    return os.path.splitext(path)[0] + ".sdr"


def book_id(location):
    """A short stable id from the book's path on the Kindle (p_uuid differs per device
    and may be absent in a copied cc.db)."""
    return hashlib.sha1((location or "").encode("utf-8")).hexdigest()[:12]


def local_path(location, root):
    """The book's file under root (library_dir): cc.db names it under /mnt/us."""
    loc = location or ""
    if loc.startswith(KINDLE_ROOT + "/"):
        return os.path.join(root, *loc[len(KINDLE_ROOT) + 1:].split("/"))
    return loc


def entries(cc_db, root, limit, immutable=False):
    """([{"id", "title", "author", "progress", "last_opened", "last_access", "location",
    "path", "sdr"}] most recently opened first, error or None): books only."""
    have, why = kindledb.columns(cc_db, "Entries", immutable)
    if why is not None:
        return [], why
    if not NEEDED <= have:
        from .. import errors
        return [], errors.library_schema(cc_db)
    pick = ["p_titles_0_nominal", "p_location", "p_lastAccess"] + [c if c in have else "NULL" for c in OPTIONAL]
    sql = ("SELECT %s FROM Entries WHERE p_type = 'Entry:Item' AND p_lastAccess > 0 "
           "ORDER BY p_lastAccess DESC" % ", ".join(pick))
    rows, why = kindledb.query(cc_db, sql, (), immutable)
    found = []
    for title, location, last, credits, percent, cde, _uuid, _mime in rows:
        if not title or not is_book(location, cde):
            continue
        found.append(_entry(title, location, last, credits, percent, root))
        if len(found) >= limit:
            break
    return found, why


def _entry(title, location, last, credits, percent, root):
    progress = books_mod.progress_of(percent)
    opened, last = books_mod.opened_of(last)
    path = local_path(location, root)
    ext = os.path.splitext(location)[1].lower().lstrip(".")
    return {"id": book_id(location), "title": title, "author": books_mod.author_of(credits),
            "progress": progress, "last_opened": opened, "last_access": last, "format": ext,
            "path": path, "sdr": sidecar_dir(path)}

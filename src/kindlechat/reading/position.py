"""Where the reader is in a book: the newest `lpr` of its sidecar folder (krds.py),
else cc.db's percent; mapped to the plain text (the bound no request passes), to the
printed page where an .apnx exists, else to the Kindle's location (offset/150+1).

    >>> p = resolve({"progress": 0.5, "sdr": "/nonexistent.sdr"}, None)
    >>> p["from"], p["percent"], p["offset"], p["page"]
    ('library', 50.0, None, None)
"""
import glob
import os


LOCATION_BYTES = 150   # calibre devices/kindle/bookmark.py MAGIC_MOBI_CONSTANT


def resolve(entry, book, notices=None):
    """{"offset" (plain text), "raw", "percent", "page", "location", "from"} of the
    book entry (shelf.entries) and its Book (bookindex) or None when its text can't be
    read. notices: a list that gets the error values met on the way (a sidecar cut
    short, no sidecar, a page map unreadable, a position past the end)."""
    notices = notices if notices is not None else []
    raw, form = _sidecar(entry["sdr"], notices)
    if raw is not None and form == "mobi" and book is not None and book.meta.get("format") == "KF8":
        return _hybrid(entry, book, raw)   # a hybrid read as KF8, placed by a MOBI6 offset
    length = len(book.text) if book is not None else 0
    raw_length = int(book.meta.get("raw_length") or 0) if book is not None else 0
    out = {"offset": None, "raw": None, "percent": None, "page": None, "location": None, "from": "library"}
    if raw is not None:
        out["from"], out["raw"] = "sidecar", raw
        if raw_length and raw > raw_length:
            from .. import errors
            notices.append(errors.position_past_end(entry.get("title") or "the book"))
            raw = out["raw"] = raw_length
        if book is not None:
            out["offset"] = book.plain_offset(raw)
        if raw_length:
            out["percent"] = round(100.0 * raw / raw_length, 1)
    elif entry.get("progress") is not None and book is not None:
        out["offset"] = int(length * entry["progress"])
        out["raw"] = book.raw_offset(out["offset"])
    if out["percent"] is None and entry.get("progress") is not None:
        out["percent"] = round(entry["progress"] * 100.0, 1)
    if out["raw"] is not None:
        out["location"] = out["raw"] // LOCATION_BYTES + 1
        out["page"] = _page(entry["sdr"], out["raw"], notices)
    return out


def _hybrid(entry, book, mobi_raw):
    from . import hybrid
    plain, mobi_length = hybrid.mobi6_to_plain(entry["path"], mobi_raw, book)
    if plain is None:
        plain = 0
    raw = book.raw_offset(plain)
    return {"offset": plain, "raw": raw, "from": "sidecar", "location": raw // LOCATION_BYTES + 1,
            "percent": round(100.0 * min(mobi_raw, mobi_length or 1) / (mobi_length or 1), 1),
            "page": _page(entry["sdr"], raw, [])}


def label(pages, raw):
    """What a passage at raw is called in a request: its printed page, else its location."""
    page = pages.page_for(raw) if pages is not None else None
    return ("p. %s" % page) if page else "loc. %d" % (raw // LOCATION_BYTES + 1)


def page_map(sdr, notices=None):
    """The book's page map: its .apnx, else the copy in the "r" sidecar (apnx.key), else None."""
    from . import apnx, krds
    found = apnx.find_apnx(sdr)
    if found is not None:
        try:
            return apnx.read_apnx(found)
        except apnx.ApnxError as exc:
            if notices is not None:
                notices.append(exc.error)
    for name in sorted(glob.glob(os.path.join(glob.escape(sdr), "*"))):
        if name.endswith((".azw3r", ".mbp1", ".yjr")):
            try:
                with open(name, "rb") as f:
                    pages = apnx.from_sidecar(krds.parse(f.read(1 << 22)))
            except (OSError, ValueError):
                continue
            if pages is not None:
                return pages
    return None


def _page(sdr, raw, notices):
    pages = page_map(sdr, notices)
    return pages.page_for(raw) if pages is not None else None


def _sidecar(sdr, notices):
    """The raw offset of the newest lpr in sdr (krds.find_position), or None (notices:
    why). A KFX anchor is no offset into a text read here: the percent is used."""
    if not os.path.isdir(sdr):
        return None, None
    from . import krds
    found, why = krds.find_position(sdr)
    if why is not None:
        notices.append(why)
    if found is None or getattr(found, "form", "") == "kfx":
        return None, None
    return _offset(found), getattr(found, "form", None)


def _offset(found):
    """krds.read_position's answer as a raw offset: an int, or an object/tuple holding one."""
    if found is None:
        return None
    for attr in ("offset", "raw"):
        if hasattr(found, attr):
            found = getattr(found, attr)
            break
    if isinstance(found, (tuple, list)):
        found = found[0] if found else None
    try:
        return max(0, int(found))
    except (TypeError, ValueError):
        return None

"""Who's who, spoiler-safe: the book's X-Ray database, `XRAY.entities.<ASIN>.asc`
in its `.sdr/` folder (Amazon sends one with store books; WordDumb makes them for
sideloaded ones). FORMATS.md section 5 gives the schema (WordDumb database.py,
xray-builder's BaseDB.sql, a real Amazon file). Reading it touches no DRM.

Contract:
- find_xray(sdr_dir) -> the .asc path, or None.
- read_xray(path, position, name=None) -> (XRay | None, error value | None):
  only the entities with an occurrence that ends at or before `position` (a raw
  offset on the book's own scale: MOBI6 raw bytes; `erl` is the text's end), so
  nothing the reader has not met yet is named. With `name`, only the entities
  whose label matches it (a later character stays unnamed: an empty list).
  Each Entity: .id, .label, .kind ("person" | "term"), .description (the X-Ray's
  own text; it may say more than the book so far, as on the Kindle), .first (the
  first occurrence's offset), .mentions (occurrences up to the position),
  .excerpts [(start, length), ...] of the X-Ray's excerpts that end by the
  position (the DB holds offsets only: the text comes from the book).
  XRay: .entities (most mentioned first), .srl, .erl, .path.
- A missing, locked, foreign or damaged file gives (None, plain words); never raises.
- A KFX book's X-Ray counts KFX positions, the scale of the trailing integer of
  its sidecar's lpr (krds.Position.offset of form "kfx"; WordDumb's x-ray_db doc):
  who's who then works for a store book whose text can't be read (DRM or KFX),
  with descriptions but no excerpt text.

The file is opened read-only (URI mode=ro), briefly, with a short busy timeout;
sqlite3 is imported lazily (some Kindle Pythons lack it), as in kindledb.py,
whose connect is not reused: its words are the library's, these are X-Ray's.

    >>> read_xray("/nonexistent/XRAY.entities.B0.asc", 100)[1].code
    'xray_missing'
"""
import os
from collections import namedtuple
from urllib.parse import quote

from ..errors import books as words

BUSY_TIMEOUT = 0.5
KINDS = {1: "person", 2: "term"}

Entity = namedtuple("Entity", "id label kind description first mentions excerpts")
XRay = namedtuple("XRay", "entities srl erl path")

ENTITIES = """
SELECT e.id, e.label, e.type, d.text, MIN(o.start), SUM(o.start + o.length <= :pos)
FROM entity e JOIN occurrence o ON o.entity = e.id
LEFT JOIN entity_description d ON d.entity = e.id
WHERE e.id != 0
GROUP BY e.id
HAVING MIN(o.start + o.length) <= :pos
ORDER BY SUM(o.start + o.length <= :pos) DESC, MIN(o.start)"""
EXCERPTS = """
SELECT ee.entity, x.start, x.length FROM entity_excerpt ee JOIN excerpt x ON x.id = ee.excerpt
WHERE x.start + x.length <= :pos ORDER BY x.start"""


def find_xray(sdr_dir):
    try:
        names = sorted(n for n in os.listdir(sdr_dir) if n.startswith("XRAY.entities.") and n.endswith(".asc"))
    except (OSError, TypeError):
        return None
    return os.path.join(sdr_dir, names[0]) if names else None


def _sqlite():
    try:
        import sqlite3
    except ImportError:
        return None
    return sqlite3


def read_xray(path, position, name=None):
    label = os.path.basename(path or "")
    sqlite3 = _sqlite()
    if sqlite3 is None:
        return None, words.xray_unreadable(label, "this Python has no sqlite3")
    if not path or not os.path.isfile(path):
        return None, words.xray_missing(label or "XRAY.entities.*.asc")
    try:
        con = sqlite3.connect("file:%s?mode=ro" % quote(os.path.abspath(path)), uri=True,
                              timeout=BUSY_TIMEOUT, check_same_thread=False)
        try:
            return _read(con, path, position, name), None
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return None, words.xray_busy(label)
        if "no such table" in text or "no such column" in text:
            return None, words.xray_foreign(label)
        return None, words.xray_unreadable(label, exc)
    except sqlite3.DatabaseError as exc:        # not a database, or damaged
        return None, words.xray_unreadable(label, exc)


def _read(con, path, position, name):
    srl, erl = (con.execute("SELECT srl, erl FROM book_metadata").fetchone() or (None, None))
    pos = {"pos": int(position)}
    excerpts = {}
    for entity, start, length in con.execute(EXCERPTS, pos):
        excerpts.setdefault(entity, []).append((start, length))
    wanted = " ".join((name or "").lower().split())
    out = []
    for eid, label, kind, description, first, mentions in con.execute(ENTITIES, pos):
        if wanted and not _matches(wanted, (label or "").lower()):
            continue
        out.append(Entity(eid, label or "", KINDS.get(kind, "term"), description or "", first, mentions,
                          excerpts.get(eid, [])))
    return XRay(out, srl, erl, path)


def _matches(wanted, label):
    """"vin" finds "Vin"; "lord ruler" finds "The Lord Ruler"; "kelsier" in "who is kelsier"."""
    return wanted == label or wanted in label.split() or label in wanted.split() or \
        (len(wanted) > 3 and wanted in label) or (len(label) > 3 and label in wanted)

"""Printed page numbers: the `.apnx` page map in a book's `.sdr/` folder (calibre
writes one when it sends a book; FORMATS.md section 4, from calibre's
devices/kindle/apnx.py and mattbnz/kindle-utils apnx_parser.py), or the copy the
Kindle keeps in the "r" sidecar as `apnx.key`. Without either, the Kindle shows
locations: location_for(offset) = offset // 150 + 1 (calibre
devices/kindle/bookmark.py, MAGIC_MOBI_CONSTANT).

Contract:
- read_apnx(path) -> PageMap, or raises ApnxError (a ValueError; .error is the
  plain words of errors/books.py) for a file cut short or not an APNX.
- from_sidecar(sidecar) -> PageMap | None: the `apnx.key` object of a parsed "r"
  sidecar (reading.krds.parse).
- find_apnx(sdr_dir) -> the .apnx path in the folder, or None.
- PageMap.page_for(offset) -> the printed label of the page holding `offset`
  (a position on the same scale as lpr: MOBI6 raw bytes, KF8 text offsets);
  None before the first page. .count, .positions, .page_map ("(1,a,1),(9,r,1)").

    >>> pm = PageMap([0, 2300, 4600, 6900], "(1,r,1),(3,a,1)")
    >>> [pm.page_for(x) for x in (0, 2299, 2300, 5000, 10 ** 6)]
    ['i', 'i', 'ii', '1', '2']
    >>> location_for(0), location_for(150), location_for(753939)
    (1, 2, 5027)
"""
import bisect
import json
import os
import re
import struct

from ..errors import books as words

GROUP = re.compile(r"\((\d+),([a-z]),([^)]*)\)")
LOCATION_BYTES = 150


def location_for(offset):
    return max(0, offset) // LOCATION_BYTES + 1


class ApnxError(ValueError):
    def __init__(self, name, detail):
        ValueError.__init__(self, detail)
        self.error = words.apnx_unreadable(name, detail)


class PageMap:
    def __init__(self, positions, page_map="(1,a,1)", asin=""):
        self.positions, self.page_map, self.asin = list(positions), page_map or "(1,a,1)", asin
        self.count = len(self.positions)
        self.groups = [(int(s), kind, first) for s, kind, first in GROUP.findall(self.page_map)] or [(1, "a", "1")]

    def ordinal_for(self, offset):
        """1-based page ordinal of the page holding offset (0 before the first)."""
        return bisect.bisect_right(self.positions, offset)

    def page_for(self, offset):
        ordinal = self.ordinal_for(offset)
        return self.label(ordinal) if ordinal else None

    def label(self, ordinal):
        start, kind, first = self.groups[0]
        for group in self.groups:
            if group[0] <= ordinal:
                start, kind, first = group
        step = ordinal - start
        if kind == "c":
            labels = first.split("|")
            return labels[step] if step < len(labels) else str(ordinal)
        number = (int(first) if first.isdigit() else 1) + step
        return _roman(number) if kind == "r" and 0 < number < 5000 else str(number)


def read_apnx(path):
    name = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            data = f.read(1 << 22)      # 4 MB: a million pages' positions
        at, content = struct.unpack_from(">II", data, 4)
        asin = ""
        try:
            asin = json.loads(data[12:12 + content].decode("utf-8")).get("asin", "")
        except (ValueError, AttributeError):
            pass
        _, size, count, bits = struct.unpack_from(">HHHH", data, at)
        if bits != 32:
            raise ApnxError(name, "positions of %d bits" % bits)
        page_json = json.loads(data[at + 8:at + 8 + size].decode("utf-8"))
        first = at + 8 + size
        if first + 4 * count > len(data):
            raise ApnxError(name, "cut short")
        positions = struct.unpack_from(">%dI" % count, data, first)
        return PageMap(positions, page_json.get("pageMap", "(1,a,1)"), asin)
    except ApnxError:
        raise
    except (OSError, struct.error, ValueError, AttributeError) as exc:
        raise ApnxError(name, exc) from None


def from_sidecar(sidecar):
    """apnx.key: utf asin, utf cdeType, bool, int n+1, the n+1 positions (a leading 0
    makes them 1-based), int first, int last, int last, utf pageMap."""
    obj = sidecar.find("apnx.key")
    if obj is None:
        return None
    values = [v for _, v in obj.values]
    try:
        n = values[3]
        positions = values[4:4 + n]
        page_map = values[4 + n + 3]
        if len(positions) != n or not all(isinstance(p, int) for p in positions):
            return None
        return PageMap(positions[1:], page_map if isinstance(page_map, str) else None, values[0] or "")
    except (IndexError, TypeError):
        return None


def find_apnx(sdr_dir):
    try:
        names = sorted(n for n in os.listdir(sdr_dir) if n.lower().endswith(".apnx"))
    except (OSError, TypeError):
        return None
    return os.path.join(sdr_dir, names[0]) if names else None


def _roman(number):
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + letters, number - value
    return out

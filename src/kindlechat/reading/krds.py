"""The reader's sidecars: the KRDS files the Kindle's reader keeps in a book's
`<book>.sdr/` folder (`.mbs`/`.mbp1` for MOBI, `.azw3f`/`.azw3r` for AZW3,
`.yjf`/`.yjr` for KFX and PDF). FORMATS.md sections 2-3 give the format, from
K-R-D-S/KRDS krds.py, midrare/krdsrw and willemml/serde_krds, checked here on ten
real sidecars.

Contract:
- parse(data) -> Sidecar: .objects, a list of Obj(name, values) in the file's
  order; each value a (type code, python value) pair, an object's value an Obj,
  an empty string None. Obj.plain() gives plain Python values. Raises KrdsError
  (a ValueError) for a file that is not KRDS or is cut short; parse(data,
  salvage=True) keeps the objects read before a cut instead.
- read_position(sdr_dir) -> Position | None: the newest sidecar's `lpr` (and
  `fpr`). find_position(sdr_dir) -> (Position | None, error value | None) says
  why not in plain words (errors/books.py). Never raises for a missing folder,
  a folder without a sidecar, or a sidecar cut short (an older one is tried).
- Position: .offset (int); .form: "mobi" (`P:P2:N:<base64>`, the first field, a
  byte offset into the MOBI6 raw text; for a hybrid read_text(form="mobi")),
  "kf8" (a plain decimal, an offset into the KF8 text) or "kfx" (`<anchor>:<int>`,
  KFX/PDF: no text to read, but the int is on the scale of a KFX book's X-Ray;
  .anchor = (eid, char offset)); .furthest (fpr's offset or None); .time_ms;
  .path (the sidecar read); .raw (the string stored).

    >>> parse_position("1668492:1668492:835:REFUQQ").offset, parse_position("694646").form
    (1668492, 'kf8')
    >>> p = parse_position("Ad0GAAAAAAAA:3196"); p.form, p.offset, p.anchor
    ('kfx', 3196, (1757, 0))
    >>> parse(b"\\x00\\x00\\x00\\x00\\x00\\x1a\\xb1\\x26\\x02")
    Traceback (most recent call last):
    kindlechat.reading.krds.KrdsError: the sidecar is cut short
"""
import base64
import binascii
import os
import struct
from collections import namedtuple

from ..errors import books as words

MAGIC = b"\x00\x00\x00\x00\x00\x1a\xb1\x26"
BOOL, INT, LONG, UTF, DOUBLE, SHORT, FLOAT, BYTE, CHAR = 0, 1, 2, 3, 4, 5, 6, 7, 9
OBJECT, END = -2, -1
FIXED = {BOOL: ">?", INT: ">i", LONG: ">q", DOUBLE: ">d", SHORT: ">h", FLOAT: ">f", BYTE: ">b", CHAR: ">B"}
MAX_DEPTH = 64
MAX_SIDECAR = 1 << 24    # bytes read of one sidecar (real ones: under 100 KB, annotations and all)
NOT_SIDECARS = (".tmp", ".apnx", ".asc", ".db", ".jpg", ".png")

Position = namedtuple("Position", "offset form furthest time_ms path raw anchor")


class KrdsError(ValueError):
    pass


class Obj:
    __slots__ = ("name", "values")

    def __init__(self, name, values):
        self.name, self.values = name, values

    def plain(self):
        return {self.name: [v.plain() if t == OBJECT else v for t, v in self.values]}

    def first(self, code):
        return next((v for t, v in self.values if t == code), None)

    def __repr__(self):
        return "Obj(%r, %r)" % (self.name, self.values)


class Sidecar:
    def __init__(self, objects, complete=True):
        self.objects, self.complete = objects, complete

    def find(self, name):
        return next((o for o in self.objects if o.name == name), None)


class _Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise KrdsError("the sidecar is cut short")
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def utf(self):
        if self.take(1) == b"\x01":
            return None
        size, = struct.unpack(">H", self.take(2))
        try:
            return self.take(size).decode("utf-8")
        except UnicodeDecodeError:
            raise KrdsError("a sidecar string is not UTF-8") from None

    def value(self, depth=0):
        code, = struct.unpack(">b", self.take(1))
        if code == OBJECT:
            return OBJECT, self.obj(depth + 1)
        if code == UTF:
            return UTF, self.utf()
        fmt = FIXED.get(code)
        if fmt is None:
            raise KrdsError("unknown sidecar value type %d" % code)
        return code, struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def obj(self, depth):
        if depth > MAX_DEPTH:
            raise KrdsError("sidecar objects nest too deep")
        name, values = self.utf() or "", []
        while True:
            if self.take(1) == b"\xff":
                return Obj(name, values)
            self.at -= 1
            values.append(self.value(depth))


def parse(data, salvage=False):
    if data[:8] != MAGIC:
        raise KrdsError("not a KRDS sidecar")
    r = _Reader(data)
    r.at = 8
    objects = []
    try:
        if r.value() != (LONG, 1):
            raise KrdsError("an unknown KRDS version")
        code, count = r.value()
        if code != INT or count < 0:
            raise KrdsError("the sidecar's object count is missing")
        for _ in range(count):
            if r.take(1) != b"\xfe":
                raise KrdsError("a sidecar object is damaged")
            objects.append(r.obj(1))
    except KrdsError:
        if not salvage or not objects:
            raise
        return Sidecar(objects, complete=False)
    return Sidecar(objects)


def parse_position(raw):
    """A position string as the reader stores it -> Position (path, times unset), or None."""
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return Position(int(raw), "kf8", None, None, None, raw, None)
    fields = raw.split(":", 3)       # the MOBI form's base64 holds line breaks: no split()
    if len(fields) >= 3 and fields[0].isdigit():
        return Position(int(fields[0]), "mobi", None, None, None, raw, None)
    if len(fields) == 2 and fields[1].strip().isdigit():
        anchor = None
        try:
            blob = base64.b64decode(fields[0])
            if len(blob) == 9:
                anchor = struct.unpack("<II", blob[1:9])     # eid, char offset (little-endian)
        except (binascii.Error, ValueError):
            pass
        return Position(int(fields[1]), "kfx", None, None, None, raw, anchor)
    return None


def _from_sidecar(sidecar, path):
    lpr = sidecar.find("lpr")
    if lpr is None:
        return None
    pos = parse_position(lpr.first(UTF))
    if pos is None:
        return None
    fpr = sidecar.find("fpr")
    furthest = parse_position(fpr.first(UTF)) if fpr is not None else None
    return pos._replace(furthest=furthest.offset if furthest else None, time_ms=lpr.first(LONG), path=path)


def _candidates(sdr_dir):
    """Sidecar-looking files of the folder, newest first."""
    found = []
    for name in os.listdir(sdr_dir):
        path = os.path.join(sdr_dir, name)
        if name.lower().endswith(NOT_SIDECARS) or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as f:
                if f.read(8) != MAGIC:
                    continue
            found.append((os.path.getmtime(path), path))
        except OSError:
            continue
    return [p for _, p in sorted(found, reverse=True)]


def find_position(sdr_dir):
    """(Position, None) from the newest sidecar that holds an lpr, or (None, why)."""
    if not sdr_dir or not os.path.isdir(sdr_dir):
        return None, words.no_sidecar(os.path.basename(sdr_dir or "") or "the book's folder")
    problem = None
    for path in _candidates(sdr_dir):
        try:
            with open(path, "rb") as f:
                sidecar = parse(f.read(MAX_SIDECAR), salvage=True)
        except (OSError, KrdsError) as exc:
            problem = problem or words.sidecar_unreadable(os.path.basename(path), exc)
            continue
        pos = _from_sidecar(sidecar, path)
        if pos is not None:
            return pos, None
        if not sidecar.complete:
            problem = problem or words.sidecar_unreadable(os.path.basename(path), "cut short")
    return None, problem or words.no_sidecar(os.path.basename(sdr_dir.rstrip(os.sep)))


def read_position(sdr_dir):
    return find_position(sdr_dir)[0]

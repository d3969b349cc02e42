"""The PalmDB container every MOBI, AZW3 and PalmDOC book is, read one record at a
time from an open file: the record list, and record 0's PalmDOC + MOBI header and
EXTH (FORMATS.md section 1, from the MobileRead wiki's "MOBI" page and KindleUnpack
mobi_header.py; all integers big-endian). A header that contradicts itself raises
Damaged (a ValueError), never anything else.

    >>> import io, struct
    >>> rec0 = struct.pack(">HHIHHH", 1, 0, 5, 1, 4096, 0) + b"\\0\\0"
    >>> body = rec0 + b"hello"
    >>> head = b"demo".ljust(32, b"\\0") + bytes(28) + b"TEXtREAd" + bytes(8) + struct.pack(">H", 2)
    >>> head += struct.pack(">II", 96, 0) + struct.pack(">II", 96 + len(rec0), 1) + b"\\0\\0"
    >>> db = PalmDB(io.BytesIO(head + body))
    >>> db.kind, db.count, db.record(1)
    ('TEXtREAd', 2, b'hello')
    >>> h = db.header(0); h.compression, h.text_length, h.encoding, h.is_mobi
    (1, 5, 'cp1252', False)
"""
import struct

HEADER_SIZE = 78
KINDS = (b"BOOKMOBI", b"TEXtREAd")
ENCODINGS = {1252: "cp1252", 65001: "utf-8"}
NO_INDEX = 0xFFFFFFFF


class Damaged(ValueError):
    """The file contradicts its own structure (cut short, an offset out of range)."""


class PalmDB:
    """The record list of an open binary file; record(i) reads record i alone."""

    def __init__(self, f):
        self.f = f
        f.seek(0, 2)
        self.size = f.tell()
        f.seek(0)
        head = f.read(HEADER_SIZE)
        if len(head) < HEADER_SIZE:
            raise Damaged("shorter than a PalmDB header")
        self.name = head[:32].split(b"\0", 1)[0].decode("latin-1")
        self.kind = head[60:68].decode("latin-1")
        self.count, = struct.unpack_from(">H", head, 76)
        table = f.read(8 * self.count)
        if len(table) < 8 * self.count:
            raise Damaged("the record list is cut short")
        # Checked record by record when read: a book cut short still shows its header.
        self.offsets = [struct.unpack_from(">I", table, 8 * i)[0] for i in range(self.count)] + [self.size]

    def record(self, index):
        if not 0 <= index < self.count:
            raise Damaged("record %d does not exist (the book has %d)" % (index, self.count))
        start, end = self.offsets[index], self.offsets[index + 1]
        if not HEADER_SIZE <= start <= end <= self.size:
            raise Damaged("record %d lies outside the file (cut short?)" % index)
        self.f.seek(start)
        data = self.f.read(end - start)
        if len(data) != end - start:
            raise Damaged("record %d is cut short" % index)
        return data

    def header(self, base):
        """The header of the book part whose record 0 is record `base` (0, or the KF8
        boundary of a hybrid)."""
        return Header(self.record(base), base, self.kind == "BOOKMOBI")


class Header:
    """Record 0 of one part: PalmDOC fields always; MOBI fields and EXTH when present.
    Record indices are absolute (the part's own indices + base)."""

    def __init__(self, rec0, base, mobi):
        if len(rec0) < 16:
            raise Damaged("record 0 is too short")
        self.base = base
        self.compression, _, self.text_length, self.text_records, self.record_size, self.encryption = \
            struct.unpack_from(">HHIHHH", rec0, 0)
        self.is_mobi = mobi and rec0[16:20] == b"MOBI"
        self.encoding, self.version, self.extra_flags = "cp1252", 0, 0
        self.huff_first = self.huff_count = self.fdst = None
        self.exth, self.full_name = {}, ""
        if self.is_mobi:
            self._mobi(rec0)

    def _mobi(self, rec0):
        length, = struct.unpack_from(">I", rec0, 20)
        if len(rec0) < 16 + min(length, 0xE4):
            raise Damaged("the MOBI header is cut short")
        code, = struct.unpack_from(">I", rec0, 28)
        self.encoding = ENCODINGS.get(code, "cp1252")
        self.version, = struct.unpack_from(">I", rec0, 36)
        at, size = struct.unpack_from(">II", rec0, 0x54)
        self.full_name = rec0[at:at + size].decode(self.encoding, "replace")
        if self.compression == 17480:
            first, count = struct.unpack_from(">II", rec0, 0x70)
            self.huff_first, self.huff_count = self.base + first, count
        if self.version >= 8 and length >= 0xC8 - 16:
            # One flow needs no FDST; kindlegen then leaves other numbers in its place.
            fdst, flows = struct.unpack_from(">II", rec0, 0xC0)
            self.fdst = None if fdst == NO_INDEX or flows <= 1 else self.base + fdst
        if length >= 0xE4 and struct.unpack_from(">I", rec0, 0x68)[0] >= 5:   # as KindleUnpack
            self.extra_flags, = struct.unpack_from(">H", rec0, 0xF2)
        flags, = struct.unpack_from(">I", rec0, 0x80)
        if flags & 0x40:
            self.exth = read_exth(rec0, 16 + length)

    def exth_text(self, kind):
        values = self.exth.get(kind)
        return values[0].decode(self.encoding, "replace").strip() if values else ""

    def exth_int(self, kind):
        values = self.exth.get(kind)
        return struct.unpack(">I", values[0])[0] if values and len(values[0]) == 4 else None


def read_exth(rec0, at):
    """{type: [data, ...]}; a damaged EXTH is read as far as it goes (it is metadata)."""
    out = {}
    if rec0[at:at + 4] != b"EXTH" or len(rec0) < at + 12:
        return out
    count, = struct.unpack_from(">I", rec0, at + 8)
    pos = at + 12
    for _ in range(count):
        if pos + 8 > len(rec0):
            break
        kind, size = struct.unpack_from(">II", rec0, pos)
        if size < 8 or pos + size > len(rec0):
            break
        out.setdefault(kind, []).append(rec0[pos + 8:pos + size])
        pos += size
    return out


def trim_trailing(record, flags):
    """A text record without its trailing entries (FORMATS.md section 1): for each
    set flag bit 1..15 a backward varint gives a size to cut; then bit 0 (multibyte
    overlap) cuts (last byte & 3) + 1 more."""
    end = len(record)
    for bit in range(1, 16):
        if flags & (1 << bit):
            size, shift, pos = 0, 0, end
            while pos > 0:     # the varint's bytes, read backwards; the first one read ends it
                pos -= 1
                byte = record[pos]
                size |= (byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 or end - pos >= 4:
                    break
            if size > end:
                raise Damaged("a trailing entry is larger than its record")
            end -= size
    if flags & 1 and end > 0:
        end -= (record[end - 1] & 3) + 1
    if end < 0:
        raise Damaged("the trailing entries are larger than their record")
    return record[:end]


def fdst_flows(data):
    """[(start, end), ...] of the KF8 FDST record."""
    if data[:4] != b"FDST" or len(data) < 12:
        raise Damaged("the FDST record is missing")
    at, count = struct.unpack_from(">II", data, 4)
    if at + 8 * count > len(data):
        raise Damaged("the FDST record is cut short")
    return [struct.unpack_from(">II", data, at + 8 * i) for i in range(count)]

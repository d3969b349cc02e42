"""A MOBI book (the Kindle's own format before KF8: every Kindle reads it) from one
HTML body, as the MobileRead wiki's "PDB" and "MOBI" pages lay it out:

  PDB header   78 bytes: name, dates, type BOOK, creator MOBI, the record list
  record 0     PalmDOC header (16), MOBI header (232), EXTH (title, author,
               language), the full title
  1..n         the text: 4096 bytes of HTML each, PalmDOC-compressed
  then         FLIS, FCIS and the end-of-file record, as Kindle readers expect

The HTML is kept to ASCII (other characters as &#...; references), so a record
boundary never cuts a UTF-8 character and no "multibyte overlap" trailer is needed.

    >>> book = build("<html><body><h1>Hi</h1></body></html>", "Hi", "KindleChat", stamp=0)
    >>> book[60:68], struct.unpack(">H", book[76:78])[0]
    (b'BOOKMOBI', 5)
"""
import struct
import time

from . import palmdoc

RECORD = 4096
UTF8 = 65001
EOF = b"\xe9\x8e\r\n"
NO = 0xFFFFFFFF
EXTH_AUTHOR, EXTH_TITLE, EXTH_LANGUAGE, EXTH_CDETYPE = 100, 503, 524, 501


def build(html, title, author, language="en", stamp=None, compress=True):
    """The .mobi file's bytes for an HTML body."""
    text = ascii_html(html)
    chunks = [text[i:i + RECORD] for i in range(0, len(text), RECORD)] or [b""]
    records = [palmdoc.compress(c) if compress else c for c in chunks]
    first_extra = len(records) + 1
    records += [_flis(), _fcis(len(text)), EOF]
    header = _record0(title, author, language, len(text), len(chunks), first_extra, compress)
    return _pdb(title, [header] + records, int(time.time()) if stamp is None else stamp)


def ascii_html(html):
    """UTF-8 bytes that are all ASCII: each other character as a numeric reference.

        >>> ascii_html("“Café”")
        b'&#8220;Caf&#233;&#8221;'
    """
    return html.encode("ascii", "xmlcharrefreplace")


def _pdb(title, records, stamp):
    name = (title.encode("ascii", "replace").replace(b" ", b"_")[:31] or b"KindleChat").ljust(32, b"\0")
    count = len(records)
    head = name + struct.pack(">HHIIIIII4s4sIIH", 0, 0, stamp, stamp, 0, 0, 0, 0, b"BOOK", b"MOBI",
                              2 * count - 1, 0, count)
    offset = len(head) + 8 * count + 2
    entries = b""
    for i, record in enumerate(records):
        entries += struct.pack(">II", offset, 2 * i)   # attributes 0, unique id 2*i
        offset += len(record)
    return head + entries + b"\0\0" + b"".join(records)


def _exth(title, author, language):
    items = [(EXTH_AUTHOR, author), (EXTH_TITLE, title), (EXTH_LANGUAGE, language), (EXTH_CDETYPE, "EBOK")]
    body = b"".join(struct.pack(">II", kind, 8 + len(v.encode("utf-8"))) + v.encode("utf-8") for kind, v in items)
    length = 12 + len(body)
    return b"EXTH" + struct.pack(">II", length, len(items)) + body + b"\0" * (-length % 4)


def _record0(title, author, language, text_length, text_records, first_extra, compress):
    palm = struct.pack(">HHIHHHH", 2 if compress else 1, 0, text_length, text_records, RECORD, 0, 0)
    exth = _exth(title, author, language)
    full_name = title.encode("utf-8")
    name_offset = 16 + 232 + len(exth)
    mobi = b"MOBI" + struct.pack(
        ">IIIII" "IIII" "IIIIII" "III" "IIII" "I" "IIII" "I",
        232, 2, UTF8, 0x4B430000 | (text_length & 0xFFFF), 6,   # length, type book, UTF-8, unique id, version
        NO, NO, NO, NO,                                         # orthographic, inflection, names, keys
        NO, NO, NO, NO, NO, NO,                                 # extra indexes 0..5
        first_extra, name_offset, len(full_name), 9,            # first non-book record, full name, locale en
        0, 0, 6, first_extra,                                   # dictionary languages, min version, first image
        0, 0, 0, 0,                                             # no huffman records
        0x50)                                                   # EXTH flags: an EXTH follows
    mobi += b"\0" * 32 + struct.pack(">IIIII", NO, NO, 0, 0, 0) + b"\0" * 8   # no DRM
    mobi += struct.pack(">HHIIIII", 1, text_records, 1, first_extra + 1, 1, first_extra, 1)  # content, FCIS, FLIS
    mobi += b"\0" * 8 + struct.pack(">IIIIII", NO, 0, NO, NO, 0, NO)   # extra record data flags 0: no trailers
    assert len(mobi) == 232, len(mobi)
    record = palm + mobi + exth + full_name
    return record + b"\0" * (2 + (-(len(record) + 2) % 4))


def _flis():
    return b"FLIS" + struct.pack(">IHHIIHHIII", 8, 65, 0, 0, NO, 1, 3, 3, 1, NO)


def _fcis(text_length):
    return b"FCIS" + struct.pack(">IIIII", 20, 16, 1, 0, text_length) + struct.pack(">IIIHHI", 0, 32, 8, 1, 1, 0)

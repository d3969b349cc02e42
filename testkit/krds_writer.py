"""A KRDS writer, for tests only (the server never writes the reader's files): the
inverse of kindlechat.reading.krds.parse, checked to give back the ten real
sidecars byte for byte (tests/test_reading_krds.py). FORMATS.md section 3 gives
the layout; `lpr`'s new form is 07 02, the position, the time in ms.

    from testkit import krds_writer
    krds_writer.place_position(sdr, "Emma", "azw3f", "68089")        # an AZW3 reader's note
    krds_writer.place_position(sdr, "Emma", "mbs", krds_writer.mobi_position(224199))

    >>> from kindlechat.reading import krds
    >>> data = encode(krds.Sidecar([lpr("694646", 1693167136995)]))
    >>> krds.parse(data).find("lpr").first(krds.UTF)
    '694646'
"""
import base64
import os
import struct

from kindlechat.reading import krds


def encode(sidecar):
    out = bytearray(krds.MAGIC)
    _value(out, krds.LONG, 1)
    _value(out, krds.INT, len(sidecar.objects))
    for obj in sidecar.objects:
        _value(out, krds.OBJECT, obj)
    return bytes(out)


def _utf(out, text):
    if text is None:
        out += b"\x01"
        return
    data = text.encode("utf-8")
    out += b"\x00" + struct.pack(">H", len(data)) + data


def _value(out, code, value):
    out += struct.pack(">b", code)
    if code == krds.OBJECT:
        _utf(out, value.name)
        for c, v in value.values:
            _value(out, c, v)
        out += b"\xff"
    elif code == krds.UTF:
        _utf(out, value)
    else:
        out += struct.pack(krds.FIXED[code], value)


def lpr(position, time_ms):
    """The `lpr` object as current firmware writes it (bytes from the real samples)."""
    return krds.Obj("lpr", [(krds.BYTE, 2), (krds.UTF, position), (krds.LONG, time_ms)])


def fpr(position, time_ms=-1, tz_minutes=-1, country=None, device=None):
    return krds.Obj("fpr", [(krds.UTF, position), (krds.LONG, time_ms), (krds.LONG, tz_minutes),
                            (krds.UTF, country), (krds.UTF, device)])


def mobi_position(offset):
    """The MOBI form P:P:N:<base64>, its base64 broken every 76 characters as the
    Kindle writes it (N's meaning is unknown: ~P/2000 in the samples)."""
    blob = b"DATA" + struct.pack(">I", 0x58) + b"EBAR" + struct.pack(">II", 1, 0) + b"EBVS" + \
        struct.pack(">II", 4, offset) + bytes(48)
    text = base64.b64encode(blob).decode("ascii")
    text = "\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    return "%d:%d:%d:%s" % (offset, offset, offset // 2000, text)


def position_sidecar(position, time_ms=1700000000000, furthest=None):
    objects = [krds.Obj("book.info.store", [(krds.LONG, 0), (krds.DOUBLE, 0.0)])]
    objects.append(fpr(furthest or position, time_ms))
    objects.append(lpr(position, time_ms))
    return encode(krds.Sidecar(objects))


def place_position(sdr_dir, stem, kind, position, time_ms=1700000000000, furthest=None, mtime=None):
    """Write `<stem>.<kind>` (azw3f, yjf) or `<stem><32 hex>.mbs` into sdr_dir, as
    the reader does on sleep or Home; returns its path."""
    os.makedirs(sdr_dir, exist_ok=True)
    name = stem + ("ac96399d5b670e2a1c4dacaaa1ba7e1c" if kind == "mbs" else "") + "." + kind
    path = os.path.join(sdr_dir, name)
    with open(path, "wb") as f:
        f.write(position_sidecar(position, time_ms, furthest))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path

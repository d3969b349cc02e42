"""PalmDOC decompression (the LZ77 variant of MOBI text records; MobileRead wiki
"PalmDOC", FORMATS.md section 1), for records written by someone else: a copy
that reaches before the record's start, or a record cut mid-code, raises
ValueError instead of giving garbage. Runs of literal bytes are copied by one
regex match each, not byte by byte (the Kindle's CPU is slow); the commonest codes
(copies, then space + letter) are tested first. (A lookup table of the 16384 copy
codes saves 10% of the instructions but keeps 1.4 MiB: not worth it.)

    >>> decompress(b"\\x03abc" + b"d\\x80\\x20")     # 3 literals, 'd', copy 4 back, 3 long
    b'abcdabc'
    >>> decompress(b"x\\xe1")                       # a space, then 0xe1 ^ 0x80
    b'x a'
    >>> decompress(b"ab\\x81\\x00")
    Traceback (most recent call last):
    ValueError: a PalmDOC copy reaches before the record's start
"""
import re

LITERALS = re.compile(rb"[\x00\x09-\x7f]+")


def decompress(data):
    out = bytearray()
    i, n = 0, len(data)
    literals = LITERALS.match
    while i < n:
        c = data[i]
        if c >= 0x80:
            if c >= 0xC0:
                out += b" "
                out.append(c ^ 0x80)
                i += 1
                continue
            i += 2
            if i > n:
                raise ValueError("a PalmDOC record is cut short")
            low = data[i - 1]
            distance, length = ((c & 0x3F) << 5) | (low >> 3), (low & 7) + 3
            start = len(out) - distance
            if distance == 0 or start < 0:
                raise ValueError("a PalmDOC copy reaches before the record's start")
            if distance >= length:
                out += out[start:start + length]
            else:                      # overlapping: each byte may be one just copied
                for k in range(length):
                    out.append(out[start + k])
        elif c > 8 or c == 0:
            run = literals(data, i).end()
            out += data[i:run]
            i = run
        else:
            i += 1
            if i + c > n:
                raise ValueError("a PalmDOC record is cut short")
            out += data[i:i + c]
            i += c
    return bytes(out)

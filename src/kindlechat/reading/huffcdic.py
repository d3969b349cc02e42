"""HUFF/CDIC decompression (compression 17480, kindlegen's for big books;
FORMATS.md section 1, the MobileRead wiki "MOBI" page and KindleUnpack
mobi_uncompress.py describe it): a canonical Huffman code over a phrase
dictionary spread across CDIC records, phrases themselves compressed unless
flagged. One Huff object per book; unpack() takes one text record. Damaged
tables or codes raise ValueError.

    >>> Huff(b"HUFF", []).phrases
    Traceback (most recent call last):
    ValueError: the HUFF record is damaged
"""
import struct

MASK32 = (1 << 32) - 1
MAX_DEPTH = 32   # phrases nest; a cycle in a damaged dictionary must end


class Huff:
    def __init__(self, huff, cdics):
        if huff[:8] != b"HUFF\x00\x00\x00\x18" or len(huff) < 24:
            raise ValueError("the HUFF record is damaged")
        at1, at2 = struct.unpack_from(">II", huff, 8)
        if at1 + 1024 > len(huff) or at2 + 256 > len(huff):
            raise ValueError("the HUFF record is damaged")
        self.table = [_entry(v) for v in struct.unpack_from(">256I", huff, at1)]
        pairs = struct.unpack_from(">64I", huff, at2)
        self.mincode = [0] + [pairs[2 * k] << (32 - (k + 1)) for k in range(32)]
        self.maxcode = [0] + [((pairs[2 * k + 1] + 1) << (32 - (k + 1))) - 1 for k in range(32)]
        self.phrases = []
        for cdic in cdics:
            self._load(cdic)

    def _load(self, cdic):
        if cdic[:8] != b"CDIC\x00\x00\x00\x10" or len(cdic) < 16:
            raise ValueError("a CDIC record is damaged")
        total, bits = struct.unpack_from(">II", cdic, 8)
        if bits > 16:       # 16-bit offsets: more bits is a damaged record (and 1 << bits a huge number)
            raise ValueError("a CDIC record is damaged")
        n = min(1 << bits, total - len(self.phrases))
        if n < 0 or 16 + 2 * n > len(cdic):
            raise ValueError("a CDIC record is damaged")
        for off in struct.unpack_from(">%dH" % n, cdic, 16):
            if 18 + off > len(cdic):
                raise ValueError("a CDIC phrase lies outside its record")
            head, = struct.unpack_from(">H", cdic, 16 + off)
            self.phrases.append((cdic[18 + off:18 + off + (head & 0x7FFF)], bool(head & 0x8000)))

    def unpack(self, data, depth=0):
        if depth > MAX_DEPTH:
            raise ValueError("the HUFF/CDIC dictionary loops")
        table, mincode, maxcode, phrases = self.table, self.mincode, self.maxcode, self.phrases
        bitsleft = len(data) * 8
        data = data + bytes(8)
        pos, n, out = 0, 32, bytearray()
        x, = struct.unpack_from(">Q", data, 0)
        while True:
            if n <= 0:
                pos += 4
                x, = struct.unpack_from(">Q", data, pos)
                n += 32
            code = (x >> n) & MASK32
            length, terminal, top = table[code >> 24]
            if not terminal:
                while length < 32 and code < mincode[length]:
                    length += 1
                top = maxcode[length]
            n -= length
            bitsleft -= length
            if bitsleft < 0:
                break
            index = (top - code) >> (32 - length)
            if not 0 <= index < len(phrases):
                raise ValueError("a HUFF code names no phrase")
            phrase, literal = phrases[index]
            if not literal:     # decompress once, keep the result
                phrase = self.unpack(phrase, depth + 1)
                phrases[index] = (phrase, True)
            out += phrase
        return bytes(out)


def _entry(v):
    length, terminal, top = v & 0x1F, v & 0x80, v >> 8
    if length == 0:
        raise ValueError("the HUFF table is damaged")
    return length, terminal, ((top + 1) << (32 - length)) - 1

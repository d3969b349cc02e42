"""PalmDOC compression, the LZ77 variant every MOBI reader has (MobileRead wiki,
"PalmDOC"): a record of at most 4096 bytes becomes a stream of
  0x00, 0x09..0x7f  the byte itself;
  0x01..0x08        that many literal bytes follow;
  0x80..0xbf        with the next byte, 2 bits of tag, 11 of distance back
                    (1..2047) and 3 of length (3..10): copy from the output;
  0xc0..0xff        a space, then the byte xor 0x80 (0x40..0x7f).
Pure Python, greedy: good enough for a chat of some pages on a Kindle's CPU.

    >>> data = b"the cat and the hat and the bat " * 20
    >>> packed = compress(data)
    >>> len(packed) < len(data) // 4, decompress(packed) == data
    (True, True)
"""
WINDOW, SHORTEST, LONGEST = 2047, 3, 10


def compress(data):
    out, i, n = bytearray(), 0, len(data)
    seen = {}   # 3 bytes -> the latest positions they started at (a few: enough to find long copies)
    while i < n:
        distance, length = _match(data, i, seen.get(data[i:i + SHORTEST], ()))
        step = length or 1
        for j in range(i, min(i + step, n - SHORTEST + 1)):
            recent = seen.setdefault(data[j:j + SHORTEST], [])
            recent.append(j)
            if len(recent) > 8:
                del recent[0]
        if length:
            code = 0x8000 | (distance << 3) | (length - SHORTEST)
            out += bytes((code >> 8, code & 0xff))
            i += length
            continue
        byte = data[i]
        if byte == 0x20 and i + 1 < n and 0x40 <= data[i + 1] < 0x80:
            out.append(data[i + 1] ^ 0x80)   # the space+letter pair: one byte
            i += 2
        elif byte == 0 or 0x09 <= byte < 0x80:
            out.append(byte)
            i += 1
        else:
            run = _literal_run(data, i)
            out.append(len(run))
            out += run
            i += len(run)
    return bytes(out)


def _match(data, i, candidates):
    """(distance, length) of the longest earlier copy of data[i:] among the
    candidate positions (nearest first), or (0, 0)."""
    best, limit = (0, 0), min(LONGEST, len(data) - i)
    if limit < SHORTEST:
        return best
    for start in reversed(candidates):
        if i - start > WINDOW:
            break
        length = SHORTEST
        while length < limit and data[start + length] == data[i + length]:
            length += 1
        if length > best[1]:
            best = (i - start, length)
            if length == limit:
                break
    return best


def _literal_run(data, i):
    """Up to 8 bytes that must go as literals (the ones 0x01..0x08 and 0x80.. )."""
    end = i
    while end < len(data) and end - i < 8 and (data[end] in range(1, 9) or data[end] >= 0x80):
        end += 1
    return data[i:end]


def decompress(data):
    """The reverse, for the doctest and the tests' own checks."""
    out, i = bytearray(), 0
    while i < len(data):
        byte = data[i]
        i += 1
        if 1 <= byte <= 8:
            out += data[i:i + byte]
            i += byte
        elif byte < 0x80:
            out.append(byte)
        elif byte >= 0xc0:
            out += bytes((0x20, byte ^ 0x80))
        else:
            code = (byte << 8) | data[i]
            i += 1
            distance, length = (code >> 3) & 0x7ff, (code & 7) + SHORTEST
            for _ in range(length):
                out.append(out[-distance])
    return bytes(out)

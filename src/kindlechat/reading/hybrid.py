"""A hybrid book's position in MOBI6 form. A hybrid (.mobi with MOBI6 and KF8 parts, as
calibre writes by default) is read in its KF8 part, as current Kindles read it; but
which sidecar the reader writes for it is not documented (FORMATS.md section 2), and a
`P:P:N:<base64>` lpr is a byte offset into the MOBI6 part's raw text, not into KF8's.
The two parts hold the same text in different markup, so the place is found by its
words: the MOBI6 records just before the offset are decompressed and made plain, and
the last words before the position are looked for in the KF8 text near the same
fraction of the book; the bound is where they end. Nothing is guessed past them: if
they are not found, the fraction is used less a margin.

    >>> snippet("Chapter 1\\n\\nThe keeper counted gulls at dawn and wrote it down", 20)
    'dawn and wrote it down'
"""
from .lz77 import decompress
from .markup import Plain
from .palmdb import PalmDB, trim_trailing

WINDOW = 0.1    # of the book's length: where the words are looked for around the fraction
MARGIN = 0.02   # of the book's length: the fallback's step back


def snippet(text, least=24):
    """The last words of text: its last paragraph's end, at least `least` characters
    where the paragraph has them (a cut in the middle of a word is left out)."""
    tail = text.rsplit("\n\n", 1)[-1].strip()
    words, out = tail.split(" "), ""
    while words and len(out) < least:
        out = (words.pop() + " " + out).strip()
    return out


def mobi6_to_plain(path, pos, book):
    """(the plain offset in book (its KF8 text) of MOBI6 raw offset pos, the MOBI6 text's
    length) or (None, None) when the file has no MOBI6 part or can't be read."""
    try:
        with open(path, "rb") as f:
            db = PalmDB(f)
            head = db.header(0)
            if not head.is_mobi or head.version >= 8 or not head.text_length:
                return None, None
            pos = max(0, min(pos, head.text_length))
            estimate = int(len(book.text) * pos / float(head.text_length))
            if head.compression not in (1, 2):   # HUFF/CDIC: the fraction alone
                return _fallback(book, estimate), head.text_length
            size = head.record_size or 4096
            last = pos // size + 1
            first = max(1, last - 1)
            raw = b""
            for index in range(first, min(last, head.text_records) + 1):
                data = trim_trailing(db.record(head.base + index), head.extra_flags)
                raw += decompress(data) if head.compression == 2 else data
    except (OSError, ValueError, IndexError):
        return None, None
    raw = raw[:pos - (first - 1) * size]
    gt, lt = raw.find(b">"), raw.find(b"<")
    if gt >= 0 and (lt < 0 or gt < lt):   # the window starts inside a tag: from its end
        raw = raw[gt + 1:]
    plain = Plain(head.encoding)
    plain.feed(raw)
    words = snippet(plain.close())
    return _find(book, words, estimate), head.text_length


def _find(book, words, estimate):
    text, span = book.text, int(len(book.text) * WINDOW) + 200
    if len(words) < 8:
        return _fallback(book, estimate)
    lo, best = max(0, estimate - span), None
    while True:
        at = text.find(words, lo, estimate + span)
        if at < 0:
            break
        if best is None or abs(at - estimate) < abs(best - estimate):
            best = at
        lo = at + 1
    return best + len(words) if best is not None else _fallback(book, estimate)


def _fallback(book, estimate):
    return max(0, estimate - int(len(book.text) * MARGIN))

"""A sideloaded book's text: MOBI6, KF8 (AZW3) and hybrids of both (read as KF8, as
current Kindles do), PalmDOC, HUFF/CDIC or uncompressed, and plain PalmDOC
`TEXtREAd` files. FORMATS.md section 1 gives the layout and its sources.

The contract (the books list, positions and retrieval build on it):

- text_status(path) -> "readable" | "drm" | "kfx" | "pdf" | "missing" | "unsupported",
  from the first bytes and record 0 only (cheap enough for a whole library).
  status_error(path, status) gives the BookError (with plain words) for the others.
- read_text(path, cap=DEFAULT_CAP, stop=None) -> BookText, or raises BookError with
  reason drm, kfx, pdf, missing, unsupported, damaged (a cut or corrupt book, never
  a traceback) or too_big (more raw text than `cap` bytes). Records are read and
  decompressed one at a time; the raw text is never held whole.
  With `stop` (a raw offset, the reader's position) reading ends there: the text
  holds nothing from `stop` on. A book bigger than `cap` is then sampled: the last
  `cap` bytes before `stop` (.sampled, .raw_start say so) instead of refused.
- BookText: .format "MOBI6" | "KF8"; .text (paragraphs joined by "\\n\\n");
  .plain_offset(pos): a position as the Kindle stores it (MOBI6: byte offset into
  the raw decompressed text; KF8: offset into flow 0 of the KF8 text) -> the index
  in .text of the first character at or after it; .raw_offset(index), its inverse
  (for the page of a passage); .raw_length (the raw text's end:
  a position past it is past the book's end); .paragraph_spans(), .paragraphs();
  .title, .author, .asin, .language, .cdetype from EXTH (100, 503, 113, 524, 501);
  .hybrid: the file holds both parts.
- A hybrid is read as KF8, unless form="mobi": the position to map came from a
  sidecar in the MOBI colon form (krds.Position.form), an offset into the MOBI6
  part's raw text, so that part is read (which part a hybrid's sidecar describes
  is not documented: the form says it).

KF8 positions are read as offsets into flow 0 as stored. The Kindle's may be into
flow 0 after the skeleton/fragment rebuild (KFX-Highlights, cited in FORMATS.md
section 2, not verified): the same bytes, reordered inside one skeleton (one XHTML
file) only. A skeleton holds markup only (checked with KindleUnpack's tables on
demo.mobi and calibre's AZW3s) and comes before its fragments as stored, so a text
byte's stored offset is never below its rebuilt one: reading up to the Kindle's
number stops at most one skeleton's markup early (16 bytes in calibre's AZW3, up
to 1.9 KB in kindlegen's demo.mobi), and never late, whichever order is true.

    >>> text_status("/nonexistent/book.azw3")
    'missing'
    >>> read_text("/nonexistent/book.azw3")
    Traceback (most recent call last):
    kindlechat.reading.failures.BookError: book.azw3 is no longer on the Kindle (removed or moved?). KindleChat can still talk about it by its title, author and how far you have read.
"""
import bisect
import os
import re
import struct

from ..errors import books as words
from .failures import BookError
from .huffcdic import Huff
from .lz77 import decompress
from .markup import Plain
from .palmdb import NO_INDEX, Damaged, PalmDB, fdst_flows, trim_trailing

# Raw text bytes: War and Peace's HTML is ~4 MB. Reading 8 MB of raw text peaks at
# 19 MiB of Python objects (tracemalloc, CPython 3.11), 8 MiB kept (text + map).
DEFAULT_CAP = 8 * 1024 * 1024
COMPRESSIONS = (1, 2, 17480)
PARAGRAPH = re.compile(r"\n\n")
BROKEN = (Damaged, ValueError, struct.error, IndexError, KeyError, OverflowError, RecursionError)


def _sniff(path):
    """pdf, kfx, pdb or unsupported, from the magic numbers (and the name)."""
    with open(path, "rb") as f:
        head = f.read(78)
    lower = path.lower()
    if head[:5] == b"%PDF-" or lower.endswith((".pdf", ".azw4")):      # azw4: Print Replica, a PDF inside
        return "pdf"
    if head[:4] == b"CONT" or head[:8] == b"\xeaDRMION\xee" or lower.endswith((".kfx", ".kfx-zip", ".azw8")):
        return "kfx"
    if len(head) == 78 and head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return "pdb"
    return "unsupported"


def text_status(path):
    try:
        kind = _sniff(path)
        if kind != "pdb":
            return kind
        with open(path, "rb") as f:
            db = PalmDB(f)
            first, part = _parts(db)
            if first.encryption or part.encryption:
                return "drm"
            return "readable" if part.compression in COMPRESSIONS else "unsupported"
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "missing" if not os.path.exists(path) else "unsupported"
    except BROKEN:
        return "unsupported"


def status_error(path, status):
    """The BookError that says why a book of this status can't be read (None if it can)."""
    name = os.path.basename(path)
    make = {"drm": words.book_drm, "kfx": words.book_kfx, "pdf": words.book_pdf,
            "missing": words.book_missing, "unsupported": words.book_unsupported}.get(status)
    return BookError(status, make(name).message) if make else None


def _parts(db, form=None):
    """(record 0's header, the header of the part to read): a hybrid's KF8 part,
    unless the position to map is in the MOBI colon form (form "mobi")."""
    first = db.header(0)
    if first.is_mobi and first.version < 8 and form != "mobi":
        boundary = first.exth_int(121)
        if boundary not in (None, NO_INDEX) and 0 < boundary < db.count:
            part = db.header(boundary)
            if part.is_mobi and part.version >= 8:
                return first, part
    return first, first


def read_text(path, cap=DEFAULT_CAP, stop=None, form=None):
    name = os.path.basename(path)
    try:
        kind = _sniff(path)
        if kind != "pdb":
            raise status_error(path, kind)
        with open(path, "rb") as f:
            return _read(PalmDB(f), name, cap, stop, form)
    except BookError:
        raise
    except FileNotFoundError:
        raise status_error(path, "missing") from None
    except IsADirectoryError:
        raise status_error(path, "unsupported") from None
    except OSError as exc:
        if not os.path.exists(path):
            raise status_error(path, "missing") from None
        raise BookError("damaged", words.book_damaged(name, exc).message) from None
    except BROKEN as exc:
        raise BookError("damaged", words.book_damaged(name, exc).message) from None


def _read(db, name, cap, stop, form):
    first, part = _parts(db, form)
    raw = RawText(db, part, name, cap, stop)
    plain = Plain(part.encoding, markup=True if part.is_mobi else None)
    plain.base = raw.start
    for at, data in raw.chunks():
        if at == raw.start and raw.start:       # a sample starts mid-text: skip a cut tag
            close = data.find(b">")
            if 0 <= close < (data.find(b"<") % (len(data) + 1)):
                data, plain.base = data[close + 1:], at + close + 1
        plain.feed(data)
    plain.close()
    meta = part if part.exth else first
    book = BookText(raw.format, plain, meta, raw.start, raw.at, stop is None or stop >= raw.end)
    book.hybrid = part.base != 0 or _parts(db)[1].base != 0     # a KF8 part after a MOBI6 one
    return book


class RawText:
    """The raw (decompressed, markup and all) text of the part to read, as
    (raw offset, bytes) chunks of one record each, from .start up to .limit:
    the flow-0 end (KF8) or header text length (MOBI6), or `stop` if sooner."""

    def __init__(self, db, part, name, cap=DEFAULT_CAP, stop=None):
        if db.header(0).encryption or part.encryption:
            raise BookError("drm", words.book_drm(name).message)
        if part.compression not in COMPRESSIONS:
            raise BookError("unsupported", words.book_unsupported(name).message)
        self.db, self.part = db, part
        self.format = "KF8" if part.version >= 8 else "MOBI6"
        self.end = part.text_length
        if part.fdst is not None:
            # KF8's header length may count every flow (calibre) or flow 0 only
            # (kindlegen): flow 0 from the FDST is the text either way.
            flows = fdst_flows(db.record(part.fdst))
            self.end = flows[0][1] if flows else self.end
        self.limit = self.end if stop is None else max(0, min(self.end, stop))
        self.size = part.record_size or 4096
        self.first, self.start = 1, 0
        if self.limit > cap:
            if stop is None:
                raise BookError("too_big", words.book_too_big(name, self.end // 2 ** 20, cap // 2 ** 20).message)
            self.first = (self.limit - cap) // self.size + 1     # records hold `size` raw bytes each
            self.start = (self.first - 1) * self.size
        self.at = self.start

    def chunks(self):
        part, unpack = self.part, _unpacker(self.db, self.part)
        flags = part.extra_flags if part.is_mobi else 0
        for index in range(self.first, part.text_records + 1):
            if self.at >= self.limit:
                break
            data = unpack(trim_trailing(self.db.record(part.base + index), flags))
            data = data[:self.limit - self.at]
            yield self.at, data
            self.at += len(data)
        if self.at < self.limit and self.format == "MOBI6":
            raise Damaged("the text ends at %d of %d bytes" % (self.at, self.limit))


def iter_raw(path, stop=None, cap=DEFAULT_CAP, form=None):
    """The raw text's chunks as (offset, bytes), for checks and tools; the same
    errors as read_text (BookError)."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            db = PalmDB(f)
            raw = RawText(db, _parts(db, form)[1], name, cap, stop)
            for chunk in raw.chunks():
                yield chunk
    except BookError:
        raise
    except FileNotFoundError:
        raise status_error(path, "missing") from None
    except (OSError,) + BROKEN as exc:
        raise BookError("damaged", words.book_damaged(name, exc).message) from None


def _unpacker(db, part):
    if part.compression == 2:
        return decompress
    if part.compression == 17480:
        if part.huff_first is None or part.huff_count < 2:
            raise Damaged("the HUFF/CDIC records are missing")
        cdics = [db.record(part.huff_first + k) for k in range(1, part.huff_count)]
        return Huff(db.record(part.huff_first), cdics).unpack
    return bytes


class BookText:
    def __init__(self, fmt, plain, meta, raw_start, raw_length, complete):
        self.format, self._plain, self.text = fmt, plain, plain.text
        self.raw_start, self.raw_length = raw_start, raw_length
        self.sampled, self.complete, self.hybrid = raw_start > 0, complete, False
        self.title = meta.exth_text(503) or meta.full_name
        self.author = meta.exth_text(100)
        self.asin = meta.exth_text(113)
        self.language = meta.exth_text(524)
        self.cdetype = meta.exth_text(501)
        self._starts = None

    def plain_offset(self, pos):
        """text[:plain_offset(pos)] is all the text before raw position `pos`."""
        if pos <= self.raw_start:
            return 0
        return self._plain.plain_offset(pos)

    def raw_offset(self, index):
        """The Kindle-scale position of plain index `index` (for a passage's page or
        location): plain_offset's inverse on every character copied from the book."""
        return max(self.raw_start, self._plain.raw_offset(index))

    def paragraph_spans(self):
        """[(start, end), ...]: text[start:end] is one paragraph (no separators)."""
        spans, at = [], 0
        for m in PARAGRAPH.finditer(self.text):
            spans.append((at, m.start()))
            at = m.end()
        if at < len(self.text):
            spans.append((at, len(self.text)))
        return spans

    def paragraphs(self):
        return [self.text[a:b] for a, b in self.paragraph_spans()]

    def paragraph_at(self, index):
        """The number of the paragraph holding plain index `index` (the one before a gap)."""
        if self._starts is None:
            self._starts = [a for a, _ in self.paragraph_spans()]
        return max(0, bisect.bisect_right(self._starts, index) - 1)

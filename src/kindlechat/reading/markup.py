"""A book's markup (MOBI6's HTML-ish text, KF8's XHTML flow) to plain text, fed
in order, a chunk at a time, so the raw text never sits whole in memory.

- Block elements (p, div, h1-h6, li, mbp:pagebreak ...) end a paragraph; paragraphs
  are separated by one blank line ("\\n\\n"); <br> is a line break.
- head, style and script content is dropped; table cells and images part words;
  entities are decoded; runs of white space become one space.
- Checkpoints tie the raw text to the plain text: each piece of plain text that
  was copied from the raw text has (raw start, raw length, plain start, plain
  length, kind). Kind IDENTITY: one byte one character (ASCII); ENCODED: the
  piece's characters encode to its raw bytes (UTF-8 or cp1252); ATOMIC: an entity.
  plain_offset maps a raw offset exactly: the index of the first plain character
  at or after it, so text[:plain_offset(pos)] holds nothing from `pos` on;
  raw_offset is its inverse.

    >>> p = Plain("utf-8")
    >>> p.feed(b"<html><head><title>T</title></head><body><p>Caf\\xc3\\xa9 &amp; <b>tea</b></p>")
    >>> p.feed(b"<p>  Next\\n  line</p></body></html>")
    >>> text = p.close(); text
    'Caf\\xe9 & tea\\n\\nNext line'
    >>> raw = b"<html><head><title>T</title></head><body><p>Caf\\xc3\\xa9 &amp; <b>tea</b></p>"
    >>> text[:p.plain_offset(raw.index(b"&amp;"))], text[:p.plain_offset(len(raw) + 5)]
    ('Caf\\xe9 ', 'Caf\\xe9 & tea\\n\\n')
"""
import bisect
import html
import re
from array import array

IDENTITY, ENCODED, ATOMIC = 0, 1, 2
NONE, SPACE, LINE, PARA = 0, 1, 2, 3
SEPARATORS = {SPACE: " ", LINE: "\n", PARA: "\n\n"}

TAG = re.compile(rb"<!--.*?-->|<[?!][^>]*>|<(/?)([A-Za-z][\w:.-]*)[^>]*>", re.S)
# What is not copied one to one: entities, and white space other than one plain space.
SPECIAL = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
                     r"|[\t\n\r\f\v][ \t\n\r\f\v]*| [ \t\n\r\f\v]+")
CUT_ENTITY = re.compile(rb"&#?[0-9A-Za-z]{0,32}$")
BLOCKS = frozenset(b"p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr hr section article "
                   b"aside header footer figure figcaption nav body mbp:pagebreak".split())
SKIPPED = frozenset([b"head", b"style", b"script", b"title"])
SPACED = frozenset([b"td", b"th", b"img"])      # "a</td><td>b" reads "a b", not "ab"
PIECE = 256      # characters: a non-ASCII run is kept as pieces of at most this many
NAMED = BLOCKS | SKIPPED | SPACED | {b"br"}
HOLD = 1 << 16   # a buffer this long without a tag (a plain text book) is cut at a space


class Plain:
    """markup: True for MOBI/KF8, False for plain text, None to decide from the start."""

    def __init__(self, encoding, markup=True):
        self.encoding, self.markup = encoding, markup
        self.pieces, self.length = [], 0
        self.raw_at, self.raw_len = array("i"), array("i")
        self.plain_at, self.plain_len = array("i"), array("i")
        self.kinds = bytearray()
        self.pending, self.base = b"", 0      # bytes not yet converted, and their raw offset
        self.skip, self.gap = None, NONE
        self.text = None

    def feed(self, chunk):
        buf = self.pending + chunk
        if self.markup is None:     # a plain PalmDOC file: HTML if it opens with a tag
            self.markup = buf.lstrip()[:1] == b"<"
        if self.markup:             # convert up to the last '<': a tag may go on in the next chunk
            cut = buf.rfind(b"<")
            comment, closed = buf.rfind(b"<!--"), buf.rfind(b"-->")
            if comment > closed:                     # an open comment may hold '<'
                cut = comment
            elif 0 <= comment < cut < closed:        # cut after it, not inside
                cut = closed + 3
        else:
            cut = max(buf.rfind(b" "), buf.rfind(b"\n")) + 1 if len(buf) > HOLD else 0
        if cut <= 0:
            if len(buf) <= HOLD:
                self.pending = buf
                return
            # A '<' that no '>' follows for HOLD bytes (a damaged book) is text: holding
            # it would copy an ever longer buffer for every record.
            cut = len(_whole_chars(buf, self.encoding))
        self._convert(buf[:cut], self.base)
        self.pending, self.base = buf[cut:], self.base + cut

    def close(self):
        """The plain text; a tag cut off at the end is dropped, as is a character
        or entity cut in half (a read that stopped at a position)."""
        buf = self.pending
        if self.markup is None:
            self.markup = buf.lstrip()[:1] == b"<"
        if self.markup and buf.rfind(b"<!--") > buf.rfind(b"-->"):
            buf = buf[:buf.rfind(b"<!--")]
        if self.markup and buf.rfind(b"<") > buf.rfind(b">"):
            buf = buf[:buf.rfind(b"<")]
        cut = CUT_ENTITY.search(buf)
        if cut:
            buf = buf[:cut.start()]
        self._convert(_whole_chars(buf, self.encoding), self.base)
        self.pending = b""
        self.text = "".join(self.pieces)
        self.pieces = [self.text]
        return self.text

    def _convert(self, buf, base):
        if not self.markup:
            self._text(buf, base)
            return
        at = 0
        for m in TAG.finditer(buf):
            start, end = m.span()
            if start > at:
                self._text(buf[at:start], base + at)
            at = end
            name = m.group(2)
            if name is None:
                continue
            name = name.lower()
            if name in NAMED or self.skip is not None:     # most tags (span, a, b, i) change nothing
                self._tag(name, bool(m.group(1)), buf[end - 2] == 47)      # 47: "/>"
        if at < len(buf):
            self._text(buf[at:], base + at)

    def _tag(self, name, closing, empty):
        if self.skip is not None:
            if (closing and name == self.skip) or name == b"body":
                self.skip = None
            return
        if name in SKIPPED:
            if not closing and not empty:
                self.skip = name
        elif name in BLOCKS:
            self.gap = PARA
        elif name == b"br":
            self.gap = max(self.gap, LINE)
        elif name in SPACED:
            self.gap = max(self.gap, SPACE)

    def _text(self, raw, at):
        if self.skip is not None:
            return
        ascii_ = raw.isascii()
        text = raw.decode("ascii" if ascii_ else self.encoding, "replace")
        done = 0
        for m in SPECIAL.finditer(text):
            if m.start() > done:
                at = self._piece(text[done:m.start()], at, ascii_)
            token = m.group()
            if token[0] == "&":
                # An entity html does not know stays as written, but whole, like the others.
                self._emit(html.unescape(token), at, len(token), ATOMIC)
                at += len(token)
            else:   # white space; in a plain PalmDOC text, line ends are paragraph ends
                lines = 0 if self.markup else token.count("\n")
                self.gap = max(self.gap, PARA if lines > 1 else LINE if lines else SPACE)
                at += len(token)
            done = m.end()
        if done < len(text):
            self._piece(text[done:], at, ascii_)

    def _piece(self, text, at, ascii_):
        """Copy a run of text that holds no entity and no white space but single
        spaces; return the raw offset after it."""
        ascii_ = ascii_ or text.isascii()        # one em dash in a paragraph leaves the rest ASCII
        size = len(text) if ascii_ else len(text.encode(self.encoding, "replace"))
        if text[0] == " ":
            self.gap = max(self.gap, SPACE)
            text, at, size = text[1:], at + 1, size - 1
        end = at + size
        if text[-1:] == " ":
            text, size = text[:-1], size - 1
            if text:
                self._emit(text, at, size, IDENTITY if ascii_ else ENCODED)
            self.gap = max(self.gap, SPACE)
        elif text:
            self._emit(text, at, size, IDENTITY if ascii_ else ENCODED)
        return end

    def _emit(self, text, raw_at, raw_len, kind):
        if kind == ENCODED and len(text) > PIECE:     # short pieces: plain_offset's search stays cheap
            for i in range(0, len(text), PIECE):
                part = text[i:i + PIECE]
                size = len(part.encode(self.encoding, "replace"))
                self._emit(part, raw_at, size, ENCODED)
                raw_at += size
            return
        if self.gap and self.length:
            sep = SEPARATORS[self.gap]
            self.pieces.append(sep)
            self.length += len(sep)
        self.gap = NONE
        self.raw_at.append(raw_at)
        self.raw_len.append(raw_len)
        self.plain_at.append(self.length)
        self.plain_len.append(len(text))
        self.kinds.append(kind)
        self.pieces.append(text)
        self.length += len(text)

    def plain_offset(self, pos):
        i = bisect.bisect_right(self.raw_at, pos) - 1
        if i < 0:
            return 0
        delta, start, size = pos - self.raw_at[i], self.plain_at[i], self.plain_len[i]
        if delta >= self.raw_len[i]:
            return start + size
        kind = self.kinds[i]
        if kind == IDENTITY:
            return start + delta
        if kind == ATOMIC:
            return start
        # The characters whose bytes all lie before pos: a character cut by pos is not.
        head = self.text[start:start + size].encode(self.encoding, "replace")[:delta]
        return start + len(head.decode(self.encoding, "ignore"))

    def raw_offset(self, index):
        """The raw offset of plain character `index` (of the end of the text before it
        when it is a separator): plain_offset(raw_offset(i)) == i for a copied character."""
        i = bisect.bisect_right(self.plain_at, index) - 1
        if i < 0:
            return self.raw_at[0] if len(self.raw_at) else self.base
        delta, start = index - self.plain_at[i], self.plain_at[i]
        if delta >= self.plain_len[i]:
            return self.raw_at[i] + self.raw_len[i]
        kind = self.kinds[i]
        if kind == IDENTITY:
            return self.raw_at[i] + delta
        if kind == ATOMIC:
            return self.raw_at[i]
        return self.raw_at[i] + len(self.text[start:start + delta].encode(self.encoding, "replace"))


def _whole_chars(buf, encoding):
    """buf without a UTF-8 character cut off at its end."""
    if encoding != "utf-8" or not buf or buf[-1] < 0x80:
        return buf
    for back in range(1, min(4, len(buf)) + 1):
        byte = buf[-back]
        if byte >= 0xC0:              # the lead byte: is its sequence complete?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return buf if back >= need else buf[:-back]
        if byte < 0x80:
            break
    return buf

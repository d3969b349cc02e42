"""A reply's text as it grows: append-only, read from any code-point offset, held
compactly.

    >>> text = Text()
    >>> for piece in ("Grü", "ße", " 🙂"):
    ...     text.append(piece)
    >>> text.length, text.since(3)
    (7, 'ße 🙂')
    >>> list(text.pieces(1, 5, size=2))
    ['rü', 'ße']

Why not a list of the pieces as they came: OpenAI-style providers and some relays
send a few characters an event, and a list of small str objects holds about 28
bytes per byte of text (each str has ~50 bytes of header, plus its list slot).
On a Kindle with 256-512 MB shared with the browser that is the difference
between a 512 KB reply costing 0.5 MB or 14 MB. So small pieces wait in a short
tail and are joined into one block every BLOCK characters, and an append still
costs only the piece (a joined block is never copied again). A block is kept as a
str or as its UTF-8 bytes, whichever is smaller: CPython keeps a str at 1, 2 or 4
bytes a character by its widest one, so one "→" in 8,192 characters of English
would double the block, where UTF-8 adds two bytes. Memory stays about one byte
per byte of text; a read decodes only the blocks it covers.

Readers get bounded slices (pieces()), so a poll for a long reply never needs a
second copy of all of it.
"""
import bisect
import sys

BLOCK = 8192        # characters: the tail becomes a block at this size
TAIL_PIECES = 32    # the tail's pieces are joined into one whenever it has this many


class Text:
    """Append-only text readable from any code-point offset."""

    def __init__(self):
        self._blocks, self._starts = [], []   # joined blocks (str or UTF-8 bytes), where each starts
        self._lengths = []                    # each block's length in characters
        self._tail, self._tail_length = [], 0
        self.length = 0

    def append(self, piece):
        if not piece:
            return
        self._tail.append(piece)
        self._tail_length += len(piece)
        self.length += len(piece)
        if self._tail_length >= BLOCK:
            self._seal()
        elif len(self._tail) >= TAIL_PIECES:
            self._tail = ["".join(self._tail)]   # copies < BLOCK characters, once per 32 pieces

    def _seal(self):
        block = "".join(self._tail)
        if not block.isascii():
            encoded = block.encode("utf-8", "surrogatepass")
            if len(encoded) + sys.getsizeof(b"") < sys.getsizeof(block):
                block = encoded
        self._starts.append(self.length - self._tail_length)
        self._lengths.append(self._tail_length)
        self._blocks.append(block)
        self._tail, self._tail_length = [], 0

    def since(self, offset, end=None):
        """The text from offset to end (default: all of it so far), as one str."""
        return "".join(self.pieces(offset, end))

    def pieces(self, offset, end=None, size=BLOCK):
        """The text from offset to end in slices of at most size characters. What it
        covers is fixed when called (call it under the lock the writer holds); the
        slices are cut later, outside it, from blocks that never change."""
        end = self.length if end is None else min(end, self.length)
        spans = []   # (block, its start offset, its length): references, not copies
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        for span in zip(self._blocks[i:], self._starts[i:], self._lengths[i:]):
            if span[1] >= end:
                break
            spans.append(span)
        tail_start = self.length - self._tail_length
        if self._tail and end > tail_start:
            spans.append(("".join(self._tail), tail_start, self._tail_length))   # at most BLOCK characters
        return _slices(spans, offset, end, size)


def _slices(spans, offset, end, size):
    for block, start, length in spans:
        stop = min(end, start + length)
        if offset < stop and isinstance(block, bytes):
            block = block.decode("utf-8", "surrogatepass")
        while offset < stop:
            step = min(stop, offset + size)
            yield block[offset - start:step - start]
            offset = step

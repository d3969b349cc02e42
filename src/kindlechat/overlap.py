"""Where a continuation joins a cut reply. A model asked to go on after a cut often
starts again a few words or the whole last sentence back; those words are dropped,
compared word by word (the whitespace and line breaks between them may differ), so
the stored text is the partial text followed by the rest: nothing lost, nothing
said twice.

    >>> join = Joiner("The cat sat on the m")
    >>> join.feed("The cat sat"), join.feed(" on the mat. It purred."), join.end()
    ('', 'at. It purred.', '')
    >>> overlap("It was late.\\nThe  night", "The night was cold.")
    9
    >>> overlap("It was late.", " The night was cold.")
    0

The continuation's first words are held back until they either repeat the end of
the partial text or can no longer do so (at most MAX_HOLD characters): nothing
repeated ever reaches the page.
"""
import re

# How far back a continuation may restart: the last sentence or two. A longer
# repeat is kept (said twice) rather than held back from the reader for long.
MAX_TAIL = 400
MAX_HOLD = MAX_TAIL + 200
_WORD = re.compile(r"\S+")
NO, WAIT, YES = 0, 1, 2
SENTENCE_END = ".!?:;"


def _spans(text):
    return [m.span() for m in _WORD.finditer(text)]


def _tail(partial):
    """(the partial text's last words within MAX_TAIL characters, whether it was
    cut inside its last word: no whitespace after it)."""
    start = max(0, len(partial) - MAX_TAIL)
    words = [partial[start + a:start + b] for a, b in _spans(partial[start:])]
    if start and words and not partial[start - 1].isspace():
        words = words[1:]   # a word cut by the window is not a word
    return words, bool(partial) and not partial[-1].isspace()


def _against(suffix, head, final, complete, cut_inside):
    """NO, WAIT or YES: do the continuation's words (head; its last one may still
    grow unless final, more words may follow unless complete) start with the words
    of suffix?"""
    last = len(suffix) - 1
    for j, word in enumerate(suffix):
        if j >= len(head):
            return NO if complete else WAIT
        have, grows = head[j], not final and j == len(head) - 1
        if j == last and cut_inside:   # the cut word, said again whole: "m" -> "mat."
            if have.startswith(word):
                return YES
            return WAIT if grows and word.startswith(have) else NO
        if have == word and not grows:
            continue
        if grows and word.startswith(have):
            return WAIT
        return NO
    return YES


def overlap(partial, head, complete=True):
    """How many characters at the start of head (a continuation of partial) repeat
    the end of partial: 0 if none; None while that can't be told (complete=False:
    more of head may follow)."""
    if len(head) >= MAX_HOLD:
        complete = True
    spans = _spans(head)
    if not spans:
        return 0 if complete else None
    tail, cut_inside = _tail(partial)
    words = [head[a:b] for a, b in spans]
    final = complete or head[-1].isspace()
    for i in range(len(tail)):   # the longest repeat first
        found = _against(tail[i:], words, final, complete, cut_inside)
        if found == WAIT:
            return None
        if found == YES:
            n = len(tail) - i
            start, end = spans[n - 1]
            return start + len(tail[-1]) if cut_inside else end
    return 0


class Joiner:
    """A continuation, fed through: feed(text) returns what may be shown now (held
    back while the overlap is undecided); end() returns what is left at its end."""

    def __init__(self, partial):
        self.partial = partial
        self.held = ""
        self.decided = False

    def feed(self, text):
        if self.decided:
            return text
        self.held += text
        cut = overlap(self.partial, self.held, complete=False)
        return "" if cut is None else self._release(cut)

    def end(self):
        return "" if self.decided else self._release(overlap(self.partial, self.held))

    def _release(self, cut):
        self.decided = True
        rest, self.held = self.held[cut:], ""
        if not self.partial or self.partial[-1].isspace():
            # One space between them, not two; after a repeat, the partial text's own.
            rest = rest.lstrip() if cut else rest.lstrip(" \t")
        elif self.partial[-1] in SENTENCE_END and rest[:1].isalnum():
            rest = " " + rest   # asked to go on, a model starts its sentence bare
        return rest

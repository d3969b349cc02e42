"""The text a book chat's message carries: the book up to the reader's position and
nothing after it, cut to a budget.

Built from `before`, the text that ENDS at the position (the caller slices it): this
module never sees a character past it, so no ranking, label or cut here can put one
in a request. Within the budget go, in this order: the passages most relevant to
the question (retrieval.py, BM25 over the paragraphs before the position), then the
text just before the position, as long as what is left allows. Each passage and
each page of the recent text is labelled with its page (label(offset)).

    >>> before = "\\n\\n".join("Paragraph %d about %s." % (i, w) for i, w in enumerate(["tea"] * 5 + ["cats"] * 30))
    >>> out = build(before, lambda at: "p. %d" % (at // 100 + 1), "What about tea?", 600)
    >>> len(out.text) <= 600, out.passages[:2], out.recent_from > 0
    (True, ['p. 1', 'p. 1'], True)
    >>> out.text.rstrip().endswith("Paragraph 34 about cats.")
    True
"""
import bisect

from . import retrieval

RECENT_SHARE = 0.4     # of the budget, kept for the text just before the position at least
PASSAGE_MAX = 1500     # characters of one passage
CHARS_A_TOKEN = 4      # what a token of prose is worth in characters, roughly (English, Latin scripts)


class Context(object):
    def __init__(self, text, passages, recent_from, pages):
        self.text = text                 # the excerpts, labelled
        self.passages = passages         # the labels of the passages, in book order
        self.recent_from = recent_from   # where the recent text starts (0: all of it)
        self.pages = pages               # every label the text carries, in book order, once each


def chars(tokens):
    return int(tokens) * CHARS_A_TOKEN


def build(before, label, question, budget, lowered=None, starts=None):
    """A Context of at most budget characters from before (the book up to the
    position). lowered/starts: before lower-cased and its paragraph starts, when the
    caller has them cached (they must be of before, not of the whole book)."""
    if starts is None:
        starts = retrieval.paragraph_starts(before)
    end = len(before)
    if end <= budget:   # all of it fits: no ranking needed
        recent = _labelled(before, starts, 0, end, label)
        return Context(recent[0], [], 0, recent[1])
    if lowered is None:
        lowered = before.lower()
        if len(lowered) != end:   # a rare letter whose lower case is longer: rank on the text itself
            lowered = before
    recent_min = max(0, int(budget * RECENT_SHARE))
    cut = _paragraph_at(starts, end - recent_min)
    chosen, used = [], 0
    for p in retrieval.rank(lowered, starts, question, cut):
        s = starts[p]
        e = min(starts[p + 1] if p + 1 < len(starts) else end, cut)
        piece = before[s:e].strip()[:PASSAGE_MAX]
        cost = len(piece) + 16
        if used + cost > budget - recent_min:
            continue
        chosen.append((s, piece))
        used += cost
    chosen.sort()
    room = budget - used
    start = _paragraph_at(starts, end - room + 64)   # whole paragraphs, and room for labels
    chosen = [(s, piece) for s, piece in chosen if s + len(piece) <= start]
    parts, pages = [], []
    if chosen:
        parts.append("Passages from earlier in the book:")
        for s, piece in chosen:
            parts.append("[%s] %s" % (label(s), piece))
            if label(s) not in pages:
                pages.append(label(s))
        parts.append("")
        parts.append("The text just before where I am:")
    recent, recent_pages = _labelled(before, starts, start, end, label, room)
    parts.append(recent)
    seen = set(pages)
    pages += [p for p in recent_pages if p not in seen]
    text = "\n".join(parts)
    return Context(text[-budget:] if len(text) > budget else text, [label(s) for s, _ in chosen], start, pages)


def _paragraph_at(starts, at):
    """The first paragraph start at or after at (a cut at a paragraph's start)."""
    i = bisect.bisect_left(starts, max(0, at))
    return starts[i] if i < len(starts) else (starts[-1] if starts else 0)


def _labelled(before, starts, start, end, label, room=None):
    """before[start:end] with [label] before each paragraph whose label differs from the one before."""
    out, pages, last = [], [], None
    i = bisect.bisect_left(starts, start)
    at = start
    bounds = list(starts[i:]) + [end]
    for k in range(len(bounds) - 1):
        s, e = bounds[k], bounds[k + 1]
        here = label(s)
        piece = before[s:e].strip()
        if not piece:
            continue
        if here != last:
            out.append("[%s] %s" % (here, piece))
            pages.append(here)
            last = here
        else:
            out.append(piece)
    if not out and before[at:end].strip():
        out.append("[%s] %s" % (label(at), before[at:end].strip()))
        pages.append(label(at))
    text = "\n\n".join(out)
    if room is not None and len(text) > room:
        text = text[-room:]
    return text, pages

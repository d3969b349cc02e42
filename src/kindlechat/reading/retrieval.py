"""BM25 over a book's paragraphs, in pure Python, counting only the text before a bound.

No index is kept: for the few words of a question, a compiled regular expression
scans the book's lower-cased text up to the bound (re's C loop, a few ms a MiB),
and bisect places each hit in its paragraph. So the ranking, its document
frequencies and its lengths all come from the text before the reader's position:
the text after it is never read for a request, not even as a statistic.
Document length is a paragraph's length in characters (BM25 only uses its ratio
to the average, which characters give as well as words). A word found more than twice
for every paragraph is left out (its idf is next to nothing when it is spread, and
placing each hit is the ranking's one Python loop: on the Kindle it is the cost).

    >>> text = "Alice saw a rabbit.\\n\\nThe rabbit ran.\\n\\nTea with the Hatter.\\n\\nThe Queen of Hearts."
    >>> starts = paragraph_starts(text)
    >>> [text[s:s + 9] for s in starts]
    ['Alice saw', 'The rabbi', 'Tea with ', 'The Queen']
    >>> [text[starts[i]:starts[i] + 9] for i in rank(text.lower(), starts, "Who is the rabbit?", len(text))]
    ['The rabbi', 'Alice saw']
    >>> rank(text.lower(), starts, "Queen", starts[3])    # the Queen comes after the bound
    []
"""
import bisect
import math
import re

K1, B = 1.2, 0.75
MAX_TERMS = 16
WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to rank by, in the page's four languages (a question is short:
# these would only add scans).
STOP = frozenset("""a an and are as at be but by did do does for from had has have he her him his how i if in
into is it its me my of on or she so than that the their them then there they this to was were what when
where which who whom why will with you your about after before up out
der die das und ist ein eine wer wie was warum wo ich er sie es den dem des im zu mit von nicht
le la les un une et est qui que quoi pourquoi il elle de du des au aux en dans je ne pas
el la los las un una y es quien que por como donde yo no de del en con se""".split())


def paragraph_starts(text):
    """Where each paragraph of the plain text starts (paragraphs are split by "\\n\\n")."""
    starts, at = [], 0
    size = len(text)
    while at < size:
        end = text.find("\n\n", at)
        if end < 0:
            end = size
        if text[at:end].strip():
            starts.append(at)
        at = end + 2
    return starts


def terms(question):
    """The distinct words to rank by, stop words dropped, at most MAX_TERMS."""
    seen = []
    for w in WORD.findall(question.lower()):
        if len(w) > 1 and w not in STOP and w not in seen:
            seen.append(w)
    return seen[:MAX_TERMS]


def rank(lowered, starts, question, bound, limit=40):
    """Indices of the paragraphs before bound most relevant to question, best first.
    lowered: the book's text, lower-cased (same length as the text); a paragraph
    that runs past the bound counts only up to it."""
    count = bisect.bisect_left(starts, bound)   # paragraphs starting before the bound
    if count == 0:
        return []
    avg = max(1.0, bound / float(count))
    scores = {}
    for term in terms(question):
        if lowered.count(term, 0, bound) > 2 * count:
            continue   # far more hits than paragraphs: spread so wide its weight is next to none
        hits = {}
        for m in re.compile(r"\b%s\b" % re.escape(term)).finditer(lowered, 0, bound):
            p = bisect.bisect_right(starts, m.start()) - 1
            if p >= 0:
                hits[p] = hits.get(p, 0) + 1
        if not hits:
            continue
        idf = math.log(1.0 + (count - len(hits) + 0.5) / (len(hits) + 0.5))
        for p, tf in hits.items():
            length = _length(starts, p, bound)
            norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
            scores[p] = scores.get(p, 0.0) + idf * norm
    best = sorted(scores, key=lambda p: (-scores[p], p))
    return best[:limit]


def _length(starts, p, bound):
    end = starts[p + 1] if p + 1 < len(starts) else bound
    return max(1, min(end, bound) - starts[p])

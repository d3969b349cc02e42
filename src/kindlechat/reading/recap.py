"""The story so far and who's who. A book whose text before the position fits one part
(half the budget) is recapped from that text. A longer one is summarised in parts, each
part's summary asked for once and kept in the book's notes in the data folder (by part
size), so the next recap only reads the text since the last whole part (kocatchup's rolling
recap): recap() then returns a Plan that parts_first.py runs before the reply. Who's who
reads the X-Ray database where the book has one (xray.py: the entities first met before
the position), else asks the model to list the cast from the text, each answer kept (by
its chat and index) and sent with the text read since the next time.

    >>> fit("a" * 10 + "\\n\\n" + "b" * 10, 12)
    ('bbbbbbbbbb', True)
"""
import bisect

from . import asks

PART_SHARE = 0.5     # of the budget: one part of a long book, summarised in one request
PART_MIN = 500       # characters
MAX_NEW_PARTS = 8    # parts summarised for one recap at most (the newest; the rest the next time)

KEEP = 20   # summaries kept per book and kind (oldest dropped)


def fit(text, budget):
    """(the end of text that fits budget, cut at a paragraph start where one is near, cut?)."""
    if len(text) <= budget:
        return text, False
    tail = text[-budget:]
    at = tail.find("\n\n")
    if 0 <= at < budget // 4:
        tail = tail[at + 2:]
    return tail, True


def _earlier(notes, kind, bound, read_message):
    """(summary text, its end offset, the pages it drew on) of the newest finished reply
    kept for kind that ended at or before bound, else ("", 0, [])."""
    kept = notes.read().get(kind) or []
    for item in sorted(kept, key=lambda k: -k.get("end", 0)):
        if item.get("end", 0) > bound:
            continue   # a summary past this bound (the position went back): not to be sent
        message = read_message(item.get("chat"), item.get("index"))
        if message and message.get("status") == "done" and message.get("text"):
            return message["text"], item["end"], list(item.get("pages") or [])
    return "", 0, []


def _remember(notes, kind, bound, chat_id, index, pages):
    found = notes.read()
    kept = [k for k in (found.get(kind) or []) if isinstance(k, dict)]
    kept.append({"end": bound, "chat": chat_id, "index": index, "pages": pages})
    found[kind] = kept[-KEEP:]
    notes.write(found)


def _excerpt(book, start, bound, label, budget):
    """The labelled text from start to bound (the end kept when it is too long), its labels, cut?"""
    from . import context
    piece, cut = fit(book.text[start:bound], budget)
    ctx = context.build(piece, lambda at: label(bound - len(piece) + at), "", budget)
    return ctx.text, ctx.pages, cut


def recap(notes, book, entry, bound, here, label, budget, chat_id, index, read_message):
    """(request text, pages) for a book whose text before the position fits one part,
    else (Plan, pages): the parts not yet summarised are asked for first (parts_first.py)."""
    part = max(PART_MIN, int(budget * PART_SHARE))
    ends = part_ends(book, part, bound)
    if not ends:   # all of it fits one part: the text itself
        text, pages, cut = _excerpt(book, 0, bound, label, budget)
        return asks.recap(entry, here, "", "", text, cut), pages
    plan = Plan(notes, book, entry, here, label, part, ends, bound)
    if not plan.jobs:
        return plan.build(), plan.pages
    return plan, plan.pages


def part_ends(book, part, bound):
    """Where the whole parts before bound end: the first paragraph start at or after each
    multiple of part (the same cuts for every position, so a part's summary is reused)."""
    ends, at = [], part
    while at < bound:
        i = bisect.bisect_left(book.starts, at)
        end = book.starts[i] if i < len(book.starts) else len(book.text)
        if end > bound or (ends and end <= ends[-1]):
            break
        ends.append(end)
        at = end + part
    return ends


class Plan(object):
    """The story so far of a long book: the summaries of its whole parts before the position
    (kept in the book's notes by part size and end), then the text since the last part.
    jobs: [(part number, request)] still to ask; keep() stores an answer; build() is the
    reply's request once they are in."""

    def __init__(self, notes, book, entry, here, label, part, ends, bound):
        self.notes, self.book, self.entry, self.here, self.label = notes, book, entry, here, label
        self.bound, self.size = bound, str(part)
        self.spans = list(zip([0] + ends[:-1], ends))
        kept = ((notes.read().get("parts") or {}).get(self.size) or {})
        self.summaries = {int(k): v for k, v in kept.items() if isinstance(v, dict) and v.get("summary")}
        missing = [i for i in range(len(self.spans)) if i not in self.summaries]
        self.left_out = [i for i in missing[:-MAX_NEW_PARTS]] if len(missing) > MAX_NEW_PARTS else []
        self.jobs = [(i, self._ask(i)) for i in missing[-MAX_NEW_PARTS:]]
        self.tail, self.tail_pages, _ = _excerpt(book, ends[-1], bound, label, part + 2000)
        self.pages = []
        for a, b in self.spans:
            for p in (label(a), label(max(a, b - 1))):
                if p not in self.pages:
                    self.pages.append(p)
        self.pages += [p for p in self.tail_pages if p not in self.pages]

    def _where(self, i):
        a, b = self.spans[i]
        return "%s to %s" % (self.label(a), self.label(max(a, b - 1)))

    def _ask(self, i):
        a, b = self.spans[i]
        from . import context
        ctx = context.build(self.book.text[a:b], lambda at: self.label(a + at), "", b - a + 4000)
        return asks.part_summary(self.entry, self._where(i), ctx.text)

    def keep(self, i, summary):
        self.summaries[i] = {"summary": summary.strip(), "end": self.spans[i][1]}
        found = self.notes.read()
        parts = found.setdefault("parts", {}).setdefault(self.size, {})
        parts[str(i)] = self.summaries[i]
        self.notes.write(found)

    def build(self):
        done = [(self._where(i), self.summaries[i]["summary"]) for i in range(len(self.spans)) if i in self.summaries]
        left = self.label(self.spans[self.left_out[-1]][1] - 1) if self.left_out else ""
        return asks.recap_from_parts(self.entry, self.here, done, left, self.tail)


def cast(notes, book, entry, bound, here, label, budget, name, chat_id, index, read_message, notices):
    """Who's who from the book's X-Ray (entities first met before the position, their
    descriptions and excerpts from the text before it), else from the text, rolled."""
    from . import xray
    found = xray.find_xray(entry["sdr"])
    if found is not None:
        ray, why = xray.read_xray(found, book.raw_offset(bound), name or None)
        if why is not None:
            notices.append(why)   # a locked or foreign X-Ray: the text is used instead
        elif ray.entities or name:
            return asks.cast_from_xray(entry, here, xray_lines(ray.entities, book, bound, label, budget),
                                       name), []
    known, end, before = _earlier(notes, "casts", bound, read_message)
    text, pages, _ = _excerpt(book, end, bound, label, max(1000, budget - len(known)))
    pages = before + [p for p in pages if p not in before]
    _remember(notes, "casts", bound, chat_id, index, pages)
    return asks.cast_from_text(entry, here, text, name, known), pages


def cast_unread(entry, pos, name):
    """Who's who of a book whose text can't be read (DRM): its X-Ray up to the sidecar's
    position, descriptions only (the excerpts are offsets into that text). None without
    an X-Ray or a position from the sidecar."""
    from . import xray
    found = xray.find_xray(entry["sdr"])
    if found is None or pos.get("from") != "sidecar" or pos.get("raw") is None:
        return None
    ray, why = xray.read_xray(found, pos["raw"], name or None)
    if why is not None:
        return None
    lines = ["%s (%s, %d mention%s so far): %s" % (e.label, e.kind, e.mentions or 0, "" if e.mentions == 1 else "s",
                                                   e.description or "") for e in ray.entities[:200]]
    return lines or ["(none of that name has appeared so far)" if name else "(no one has appeared so far)"]


def xray_lines(entities, book, bound, label, budget):
    """One entry an entity: label (kind): description, then up to two excerpts, their
    text taken from the book and cut at the bound."""
    out, used = [], 0
    for e in entities:
        line = "%s (%s, %d mention%s so far): %s" % (e.label, e.kind, e.mentions or 0, "" if e.mentions == 1 else "s",
                                                     e.description or "")
        for start, length in list(e.excerpts)[-2:]:
            a, b = book.plain_offset(start), min(bound, book.plain_offset(start + length))
            if a < b:
                line += "\n  [%s] %s" % (label(a), " ".join(book.text[a:b].split())[:400])
        if used + len(line) > budget:
            break
        out.append(line)
        used += len(line)
    if not out and entities is not None:
        out.append("(none of that name has appeared so far)")
    return out

"""The story so far and who's who, rolling: each reply is kept (by its chat and index)
as a summary up to the position its request ended at, in the book's notes in the data
folder; the next recap sends that summary and only the text read since (kocatchup's
rolling recap). Who's who reads the X-Ray database where the book has one (xray.py:
the entities first met before the position), else asks the model to list the cast
from the text, rolled the same way.

    >>> fit("a" * 10 + "\\n\\n" + "b" * 10, 12)
    ('bbbbbbbbbb', True)
"""
from . import asks

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
    summary, end, before = _earlier(notes, "recaps", bound, read_message)
    summary_where = label(end) if summary else ""
    text, pages, cut = _excerpt(book, end, bound, label, max(1000, budget - len(summary)))
    pages = before + [p for p in pages if p not in before]   # the summary's pages, then the new text's
    _remember(notes, "recaps", bound, chat_id, index, pages)
    return asks.recap(entry, here, summary, summary_where, text, cut), pages


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

"""The words of a book chat's requests: what the model is told, around the book's
text (context.py) that ends at the reader's position.

    >>> where({"page": "52", "location": 1234, "percent": 38.0})
    'page 52 (location 1234), 38% of the way through'
    >>> "cite" in ask({"title": "Emma", "author": "Jane Austen"}, "", "Who is Harriet?", "...").lower()
    True
"""
RULES = ("Answer from the book's text given below, and from what you know of this book only up to this "
         "point. Reveal nothing that happens after it: no later events, deaths, twists or endings, even if "
         "I ask; if a question can't be answered without spoiling, say so. Cite the pages you draw on, as "
         "they are labelled in the text, like (p. 12) or (loc. 345).")


def where(position):
    """The reader's place in words: page (location), percent."""
    parts = []
    if position.get("page"):
        parts.append("page %s" % position["page"])
        if position.get("location"):
            parts[-1] += " (location %d)" % position["location"]
    elif position.get("location"):
        parts.append("location %d" % position["location"])
    if position.get("percent") is not None:
        parts.append("%d%% of the way through" % round(position["percent"]))
    return ", ".join(parts) or "somewhere in it"


def _head(book, here):
    by = (" by %s" % book["author"]) if book.get("author") else ""
    return "I am reading %s%s, and I am at %s." % (book.get("title") or "a book", by, here or "an unknown point")


def ask(book, here, question, excerpts):
    return "\n".join([_head(book, here), RULES, "", "The book up to where I am:", "-----", excerpts, "-----", "",
                      "My question: " + question])


def recap(book, here, summary, summary_where, excerpts, cut):
    lines = [_head(book, here), RULES, ""]
    if summary:
        lines += ["Your earlier summary of the story up to %s:" % summary_where, "-----", summary, "-----", ""]
    lines += ["The book's text %s:" % ("since then" if summary else "up to where I am"), "-----", excerpts, "-----", ""]
    if cut:
        lines.append("(Only the last part of that text fits here; earlier parts are left out.)")
    lines.append("Tell me the story so far, up to where I am: the main events in order and where the "
                 "characters stand now, in a few short paragraphs%s." % (
                     ", folding in your earlier summary" if summary else ""))
    return "\n".join(lines)


def cast_from_xray(book, here, entities, name):
    lines = [_head(book, here), RULES, "", "The book's X-Ray, as far as I have read (name, kind, description, "
             "then passages where it appears):", "-----"]
    lines += entities
    lines += ["-----", ""]
    lines.append(("Who or what is %s? Answer from the X-Ray above." % name) if name else
                 "Who's who so far: list the main people, then the terms, each in one line with what I know "
                 "of them up to here.")
    return "\n".join(lines)


def cast_from_text(book, here, excerpts, name, known):
    lines = [_head(book, here), RULES, ""]
    if known:
        lines += ["Your earlier list of who's who, up to an earlier point:", "-----", known, "-----", ""]
    lines += ["The book up to where I am:", "-----", excerpts, "-----", ""]
    lines.append(("Who or what is %s, as far as I have read?" % name) if name else
                 "Who's who so far: list the characters who have appeared, each in one line: the name, then "
                 "who they are and where they stand now, with the page they first appear on.")
    return "\n".join(lines)


def unreadable(book, here, question, why):
    """A book whose text can't be read: title, author and percent, as a chat always had."""
    return "\n".join([_head(book, here), "(KindleChat could not read this book's text: %s)" % why,
                      "Answer from what you know of this book only up to this point, and reveal nothing "
                      "that happens after it; if a question can't be answered without spoiling, say so.", "",
                      "My question: " + question])


def part_summary(book, where, excerpts):
    """One part of a long book, summarised on its own (recap.py keeps the answer)."""
    by = (" by %s" % book["author"]) if book.get("author") else ""
    return "\n".join(["Here is a part of %s%s (%s)." % (book.get("title") or "a book", by, where),
                      "Summarise what happens in it in one or two short paragraphs: the events in order, "
                      "who is involved, and what changes. Use only this text; cite its pages like (p. 12).",
                      "", "-----", excerpts, "-----"])


def recap_from_parts(book, here, parts, left_out, excerpts):
    """The story so far from the summaries of the parts read, then the text since the last."""
    lines = [_head(book, here), RULES, ""]
    if left_out:
        lines += ["(The story before %s is not summarised here.)" % left_out, ""]
    lines.append("Summaries of the parts I have read, in order:")
    lines += ["- %s: %s" % (where, summary) for where, summary in parts]
    lines += ["", "The book's text since then, up to where I am:", "-----", excerpts, "-----", "",
              "Tell me the story so far, up to where I am: the main events in order and where the characters "
              "stand now, in a few short paragraphs."]
    return "\n".join(lines)

"""The questions a library action sends: the passage, the book and its author as
context, and what to do. The first line is "Book: “first words…”" because a chat's
title is its first message's start (store.summary).

    >>> h = {"book": "Emma", "author": "Jane Austen", "text": "Emma Woodhouse, handsome, clever, and rich",
    ...      "note": "", "page": "1", "location": "5-6"}
    >>> highlight(h, "explain").splitlines()[0]
    'Emma: “Emma Woodhouse, handsome, clever, and…”'
"""
HIGHLIGHT_ACTIONS = ("explain", "summarize", "translate", "discuss")
ASK = {
    "explain": "Explain this passage: what it means, and anything a reader might miss (words, allusions, context).",
    "summarize": "Summarize this passage in a few plain sentences.",
    "translate": "Translate this passage into %(language)s. Give the translation first, then notes on any "
                 "word that has no exact equivalent.",
    "discuss": "Let's discuss this passage. Start with what it says and why it matters, then ask me one "
               "question about it.",
}
FIRST_WORDS = 5


def opening(book, text):
    words = " ".join(text.split()).split(" ")
    head = " ".join(words[:FIRST_WORDS]).rstrip(",;:.")
    more = "…" if len(words) > FIRST_WORDS else ""
    return "%s: “%s%s”" % (book or "A book", head, more)


def _where(item):
    parts = []
    if item.get("page"):
        parts.append("page %s" % item["page"])
    if item.get("location"):
        parts.append("location %s" % item["location"])
    return ", ".join(parts)


def _book_line(book, author):
    return "From %s%s." % (book or "a book", (" by %s" % author) if author else "")


def highlight(item, action, language="English"):
    where = _where(item)
    lines = [opening(item["book"], item["text"] or item["note"]), "",
             ASK[action] % {"language": language}, "",
             _book_line(item["book"], item["author"]) + ((" (%s)" % where) if where else ""),
             "Passage:", item["text"] or "(no text)"]
    if item.get("note"):
        lines += ["", "My note on it: " + item["note"]]
    return "\n".join(lines)


def word(item):
    """Explain a looked-up word as used in its sentence."""
    return "\n".join(["%s: the word “%s”" % (item["book"] or "A book", item["word"]), "",
                      "Explain the word “%s” as it is used in this sentence, in a few lines: its meaning "
                      "here, and a simpler way to say it." % item["word"], "",
                      _book_line(item["book"], item["author"]), "Sentence: " + (item["usage"] or "(none)")])


def quiz(words):
    listed = ["%d. %s — “%s”" % (i + 1, w["word"], w["usage"]) for i, w in enumerate(words)]
    return "\n".join(["Quiz me on my last %d words" % len(words), "",
                      "Quiz me on these words I looked up while reading, one at a time: ask about one "
                      "word, wait for my answer, tell me if I was right, then go on to the next. "
                      "Each comes with the sentence I found it in.", ""] + listed)


def book(item):
    """Ask about the book being read, with where the reader is, and no spoilers past it."""
    if item.get("progress") is not None:
        where = "I am %d%% of the way through it" % round(item["progress"] * 100)
    else:
        where = "I don't know exactly how far I am"
    return "\n".join(["%s: ask about this book" % item["title"], "",
                      "I am reading %s%s; %s." % (item["title"], (" by %s" % item["author"]) if item["author"] else "", where),
                      "Reveal nothing that happens after that point: no later events, deaths, twists or "
                      "endings, even if I ask. If a question can't be answered without spoiling, say so.",
                      "Start by asking me what I would like to know about the story so far."])

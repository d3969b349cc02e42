"""A card for each of a few words, in one request: the prompt, and reading the
model's answer. Provider-neutral: the prompt is a user message, the answer text.

    >>> words = [{"id": "a1", "word": "grapple", "lang": "en", "usage": "To the last I grapple with thee."}]
    >>> text = prompt(words, "German")
    >>> text.splitlines()[0] == MARKER, asked(text)
    (True, [(1, 'grapple', 'en')])
    >>> parse("#1\\nmeaning: ringen, kämpfen\\nexample: They grapple with the problem.", words)
    {'a1': {'meaning': 'ringen, kämpfen', 'example': 'They grapple with the problem.'}}

The answer's format is one the smallest models keep to: "#N" on a line, then
"meaning:" and "example:" lines. Markdown around the labels (**meaning:**), a
"1." for "#1" and a missing example are all read; a word whose meaning is
missing gets no card (a word without one is still reviewed from its sentence).
"""
import re

MARKER = "KindleChat vocabulary cards"
BATCH = 5          # words a request: few requests, short answers
MAX_FIELD = 400    # characters kept of a meaning or an example

_HEAD = re.compile(r"^[\s*_#>]*#?\s*(\d{1,3})\s*[.):]?[\s*_]*$")
_FIELD = re.compile(r"^[\s*_>-]*(meaning|example)[\s*_]*:[\s*_]*(.*?)[\s*_]*$", re.I)
_ASKED = re.compile(r"^#(\d+) \[(\w*)\] (.*)$")


def batches(ids, size=BATCH):
    """The ids in requests of size words: len(batches(ids)) is the cost in requests."""
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def prompt(words, language):
    """The request for words ([{"word", "lang", "usage"}]); the meanings in language."""
    lines = [MARKER,
             "For each numbered word below, write a flashcard for a reader who looked it up "
             "while reading the sentence given.",
             "- meaning: what the word means as used in that sentence, written in %s, in one short line;" % language,
             "- example: one more short example sentence with the word, in the word's own language "
             "(the code in brackets).",
             "Answer in exactly this format and nothing else:",
             "#1", "meaning: ...", "example: ...", "#2", "meaning: ...", "example: ...",
             "", "Words:"]
    for n, word in enumerate(words, 1):
        lines.append("#%d [%s] %s" % (n, word.get("lang") or "", word["word"]))
        lines.append("sentence: %s" % " ".join((word.get("usage") or "").split()))
    return "\n".join(lines) + "\n"


def asked(text):
    """[(n, word, lang)] a prompt asks for (the demo's emulator answers from this)."""
    out = []
    for line in text.splitlines():
        match = _ASKED.match(line)
        if match:
            out.append((int(match.group(1)), match.group(3), match.group(2)))
    return out


def parse(answer, words):
    """{word id: {"meaning", "example"}} from the model's answer to prompt(words)."""
    found, current = {}, None
    for line in (answer or "").splitlines():
        head = _HEAD.match(line)
        if head:
            current = int(head.group(1))
            continue
        field = _FIELD.match(line)
        if field and current is not None and 1 <= current <= len(words):
            text = " ".join(field.group(2).split())[:MAX_FIELD]
            found.setdefault(current, {})[field.group(1).lower()] = text
    out = {}
    for n, fields in sorted(found.items()):
        if fields.get("meaning"):
            out[words[n - 1]["id"]] = {"meaning": fields["meaning"], "example": fields.get("example", "")}
    return out

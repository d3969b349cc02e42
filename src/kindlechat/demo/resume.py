"""The demo model's side of a continuation (continuing.py), and demo:sleep: a reply
cut twice, as the Kindle's sleep would cut it.

    >>> full = "One two three. Four five six seven."
    >>> start = restart_at(full, "One two three. Four fi")
    >>> full[start:]
    'three. Four five six seven.'

A continuation request (resume_turns.instruct: the partial reply as the model's
turn, then the request to go on) is answered with the rest of the same answer,
started a few words back, as models often do (the server must drop the repeat:
overlap.py). demo:sleep cuts the connection at a third and at two thirds of the
answer, and each continuation comes after a pause (the network coming back).
"""
import re

from ..providers.resume_turns import CONTINUE

RESTART_WORDS = 3     # how far back the demo model starts again
FAILING = ("demo:drop", "demo:stall")   # their continuations are cut too: the error is shown
SLEEP_CUTS = (1.0 / 3, 2.0 / 3)
_WORD_START = re.compile(r"(?<!\S)\S")


def _text(content):
    parts = (content or {}).get("parts") or [{}]
    text = parts[0].get("text") if isinstance(parts[0], dict) else None
    return text if isinstance(text, str) else ""


def continuation(contents):
    """(question, partial reply) of a Gemini continuation request, else None."""
    if len(contents) < 3 or _text(contents[-1]) != CONTINUE or contents[-2].get("role") != "model":
        return None
    return _text(contents[-3]), _text(contents[-2])


def _content(message):
    content = (message or {}).get("content")
    if isinstance(content, list):   # Anthropic's content blocks
        content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return content if isinstance(content, str) else ""


def continuation_of_messages(messages):
    """(question, partial reply) of a continuation in the other kinds' messages: the
    partial reply as the last assistant message (prefill), or followed by the request
    to go on (instruction); else None."""
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    if len(messages) >= 3 and roles[-2:] == ["assistant", "user"] and _content(messages[-1]) == CONTINUE:
        return _content(messages[-3]), _content(messages[-2])
    if len(messages) >= 2 and roles[-1] == "assistant":
        return _content(messages[-2]), _content(messages[-1])
    return None


def restart_at(full, partial, words=RESTART_WORDS):
    """Where in full a continuation of partial starts: a few words before its end."""
    end = 0
    while end < min(len(full), len(partial)) and full[end] == partial[end]:
        end += 1
    starts = [m.start() for m in _WORD_START.finditer(full, 0, end)]
    starts = [s for s in starts if s < end]
    return starts[-words] if len(starts) >= words else 0


def next_cut(full, after):
    """The demo:sleep cut after position after (characters), or None: the rest is whole."""
    for share in SLEEP_CUTS:
        at = int(len(full) * share)
        if at > after:
            return at
    return None

"""Follow-up questions, asked for in the same request and cut out of the reply's text
as it streams: the model is asked to end its answer with a marker line and two or
three short questions; the page shows them as buttons and never sees the marker.

    >>> cut = Splitter()
    >>> cut.feed("Blue light scatters more. [[follow"), cut.feed("-ups]]\\nWhy is the sunset red?\\n")
    ('Blue light scatters more. ', '')
    >>> cut.end(), cut.questions
    ('', ['Why is the sunset red?'])

Provider-neutral: it works on the reply's text deltas, whatever sent them, and the
request asks through the system instruction, which every provider's builder sends
(asking()). What it promises the reply's own text:
  - nothing is lost or changed: without a whole marker, what comes out is exactly
    what went in, in order;
  - nothing waits longer than the next delta: only a possible start of the marker
    at the end of the text so far (at most len(MARKER) - 1 characters) is held back,
    and it goes out with the next delta or at the end (end(), also after an error or
    Stop);
  - a model that writes the marker and then goes on writing (more than MAX_TAIL
    characters, or a line too long for a question) gets its text back, marker and all.
"""
import re

MARKER = "[[follow-ups]]"
# Appended to the system instruction. About 60 tokens in every request; the questions
# cost about 10 to 20 output tokens each (README, "Less typing").
INSTRUCTION = ("After your answer, write a line with only %s on it, then two or three short follow-up "
               "questions the reader might ask you next, one a line, in the language of your answer, "
               "with no numbering. Write nothing after them." % MARKER)
MAX_TAIL = 600          # characters after the marker: three questions, and some
MAX_QUESTION = 200      # characters in one question
MAX_QUESTIONS = 3
BULLET = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+")


def asking(settings):
    """A copy of settings whose system instruction also asks for follow-ups.

        >>> asking({"system_instruction": "Be brief."})["system_instruction"].startswith("Be brief.\\n\\nAfter")
        True
    """
    own = (settings.get("system_instruction") or "").rstrip()
    return dict(settings, system_instruction=(own + "\n\n" if own else "") + INSTRUCTION)


def asked(system_instruction):
    """True if a system instruction asks for follow-ups (the emulator answers them)."""
    return MARKER in (system_instruction or "")


def _held_length(text):
    """How many characters at the end of text could start the marker. Runs for every
    text delta (the relay's hot path): a held start must begin with the marker's first
    character in the last len(MARKER) - 1, so most deltas cost one str.find."""
    at = text.find(MARKER[0], max(0, len(text) - (len(MARKER) - 1)))
    while at >= 0:   # the leftmost candidate is the longest
        if MARKER.startswith(text[at:]):
            return len(text) - at
        at = text.find(MARKER[0], at + 1)
    return 0


def questions_in(tail):
    """The questions after the marker, or None if they are not questions.

        >>> questions_in("\\n1. Why?\\n- **How?**\\n\\n")
        ['Why?', 'How?']
    """
    found = []
    for line in tail.splitlines():
        line = BULLET.sub("", line.strip()).strip("*_ \t\"")
        if not line:
            continue
        if len(line) > MAX_QUESTION:
            return None   # not a question: the model went on with its answer
        if len(found) < MAX_QUESTIONS:
            found.append(line)
    return found or None


class Splitter:
    """Cuts the follow-ups out of a reply's text deltas: feed() each delta and show
    what it returns; end() once at the end (its text is the reply's too). Then
    questions is the list of follow-ups, or None. With enabled=False it passes
    everything through (follow-ups were not asked for)."""

    def __init__(self, enabled=True):
        self.looking = enabled   # the marker has not come yet
        self.tail = None         # the text after the marker, once it came
        self.held = ""           # a possible start of the marker, not shown yet
        self.questions = None

    def feed(self, text):
        if self.tail is not None:
            self.tail += text
            return self._give_up() if len(self.tail) > MAX_TAIL else ""
        if not self.looking:
            return text
        if not self.held and MARKER[0] not in text:
            return text   # most deltas: no part of the marker can be in them (one C call, no copy)
        pending = self.held + text
        at = pending.find(MARKER)
        if at >= 0:
            self.held, self.tail, self.looking = "", "", False
            return pending[:at] + self.feed(pending[at + len(MARKER):])
        keep = _held_length(pending)
        self.held = pending[len(pending) - keep:]
        return pending[:len(pending) - keep]

    def pending(self):
        """What is held back (a possible marker, or the follow-ups so far), as the
        model said it: a continuation after a cut goes on from there."""
        return self.held + (MARKER + self.tail if self.tail is not None else "")

    def _give_up(self):
        """Not follow-ups after all: the model's text, marker included, goes on as is."""
        text, self.tail = MARKER + self.tail, None
        return text

    def end(self):
        """The text still held back; sets questions. Safe to call twice (later feeds
        pass through)."""
        text, self.held, self.looking = self.held, "", False
        if self.tail is not None:
            self.questions = questions_in(self.tail)
            if self.questions is None and self.tail.strip():
                text = self._give_up()
            self.tail = None
        return text

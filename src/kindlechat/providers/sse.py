"""Server-sent events, decoded as the WHATWG HTML standard says (section 9.2.6,
"Interpreting an event stream"). Knows nothing of the network: feed it bytes.

    >>> lines = LineDecoder()
    >>> lines.feed(b'data: one\\r\\n\\r\\ndata: tw') + lines.feed(b'o\\r\\n\\r\\n')
    ['data: one', '', 'data: two', '']
    >>> [e.data for e in iter_events([b'data: one\\r\\n\\r\\ndata: two\\r\\n\\r\\n'])]
    ['one', 'two']

Why this and not requests' ``iter_lines``: ``iter_lines`` yields an extra blank
line when a CRLF is split between two network reads (requests #3980), and a blank
line ends an event, so a multi-line event would arrive as two
(tests/test_transport.py pins it). With ``decode_unicode=True`` it would also
guess ISO-8859-1 for ``text/event-stream`` without a charset, and split on U+2028
and U+0085 (``str.splitlines``), which Gemini sends raw inside its JSON. Here the
bytes are split first: CR and LF never occur inside a multi-byte UTF-8 sequence,
so decoding each whole line as UTF-8 is exact.

Where it departs from the spec, on purpose (its only departures against 177 cases
from five other projects' suites):
- ``EventDecoder.flush()`` hands back an event whose closing blank line never came,
  at the end of a body; the spec discards it. Real Gemini replies end so, and the
  provider decoders take it only when its payload is whole JSON. ``iter_events``
  keeps the spec's rule.
- A ``retry:`` field is kept with the next event that has data; one with no data is
  never reported (the spec sets the reconnection time at once). Nothing here
  reconnects by the server's word: the page and the replies keep their own pace.
"""
from collections import namedtuple

Event = namedtuple("Event", "event data id retry")
Event.__doc__ = "One dispatched event: type (default 'message'), data, last event id, retry ms or None."

_BOM = b"\xef\xbb\xbf"


class LineDecoder:
    """Splits a byte stream into lines, each decoded as UTF-8.

    Spec: "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE
    FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character, or a
    single U+000D CARRIAGE RETURN (CR) character."  A CR at the end of one chunk
    ends the line at once (so the event is not held back); an LF opening the next
    chunk is then the second half of that CRLF, not an empty line.
    """

    def __init__(self):
        self._pending = []      # pieces of an unfinished line (bytes)
        self._skip_lf = False   # last chunk ended in CR
        self._first = True      # the stream's first line may open with a BOM

    def feed(self, chunk):
        """Take the next bytes; return the lines they complete, as str."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                if not chunk:
                    return []
        # bytes.splitlines splits at exactly the spec's line ends, CRLF, LF and CR
        # (str.splitlines would also split at U+2028, U+0085, ...); one C call for
        # the whole chunk, where a loop over a regex's matches costs per line.
        lines = chunk.splitlines()
        end, unfinished = chunk[-1], None
        if end == 13:           # CR: the line ended; an LF next would be its second half
            self._skip_lf = True
        elif end != 10:         # no line end: the last line is unfinished
            unfinished = lines.pop()
        if self._pending and lines:
            self._pending.append(lines[0])
            lines[0] = b"".join(self._pending)
            self._pending = []
        if unfinished is not None:
            self._pending.append(unfinished)
        if lines:
            lines[0] = self._without_bom(lines[0])
        # Spec: streams "must always be encoded as UTF-8"; invalid bytes become U+FFFD.
        return [line.decode("utf-8", "replace") for line in lines]

    def flush(self):
        """End of stream: the unfinished line, if any (the spec then discards it)."""
        return [self._take()] if self._pending else []

    def _without_bom(self, line):
        """The line, without a BOM if it is the stream's first.
        Spec: "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any." """
        if self._first:
            self._first = False
            if line.startswith(_BOM):
                return line[3:]
        return line

    def _take(self):
        line = self._without_bom(b"".join(self._pending))
        self._pending = []
        # Spec: streams "must always be encoded as UTF-8"; invalid bytes become U+FFFD.
        return line.decode("utf-8", "replace")


class EventDecoder:
    """Turns lines into events: ``decode(line)`` returns an Event or None.

        >>> d = EventDecoder()
        >>> d.decode('data:x'), d.decode('')
        (None, Event(event='message', data='x', id='', retry=None))
    """

    def __init__(self):
        self._event = ""
        self._data = []
        self._last_id = ""
        self._retry = None

    def decode(self, line):
        if not line:
            return self._dispatch()
        if line[:6] == "data: ":   # the usual line, first: what the rules below make of it
            self._data.append(line[6:])
            return None
        # Spec: "If the line starts with a U+003A COLON character (:) Ignore the line."
        if line[0] == ":":
            return None
        # Spec: field name up to the first colon; "If value starts with a U+0020 SPACE
        # character, remove it from value."  A line without a colon is a field with
        # the empty string as value.
        field, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id":
            # Spec: "If the field value does not contain U+0000 NULL, then set the
            # last event ID buffer to the field value. Otherwise, ignore the field."
            if "\0" not in value:
                self._last_id = value
        elif field == "retry":
            # Spec: "If the field value consists of only ASCII digits ... Otherwise, ignore the field."
            if value and value.isascii() and value.isdigit():
                self._retry = int(value)
        # Spec: "Otherwise: The field is ignored."
        return None

    def flush(self):
        """End of stream: the event whose lines all arrived but whose closing blank
        line did not, or None. The spec discards it ("any pending data must be
        discarded"); iter_events does. A caller that can tell a whole payload from a
        partial one (JSON) may use it instead: captures of real Gemini replies end so."""
        return self._dispatch()

    def _dispatch(self):
        # Spec: "If the data buffer is an empty string, set the data buffer and the
        # event type buffer to the empty string and return."  (Empty means no data
        # line at all: "data:" alone appends "\n" and does dispatch.)
        if not self._data:
            self._event = ""
            return None
        event = Event(self._event or "message", "\n".join(self._data), self._last_id, self._retry)
        self._event, self._data, self._retry = "", [], None
        return event


def iter_events(chunks):
    """Events from an iterable of byte chunks. An unfinished event at the end is
    discarded, as the spec says ("Once the end of the file is reached, any pending
    data must be discarded")."""
    lines, decoder = LineDecoder(), EventDecoder()
    for chunk in chunks:
        for line in lines.feed(chunk):
            event = decoder.decode(line)
            if event is not None:
                yield event

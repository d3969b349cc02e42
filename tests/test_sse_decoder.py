"""The SSE decoder (src/kindlechat/sse.py) against the WHATWG spec's own examples,
every chunk boundary, and the traps of requests' iter_lines that it avoids."""
import pytest
import requests
import responses

from kindlechat.providers.sse import EventDecoder, LineDecoder, iter_events


def events_of(data, pieces=None):
    return [tuple(e[:3]) for e in iter_events(pieces if pieces is not None else [data])]


def every_split(data):
    """Every way of cutting data in two, and 1-byte pieces."""
    yield [data[i:i + 1] for i in range(len(data))]
    for i in range(len(data) + 1):
        yield [data[:i], data[i:]]


# -- the spec's examples (HTML standard, 9.2.6) ---------------------------------

def test_spec_stock_example_three_lines_of_data():
    data = b"data: YHOO\ndata: +2\ndata: 10\n\n"
    assert events_of(data) == [("message", "YHOO\n+2\n10", "")]


def test_spec_example_comments_and_ids():
    data = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
    assert events_of(data) == [("message", "first event", "1"),
                               ("message", "second event", ""),
                               ("message", " third event", "")]


def test_spec_example_empty_data_lines():
    data = b"data\n\ndata\ndata\n\ndata:\n"
    # the last block has no blank line: discarded at end of stream
    assert events_of(data) == [("message", "", ""), ("message", "\n", "")]


def test_spec_example_space_after_colon_is_optional():
    assert events_of(b"data:test\n\ndata: test\n\n") == [("message", "test", "")] * 2


def test_event_type_and_retry():
    events = list(iter_events([b"event: add\nretry: 3000\ndata: 73857293\n\nretry: x1\ndata: b\n\n"]))
    assert (events[0].event, events[0].retry) == ("add", 3000)
    assert (events[1].event, events[1].retry) == ("message", None)


def test_id_with_null_is_ignored_and_id_persists():
    events = list(iter_events([b"id: 7\ndata: a\n\nid: x\x00y\ndata: b\n\n"]))
    assert [e.id for e in events] == ["7", "7"]


def test_no_data_dispatches_nothing():
    assert events_of(b"event: ping\n\n: comment\n\nid: 3\n\n") == []


@pytest.mark.parametrize("eol", [b"\r\n", b"\n", b"\r"])
def test_line_endings(eol):
    data = b"data: a" + eol + b"data: b" + eol + eol + b"data: c" + eol + eol
    assert events_of(data) == [("message", "a\nb", ""), ("message", "c", "")]


def test_one_leading_bom_is_stripped_and_only_one():
    for pieces in every_split(b"\xef\xbb\xbfdata: a\n\n"):
        assert events_of(None, pieces) == [("message", "a", "")], pieces
    # a second BOM makes the field name "\ufeffdata", which is ignored
    assert events_of(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\n") == []


def test_unfinished_event_at_eof_is_discarded():
    assert events_of(b"data: a\n\ndata: b\n") == [("message", "a", "")]
    lines = LineDecoder()
    assert lines.feed(b"data: tail") == [] and lines.flush() == ["data: tail"]


def test_decoder_returns_event_or_none_per_line():
    d = EventDecoder()
    assert d.decode("data: x") is None
    assert d.decode("").data == "x"


# -- chunk boundaries -------------------------------------------------------------

GEMINI_LIKE = ('data: {"text":"Grüße 你好 \u2028 \u0085 🙂"}\r\n\r\n'
               'data: {"text":"two"}\r\n\r\n').encode("utf-8")


def test_every_chunk_boundary_gives_the_same_events():
    expected = events_of(GEMINI_LIKE)
    assert len(expected) == 2
    for pieces in every_split(GEMINI_LIKE):
        assert events_of(None, pieces) == expected, pieces


def test_crlf_split_across_chunks_yields_no_extra_line():
    lines = LineDecoder()
    got = lines.feed(b"data: a\r") + lines.feed(b"\n\r") + lines.feed(b"\ndata: b\r\n\r\n")
    assert got == ["data: a", "", "data: b", ""]


def test_line_is_passed_on_when_its_cr_arrives():
    """The CR alone ends the line: the event goes out before the LF is seen."""
    lines, events = LineDecoder(), EventDecoder()
    out = [events.decode(line) for line in lines.feed(b"data: a\r\n\r")]
    assert [e.data for e in out if e] == ["a"]


def test_multibyte_character_split_between_chunks():
    data = "data: é€🙂\n\n".encode("utf-8")
    for pieces in every_split(data):
        assert events_of(None, pieces) == [("message", "é€🙂", "")]


def test_raw_u2028_and_u0085_stay_inside_the_line():
    data = 'data: {"t":"a\u2028b\u0085c"}\r\n\r\n'.encode("utf-8")
    assert events_of(data) == [("message", '{"t":"a\u2028b\u0085c"}', "")]


def test_invalid_utf8_becomes_replacement_character():
    assert events_of(b"data: \xff\n\n") == [("message", "\ufffd", "")]


# -- the requests traps this module exists to avoid (pinned, so a change in
#    requests that removes them shows up here) --------------------------------------

@responses.activate
def test_trap_requests_guesses_iso_8859_1_for_event_stream():
    body = 'data: {"text":"Grüße"}\r\n\r\n'.encode("utf-8")
    responses.add(responses.POST, "http://gemini.test/x", body=body, content_type="text/event-stream")
    r = requests.post("http://gemini.test/x", stream=True)
    assert r.encoding == "ISO-8859-1"
    assert "Grüße" not in list(r.iter_lines(decode_unicode=True))[0]
    assert [e.data for e in iter_events([body])] == ['{"text":"Grüße"}']


def test_trap_str_splitlines_splits_inside_gemini_json():
    line = 'data: {"text":"a\u2028b\u0085c"}'
    assert len(line.splitlines()) == 3
    assert LineDecoder().feed(line.encode("utf-8") + b"\n") == [line]


def test_trap_iter_lines_extra_blank_line_on_split_crlf():
    """requests #3980: iter_lines splits each chunk on its own, so a CRLF cut between
    two chunks gives an extra empty line (which an SSE decoder reads as an event end)."""
    class Fake(requests.Response):
        def iter_content(self, chunk_size=1, decode_unicode=False):
            return iter([b"data: a\r", b"\ndata: b\r\n\r\n"])
    got = list(Fake().iter_lines())
    assert got.count(b"") > 1
    lines = LineDecoder()
    assert lines.feed(b"data: a\r") + lines.feed(b"\ndata: b\r\n\r\n") == ["data: a", "data: b", ""]


def test_only_cr_and_lf_end_lines_not_other_ascii_separators():
    """VT, FF and the ASCII file/group/record separators are text, not line ends."""
    data = b"data: a\x0bb\x0cc\x1cd\x1de\x1ef\r\n\r\n"
    for pieces in every_split(data):
        assert events_of(None, pieces) == [("message", "a\x0bb\x0cc\x1cd\x1de\x1ef", "")]

"""The transport (src/kindlechat/transport.py): one connection for many replies,
none kept after a stop or an error, the one hook into urllib3, public APIs only
elsewhere, and why requests' iter_lines is not what reads the stream. All against
a real loopback server (testkit/upstream.py)."""
import ast
import glob
import os
import threading
import time

import requests

from kindlechat.providers import gemini, sse
from kindlechat.providers.stream import ReplyStream
from kindlechat.providers.transport import Transport
from testkit import SRC
from testkit.gemini_chunks import chunk, event, sse_body
from testkit.upstream import Reply

WHOLE = sse_body(["Hello", " there"])


def reply_over(transport, upstream):
    exchange = transport.exchange(gemini.stream_url(upstream.url, "m"), {"x-goog-api-key": "k"}, b"{}")
    stream = ReplyStream(exchange, gemini.Decoder(), "k")
    return stream, "".join(d.text for d in stream)


def test_replies_that_end_normally_share_one_connection(upstream):
    upstream.script(Reply(body=WHOLE, keep_alive=True))
    transport = Transport()
    for _ in range(3):
        stream, text = reply_over(transport, upstream)
        assert (text, stream.error) == ("Hello there", None)
    assert len(upstream.requests) == 3 and upstream.connections == 1


def test_a_reply_that_failed_mid_stream_leaves_no_connection_behind(upstream):
    error = b'data: {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}\r\n\r\n'
    upstream.script(Reply(body=event(chunk("Hel")) + error + WHOLE, keep_alive=True),
                    Reply(body=WHOLE, keep_alive=True))
    transport = Transport()
    stream, text = reply_over(transport, upstream)
    assert stream.error.code == "overloaded" and text == "Hel"
    stream, text = reply_over(transport, upstream)    # not the failed body's rest, read as an answer
    assert (text, stream.error) == ("Hello there", None)
    assert upstream.connections == 2


def test_a_stopped_reply_closes_its_connection_and_the_next_opens_one(upstream):
    upstream.script(Reply(body=WHOLE, pieces=[WHOLE[:40], WHOLE[40:]], stall_after=1, stall_seconds=20,
                          keep_alive=True), Reply(body=WHOLE, keep_alive=True))
    transport = Transport()
    exchange = transport.exchange(gemini.stream_url(upstream.url, "m"), {}, b"{}")
    stream = ReplyStream(exchange, gemini.Decoder(), "k")
    reader = threading.Thread(target=lambda: list(stream))
    reader.start()
    deadline = time.monotonic() + 5
    while not upstream.sent and time.monotonic() < deadline:
        time.sleep(0.01)
    stream.close()
    reader.join(5)
    assert not reader.is_alive() and stream.stopped
    assert reply_over(transport, upstream)[1] == "Hello there"
    assert upstream.connections == 2


def test_the_hook_notes_the_connection_before_the_headers_and_stop_shuts_it(upstream):
    """transport.py's one hook into urllib3 (its ConnectionCls): while the headers
    are held back, the exchange knows its connection, and cancel() ends the wait."""
    upstream.script(Reply(body=WHOLE, head_delay=20))
    exchange = Transport().exchange(gemini.stream_url(upstream.url, "m"), {}, b"{}")
    opened = []
    opener = threading.Thread(target=lambda: opened.append(_try(exchange.open)))
    opener.start()
    deadline = time.monotonic() + 5
    while not upstream.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert exchange._conn is not None and exchange._conn.sock is not None
    started = time.monotonic()
    exchange.cancel()
    opener.join(5)
    # well before the 20 s the headers are held back: cancel did not wait for them (a bound
    # tied to the stall, not a speed target, so a slow machine can't fail it)
    assert not opener.is_alive() and time.monotonic() - started < 10
    assert isinstance(opened[0], requests.ConnectionError)


def _try(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 -- the test looks at what it was
        return exc


# Attributes that our own code defines may start with "_"; any other "_name" read
# off an object is a library's private internals. transport.py's hook section uses
# only documented extension points (ConnectionCls, pool_classes_by_scheme) and the
# connection's socket (http.client's sock).
def _own_private_names():
    names = set()
    for path in glob.glob(os.path.join(SRC, "kindlechat", "**", "*.py"), recursive=True):
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


NAMEDTUPLE_API = {"_replace", "_asdict", "_fields", "_make"}   # public, though spelt with "_"


def test_src_reads_no_private_attribute_of_requests_urllib3_or_http_client():
    own, found = _own_private_names() | NAMEDTUPLE_API, []
    for path in sorted(glob.glob(os.path.join(SRC, "kindlechat", "**", "*.py"), recursive=True)):
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and node.attr not in own:
                found.append("%s:%d .%s" % (os.path.relpath(path, SRC), node.lineno, node.attr))
    assert found == []


def test_iter_lines_would_split_a_multi_line_event_where_a_crlf_is_cut(upstream):
    """Why the stream is not read with requests' iter_lines, as the design card has
    it: a CRLF cut between two reads gives a spurious blank line (requests #3980),
    which ends a multi-line event early. Our line decoder keeps it whole. If this
    test fails, requests has fixed it, and iter_lines could be used again."""
    body = b"data: first line\r\ndata: second line\r\n\r\n"
    cut = body.index(b"\r\n") + 1          # between the CR and the LF
    upstream.script(Reply(body=body, pieces=[body[:cut], body[cut:]], delay=0.2))
    with requests.post(upstream.url, stream=True) as response:
        lines = list(response.iter_lines())
    events = [e.data for e in sse.iter_events([b"\n".join(lines) + b"\n"])]
    assert events == ["first line", "second line"]               # one event became two
    upstream.script(Reply(body=body, pieces=[body[:cut], body[cut:]], delay=0.2))
    with requests.post(upstream.url, stream=True) as response:
        events = [e.data for e in sse.iter_events(response.iter_content(chunk_size=None))]
    assert events == ["first line\nsecond line"]


def _read_times(upstream, gather, events=8, gap=0.02):
    """The monotonic time each chunk of a stream of `events` events, `gap` seconds
    apart, was handed over, read with the given gather."""
    pieces = [event(chunk("w%d " % n)) for n in range(events)]
    upstream.script(Reply(body=b"".join(pieces), pieces=pieces, delay=gap))
    exchange = Transport().exchange(gemini.stream_url(upstream.url, "m"), {}, b"{}", gather=gather)
    exchange.open()
    times = [time.monotonic() for _ in exchange.chunks()]
    exchange.close()
    return times


def test_a_fast_stream_is_read_in_bursts_once_reading_caught_up(upstream):
    """Gathering (transport.py): after a read that waited on the network, the
    exchange pauses, and the events sent meanwhile are then read in one go: one
    wake-up of the Kindle's core for many events. With gather 0 (throttle off)
    every event is read as it comes."""
    times = _read_times(upstream, gather=0.6)
    gaps = [b - a for a, b in zip(times, times[1:])]
    pause = max(range(len(gaps)), key=gaps.__getitem__)
    assert gaps[pause] >= 0.5                         # the pause, with the stream's rest sent meanwhile
    after = times[pause + 1:]
    assert len(after) >= 5 and after[-1] - after[0] < 0.3   # read back to back
    times = _read_times(upstream, gather=0.0)
    assert max(b - a for a, b in zip(times, times[1:])) < 0.4


def test_stop_ends_a_pause_at_once(upstream):
    """A stream paused to gather (here for 30 s) ends as soon as it is cancelled."""
    pieces = [event(chunk("one ")), event(chunk("two "))]
    upstream.script(Reply(body=b"".join(pieces), pieces=pieces, delay=0.1, stall_after=2, stall_seconds=20))
    exchange = Transport().exchange(gemini.stream_url(upstream.url, "m"), {}, b"{}", gather=30)
    exchange.open()
    got = []
    reader = threading.Thread(target=lambda: got.extend(_try(lambda: list(exchange.chunks())) or []))
    reader.start()
    deadline = time.monotonic() + 5
    while len(upstream.sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)   # the second event read, which waited: the reader is in its pause now
    started = time.monotonic()
    exchange.cancel()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 10   # not the 20 s stall
    exchange.close()

"""Browser faults (issue 5, must 2), at the HTTP level: a page that disconnects
mid-reply, reloads, polls from two tabs, or sends an offset beyond the text or
below zero. The rule each test checks: the text the page puts together is the
reply's text exactly (nothing missing, nothing twice), and no reply gets stuck.
"""
import http.client
import json
import random
import socket
import threading
import time

import pytest

from testkit.faultkit import KEY, tally
from testkit.gemini_chunks import event_split, numbered_text, pieces_of, sse_body
from testkit.serverproc import HTTPFailure, ServerProcess
from testkit.upstream import Reply, Upstream

TEXT = numbered_text(400) + " Unicode too: \u00e9\u4e2d\U0001F600 end."
PIECES = pieces_of(TEXT, 80)
BODY = sse_body(PIECES)


def paced(delay=0.02):
    """The reply in 81 sends, delay apart (about 1.6 s of streaming)."""
    return Reply(body=BODY, pieces=event_split(BODY), delay=delay)


@pytest.fixture(scope="module")
def up():
    server = Upstream().start()
    server.script(paced())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def srv(up, tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("browser") / "data", "--gemini-url", up.url,
                           "--throttle-ms", "0", "--read-timeout", "5", env={"GEMINI_API_KEY": KEY}).start()
    yield server
    server.stop()


def start_reply(srv):
    cid = srv.new_chat()
    return cid, srv.send(cid, "tell me")


def poll_path(cid, index, offset, wait=5):
    return "/api/chats/%s/messages/%d?from=%s&wait=%s" % (cid, index, offset, wait)


def raw_request(srv, path, close_after=0.0, headers=""):
    """Send a GET and hang up without reading (or after close_after seconds): a
    page that was closed, or whose Wi-Fi went away."""
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n" % (path, srv.port, headers)).encode())
    if close_after:
        time.sleep(close_after)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()   # RST, as a dropped Wi-Fi link looks once it comes back


def test_disconnect_mid_long_poll(srv):
    """30 long polls cut off while they wait; the reply goes on, and reads back whole."""
    cid, index = start_reply(srv)
    offset = 0
    for n in range(30):
        raw_request(srv, poll_path(cid, index, offset), close_after=random.choice([0, 0.01, 0.05]))
        if n % 5 == 0:
            answer = srv.get(poll_path(cid, index, offset, wait=0))
            offset = answer["next"]
    answer = srv.read_reply(cid, index, limit=30)
    assert (answer["status"], answer["text"]) == ("done", TEXT)
    assert srv.get("/api/chats/%s" % cid)["messages"][index]["text"] == TEXT
    tally("browser: long poll cut off mid-reply", 30)


def read_events(srv, cid, index, last_id=None, stop_after=None):
    """Read /events; returns (text, last id, ended). stop_after: hang up after that
    many text events."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    headers = {"Last-Event-ID": str(last_id)} if last_id is not None else {}
    conn.request("GET", "/api/chats/%s/messages/%d/events" % (cid, index), headers=headers)
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
    text, ident, count, fields = [], last_id, 0, {}
    try:
        while True:
            line = response.fp.readline()
            if not line:
                return "".join(text), ident, False
            line = line.decode("utf-8").rstrip("\n")
            if line:
                name, _, value = line.partition(": ")
                fields[name] = value
                continue
            if "data" in fields:
                answer = json.loads(fields["data"])
                if fields.get("event") == "end":
                    return "".join(text), int(fields["id"]), True
                text.append(answer["text"])
                ident = int(fields["id"])
                count += 1
                if stop_after and count >= stop_after:
                    return "".join(text), ident, False
            fields = {}
    finally:
        conn.close()


def test_event_stream_hung_up_and_resumed(srv):
    """/events cut off three times, resumed each time with Last-Event-ID."""
    cid, index = start_reply(srv)
    got, last = "", None
    for _ in range(3):
        text, last, ended = read_events(srv, cid, index, last, stop_after=3)
        got += text
        assert not ended
    text, last, ended = read_events(srv, cid, index, last)
    got += text
    assert ended and got == TEXT and last == len(TEXT)
    tally("browser: event stream cut off and resumed", 3)


def test_reload_mid_reply(srv):
    """A reload shows the stored chat, then polls on from the end of its text: the
    stored text is always a beginning of the reply, and the two together are it."""
    reloads = 0
    for _ in range(3):
        cid, index = start_reply(srv)
        time.sleep(random.uniform(0.1, 1.2))
        message = srv.get("/api/chats/%s" % cid)["messages"][index]
        assert message["role"] == "model" and message["status"] in ("streaming", "done")
        shown = message["text"]
        assert TEXT.startswith(shown)
        rest = []
        offset = len(shown)
        while True:
            answer = srv.get(poll_path(cid, index, offset))
            assert answer["next"] == offset + len(answer["text"])
            rest.append(answer["text"])
            offset = answer["next"]
            if answer["status"] != "streaming":
                break
        assert shown + "".join(rest) == TEXT
        reloads += 1
    tally("browser: reload mid-reply", reloads)


def test_two_tabs_and_a_late_third(srv):
    cid, index = start_reply(srv)
    results = {}

    def tab(name, delay):
        time.sleep(delay)
        results[name] = srv.read_reply(cid, index, wait=3, limit=30)

    tabs = [threading.Thread(target=tab, args=(n, d)) for n, d in (("a", 0), ("b", 0), ("late", 0.8))]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join(40)
    assert sorted(results) == ["a", "b", "late"]
    for answer in results.values():
        assert (answer["status"], answer["text"]) == ("done", TEXT)
    tally("browser: two tabs (and a late third) polling one reply", 3)


def test_wifi_gone_for_a_while(srv):
    """The page stops polling mid-reply (Wi-Fi asleep) and comes back after the end."""
    cid, index = start_reply(srv)
    first = srv.get(poll_path(cid, index, 0))
    time.sleep(2.5)
    rest = srv.get(poll_path(cid, index, first["next"]))
    assert rest["status"] == "done"
    assert first["text"] + rest["text"] == TEXT


@pytest.mark.parametrize("when", ["streaming", "done"])
def test_bad_offsets(srv, when):
    cid, index = start_reply(srv)
    if when == "done":
        srv.read_reply(cid, index)
    # While streaming the text grows, so only an offset past the whole reply is surely beyond it.
    length = len(TEXT) if when == "streaming" else len(srv.get(poll_path(cid, index, 0, wait=0))["text"])
    for offset, code in ((length + 1, "bad_offset"), (len(TEXT) + 1000, "bad_offset"), (10 ** 15, "bad_query"),
                         (-1, "bad_query"), ("-0x1", "bad_query"), ("abc", "bad_query"), ("1e3", "bad_query"),
                         ("%00", "bad_query"), ("1.5", "bad_query")):
        with pytest.raises(HTTPFailure) as failure:
            srv.get(poll_path(cid, index, offset, wait=1))
        assert failure.value.status == 400, (offset, failure.value.body)
        assert failure.value.body["error"]["code"] == code, (offset, failure.value.body)
    for wait in (-1, 61, "x", "nan", "inf"):
        with pytest.raises(HTTPFailure) as failure:
            srv.get(poll_path(cid, index, 0, wait=wait))
        assert failure.value.status == 400, (wait, failure.value.body)
    for last_id in ("-1", "abc", str(len(TEXT) + 5)):
        with pytest.raises(HTTPFailure) as failure:
            srv.get("/api/chats/%s/messages/%d/events" % (cid, index), headers={"Last-Event-ID": last_id})
        assert failure.value.status == 400, (last_id, failure.value.body)
    # The reply is not stuck by any of it.
    answer = srv.read_reply(cid, index, limit=30)
    assert (answer["status"], answer["text"]) == ("done", TEXT)
    tally("browser: offsets beyond the text or negative", 9 + 5 + 3)


def test_offset_inside_a_character_pair(srv):
    """Offsets count code points: an emoji is one, so an offset never splits it."""
    cid, index = start_reply(srv)
    srv.read_reply(cid, index)
    at = TEXT.index("\U0001F600")
    tail = srv.get(poll_path(cid, index, at, wait=0))
    assert tail["text"] == TEXT[at:] and tail["text"].startswith("\U0001F600")


def test_stop_from_one_tab_while_another_polls(srv, up):
    up.script(paced(0.05))
    cid, index = start_reply(srv)
    result = {}
    poller = threading.Thread(target=lambda: result.update(srv.read_reply(cid, index, wait=3, limit=30)))
    poller.start()
    time.sleep(0.6)
    assert srv.post("/api/chats/%s/messages/%d/stop" % (cid, index))["stopped"] is True
    poller.join(30)
    up.script(paced())
    assert result["status"] == "stopped" and TEXT.startswith(result["text"]) and result["text"]
    stored = srv.get("/api/chats/%s" % cid)["messages"][index]
    assert (stored["status"], stored["text"]) == ("stopped", result["text"])


def test_many_pollers_disconnecting_at_random(srv):
    """Eight pollers that each hang up at random, resume from their offset, and
    still each end with exactly the reply's text."""
    cid, index = start_reply(srv)
    texts, errors = {}, []

    def poller(n):
        rng = random.Random(n)
        offset, parts = 0, []
        try:
            while True:
                if rng.random() < 0.3:
                    raw_request(srv, poll_path(cid, index, offset), close_after=rng.choice([0, 0.02]))
                    continue
                answer = srv.get(poll_path(cid, index, offset, wait=2))
                assert answer["next"] == offset + len(answer["text"])
                parts.append(answer["text"])
                offset = answer["next"]
                if answer["status"] != "streaming":
                    texts[n] = "".join(parts)
                    return
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=poller, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(40)
    assert errors == []
    assert texts == {n: TEXT for n in range(8)}
    tally("browser: pollers hanging up at random and resuming", 8)


def test_throttled_first_text_at_once(tmp_path, up):
    """With the e-ink throttle on, the first text still comes at once, later answers
    no more often than the interval, and the text is the same."""
    srv = ServerProcess(tmp_path / "data", "--gemini-url", up.url, "--throttle-ms", "300",
                        env={"GEMINI_API_KEY": KEY}).start()
    try:
        cid, index = start_reply(srv)
        offset, parts, times = 0, [], []
        while True:
            sent = time.monotonic()
            answer = srv.get(poll_path(cid, index, offset, wait=5))
            times.append((offset, time.monotonic() - sent))
            parts.append(answer["text"])
            offset = answer["next"]
            if answer["status"] != "streaming":
                break
        assert "".join(parts) == TEXT
        later = [t for o, t in times[1:-1] if o > 0]
        assert all(t >= 0.25 for t in later), times
    finally:
        srv.stop()

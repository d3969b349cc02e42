"""Upstream faults (issue 5, must 1): each tried against a loopback server in
Gemini's wire format, through a real server process. Each must end with a clear
message, the partial reply kept (in the poll and on disk), and the server still
serving: after every fault the same chat is retried against a good reply.
"""
import glob
import json
import os
import re
import time

import pytest

from testkit.faultkit import KEY, tally
from testkit.gemini_chunks import event, event_split, numbered_text, pieces_of, sse_body
from testkit.serverproc import HTTPFailure, ServerProcess
from testkit.ports import free_port
from testkit.upstream import Reply, Upstream, split
from testkit.fixtures import gemini_dir

GOOD_TEXT = "All good again."


@pytest.fixture(scope="module")
def up():
    server = Upstream().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def srv(up, tmp_path_factory):
    """One server for the module, pointed at the scripted upstream, with short timeouts."""
    server = ServerProcess(tmp_path_factory.mktemp("faults") / "data", "--gemini-url", up.url,
                           "--read-timeout", "2", "--connect-timeout", "2", "--throttle-ms", "0",
                           env={"GEMINI_API_KEY": KEY}).start()
    yield server
    server.stop()
    assert KEY not in server.output()


def ask(srv, up, *replies, text="question"):
    """Script the upstream, send a message in a new chat and read the whole reply."""
    up._replies.clear()
    up.script(*replies)
    cid = srv.new_chat()
    index = srv.send(cid, text)
    return cid, index, srv.read_reply(cid, index, limit=60)


def check_kept_and_recover(srv, up, cid, index, answer):
    """The stored message is what the poll showed; the server serves on; Retry works."""
    stored = srv.get("/api/chats/%s" % cid)["messages"][index]
    assert stored["text"] == answer["text"]
    assert stored["status"] == answer["status"]
    assert stored.get("error") == answer.get("error")
    assert srv.get("/api/health")["ok"]
    up._replies.clear()
    up.script(Reply(body=sse_body([GOOD_TEXT])))
    again = srv.post("/api/chats/%s/retry" % cid)["index"]
    assert again == index
    done = srv.read_reply(cid, again)
    assert (done["status"], done["text"]) == ("done", GOOD_TEXT)


def assert_clear(answer, code):
    assert answer["status"] == "error", answer
    assert answer["error"]["code"] == code, answer
    message = answer["error"]["message"]
    assert 20 < len(message) < 600 and "{" not in message and "Traceback" not in message, message


# -- the network -----------------------------------------------------------------

def test_connection_refused(srv, up):
    closed = free_port()
    srv.request("PUT", "/api/settings", {"gemini_url": "http://127.0.0.1:%d" % closed})
    try:
        cid, index, answer = ask(srv, up, Reply())
    finally:
        srv.request("PUT", "/api/settings", {"gemini_url": up.url})
    assert_clear(answer, "no_network")
    assert answer["text"] == ""
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: connection refused", 1)


def test_dns_failure(srv, up):
    srv.request("PUT", "/api/settings", {"gemini_url": "http://kindlechat-test.invalid"})
    started = time.monotonic()
    try:
        cid, index, answer = ask(srv, up, Reply())
    finally:
        srv.request("PUT", "/api/settings", {"gemini_url": up.url})
    assert time.monotonic() - started < 30
    assert answer["status"] == "error"
    # A sandbox without any resolver may fail the lookup as "no network"; both are clear.
    assert answer["error"]["code"] in ("dns", "no_network"), answer
    assert "Wi-Fi" in answer["error"]["message"]
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: DNS failure", 1)


TEXT = numbered_text(60)
PIECES = pieces_of(TEXT, 20)
BODY = sse_body(PIECES)


@pytest.mark.parametrize("framing", ["chunked", "close", "length"])
def test_drop_mid_reply(srv, up, framing):
    """The connection is reset after 10 of 21 events: the first 10 pieces are kept."""
    cid, index, answer = ask(srv, up, Reply(body=BODY, pieces=event_split(BODY), framing=framing,
                                             drop_after=10, delay=0.005))
    assert_clear(answer, "dropped")
    assert answer["text"] == "".join(PIECES[:10])
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: connection reset mid-reply", 1)


def test_clean_close_without_finish(srv, up):
    """A close-delimited body that just ends before the finishReason: cut short."""
    body = sse_body(PIECES[:7], finish=None)
    cid, index, answer = ask(srv, up, Reply(body=body, pieces=split(body, "random"), framing="close"))
    assert_clear(answer, "dropped")
    assert answer["text"] == "".join(PIECES[:7])
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: stream ends without finishReason", 1)


def test_stall_longer_than_read_timeout(srv, up):
    started = time.monotonic()
    cid, index, answer = ask(srv, up, Reply(body=BODY, pieces=event_split(BODY), stall_after=5,
                                             stall_seconds=20))
    assert time.monotonic() - started < 10   # read timeout 2 s, not the stall's 20
    assert_clear(answer, "stalled")
    assert answer["text"] == "".join(PIECES[:5])
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: stall beyond the read timeout", 1)


def test_stall_before_headers(srv, up):
    """Connected, but not even the status line comes: the read timeout still applies."""
    started = time.monotonic()
    cid, index, answer = ask(srv, up, Reply(body=BODY, pieces=event_split(BODY), stall_after=0,
                                             stall_seconds=20))
    assert time.monotonic() - started < 10
    assert answer["status"] == "error"
    assert answer["error"]["code"] in ("stalled", "dropped"), answer
    check_kept_and_recover(srv, up, cid, index, answer)


@pytest.mark.parametrize("how", ["whole", "bytes", "random"])
def test_broken_json_line_among_good_ones(srv, up, how):
    """A garbled data line: the good text around it is kept, and the reply says
    that something could not be read (so the reader knows text may be missing)."""
    events = event_split(BODY)
    broken = b'data: {"candidates": [{"content": {"parts": [{"text": "LOST\r\n\r\n'
    body = b"".join(events[:8] + [broken] + events[8:])
    cid, index, answer = ask(srv, up, Reply(body=body, pieces=split(body, how)))
    assert answer["text"] == TEXT          # nothing but the garbled event is missing
    assert "LOST" not in answer["text"]
    note = answer.get("finish") or answer.get("error")
    assert note and "could not be read" in note["message"], answer
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: a broken JSON line among good ones", 1)


FIXTURES_MID_STREAM = [("fb_vertex_error_mid_stream.sse", "cancelled", "First Second "),
                       ("issue_vercel_ai_5217_mid_stream_503.txt", "overloaded", "Okay")]


@pytest.mark.parametrize("name,code,text", FIXTURES_MID_STREAM)
@pytest.mark.parametrize("how", ["whole", "bytes", "crlf"])
def test_bare_error_object_mid_stream(srv, up, fixtures_dir, name, code, text, how):
    with open(os.path.join(fixtures_dir, name), "rb") as f:
        body = f.read()
    cid, index, answer = ask(srv, up, Reply(body=body, pieces=split(body, how)))
    assert_clear(answer, code)
    assert answer["text"] == text
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: bare JSON error object mid-stream", 1)


def test_data_error_object_mid_stream(srv, up):
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    body = b"".join(event_split(BODY)[:6]) + event(error)
    cid, index, answer = ask(srv, up, Reply(body=body, pieces=event_split(body)))
    assert_clear(answer, "overloaded")
    assert answer["text"] == "".join(PIECES[:6])
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: data: error object mid-stream", 1)


def error_bodies():
    """(file, status, body) for every HTTP error body in tests/fixtures/gemini; a file
    that wraps several captured responses gives each of them. A missing folder is a
    collection error, not an empty (skipped) parametrisation."""
    root = gemini_dir()
    out = []
    for path in sorted(glob.glob(os.path.join(root, "err_*.json"))):
        status = int(re.match(r"err_(\d+)_", os.path.basename(path)).group(1))
        with open(path, "rb") as f:
            raw = f.read()
        doc = json.loads(raw)
        if "error" in doc:
            out.append((os.path.basename(path), status, raw))
        else:
            for key, value in sorted(doc.items()):
                if isinstance(value, dict) and "error" in value:
                    out.append(("%s#%s" % (os.path.basename(path), key), status,
                                json.dumps(value, indent=2).encode("utf-8")))
    return out


EXPECTED_CODE = {400: "bad_request", 403: "forbidden", 404: "model_unavailable", 429: "rate_limited"}


@pytest.mark.parametrize("name,status,body", error_bodies(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("ctype", ["application/json; charset=UTF-8", "text/event-stream"])
def test_http_error_bodies(srv, up, fixtures_dir, name, status, body, ctype):
    cid, index, answer = ask(srv, up, Reply(status=status, body=body, content_type=ctype, framing="length"))
    code = ("api_key_invalid" if "api_key_invalid" in name else
            "unavailable_here" if "failed_precondition" in name else
            "thinking_refused" if status == 400 and b"is not supported" in body else
            "daily_quota" if "per_day" in name else EXPECTED_CODE[status])
    assert_clear(answer, code)
    if status == 429 and b"RetryInfo" in body and code != "daily_quota":
        assert re.search(r"in \d+ seconds", answer["error"]["message"]), answer
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: HTTP error bodies of the fixtures", 1)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_with_odd_bodies(srv, up, status):
    """Gateways answer 5xx with HTML or nothing at all."""
    cid, index, answer = ask(srv, up, Reply(status=status, body=b"<html>Bad Gateway</html>",
                                             content_type="text/html", framing="length"))
    assert answer["status"] == "error" and "(%d)" % status in answer["error"]["message"], answer
    check_kept_and_recover(srv, up, cid, index, answer)


@pytest.mark.parametrize("framing", ["chunked", "close", "length"])
def test_login_page_with_200(srv, up, framing):
    page = (b"<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>"
            b"<form method=post><input type=checkbox name=terms> I accept</form></body></html>")
    cid, index, answer = ask(srv, up, Reply(body=page, content_type="text/html; charset=utf-8", framing=framing))
    assert_clear(answer, "not_event_stream")
    assert "Wi-Fi" in answer["error"]["message"]
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: a Wi-Fi login page answering 200", 1)


def test_huge_login_page(srv, up):
    """A login page of several MB is read only so far, and not kept."""
    page = b"<html><body>" + b"<p>Welcome to the hotel.</p>" * 200000 + b"</body></html>"
    cid, index, answer = ask(srv, up, Reply(body=page, content_type="text/html", framing="close"))
    assert_clear(answer, "not_event_stream")
    check_kept_and_recover(srv, up, cid, index, answer)


def test_redirect_to_login_page(srv, up):
    """Captive portals answer with a redirect: no request follows it (the key would
    go with it), and the message asks about the Wi-Fi."""
    portal = Upstream().start()
    try:
        portal.script(Reply(body=b"<html>login</html>", content_type="text/html"))
        location = portal.url.replace("127.0.0.1", "localhost") + "/login"
        cid, index, answer = ask(srv, up, Reply(status=302, body=b"", framing="length",
                                                 headers={"Location": location}))
        assert answer["status"] == "error"
        assert "Wi-Fi" in answer["error"]["message"], answer
        assert portal.requests == []
        assert [r["headers"].get("x-goog-api-key") for r in up.requests[-2:]] == [KEY, KEY]
        check_kept_and_recover(srv, up, cid, index, answer)
    finally:
        portal.stop()
    tally("upstream: a redirect to a login page (key not followed)", 1)


def test_reply_of_several_megabytes(srv, up):
    """4 MB of text in 2000 events arrives whole, is stored whole, and reads back."""
    text = numbered_text(600000)[:4 * 1024 * 1024]
    pieces = pieces_of(text, 2000)
    body = sse_body(pieces)
    started = time.monotonic()
    cid, index, answer = ask(srv, up, Reply(body=body, pieces=split(body, "random")))
    assert answer["status"] == "done"
    assert answer["text"] == text
    assert time.monotonic() - started < 60
    chat = srv.get("/api/chats/%s" % cid)
    assert chat["messages"][index]["text"] == text
    # Read from an offset in the middle: the rest, exactly.
    middle = srv.get("/api/chats/%s/messages/%d?from=%d" % (cid, index, len(text) // 2))
    assert middle["text"] == text[len(text) // 2:]
    check_kept_and_recover(srv, up, cid, index, answer)
    tally("upstream: a 4 MB reply", 1)


def test_server_survives_all_of_the_above(srv):
    """Nothing above left the server in a bad state."""
    assert srv.proc.poll() is None
    assert srv.get("/api/health")["ok"]
    with pytest.raises(HTTPFailure):
        srv.get("/api/chats/000000000000")

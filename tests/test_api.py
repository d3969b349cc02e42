"""The HTTP API (README "HTTP API"), end to end against a real server process with
the built-in emulator."""
import json
import os
import threading
import time
import urllib.request

import pytest

from testkit.serverproc import HTTPFailure, ServerProcess


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """One demo server for the module (fast emulator, default 500 ms throttle)."""
    s = ServerProcess(tmp_path_factory.mktemp("api") / "data", "--demo").start()
    yield s
    s.stop()


def raw_get(srv, path, headers=None):
    req = urllib.request.Request(srv.url + path, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, dict(r.headers), r.read()


def test_health(srv):
    assert srv.get("/api/health") == {"ok": True, "version": "0.1.0", "demo": True}


def test_every_api_answer_is_not_cached(srv):
    for path in ("/api/health", "/api/chats", "/api/settings", "/api/nope"):
        try:
            _, headers, _ = raw_get(srv, path)
        except urllib.error.HTTPError as exc:
            headers = dict(exc.headers)
        assert headers["Cache-Control"] == "no-store", path
        assert "Access-Control-Allow-Origin" not in headers


def test_chat_lifecycle(srv):
    cid = srv.new_chat()
    assert any(c["id"] == cid for c in srv.get("/api/chats")["chats"])
    index = srv.send(cid, "What is e-ink?")
    assert index == 1
    answer = srv.read_reply(cid, index)
    assert answer["status"] == "done" and "About: What is e-ink?" in answer["text"]
    assert answer["usage"]["totalTokenCount"] > 0
    chat = srv.get("/api/chats/" + cid)
    assert chat["title"] == "What is e-ink?"
    assert [(m["role"], m["status"]) for m in chat["messages"]] == [("user", "done"), ("model", "done")]
    assert chat["messages"][1]["text"] == answer["text"]
    srv.request("DELETE", "/api/chats/" + cid, {})
    with pytest.raises(HTTPFailure) as info:
        srv.get("/api/chats/" + cid)
    assert info.value.status == 404 and info.value.body["error"]["code"] == "not_found"


def test_multi_turn_history_is_sent(srv):
    cid = srv.new_chat()
    srv.read_reply(cid, srv.send(cid, "echo: first answer"))
    answer = srv.read_reply(cid, srv.send(cid, "echo: second"))
    assert answer["text"] == "second"
    assert [m["text"] for m in srv.get("/api/chats/" + cid)["messages"]] == \
        ["echo: first answer", "first answer", "echo: second", "second"]


def test_second_message_while_streaming_is_409(tmp_path):
    slow = ServerProcess(tmp_path / "data", "--demo", fast=False).start()
    try:
        cid = slow.new_chat()
        slow.send(cid, "hello")
        with pytest.raises(HTTPFailure) as info:
            slow.send(cid, "again")
        assert info.value.status == 409
        assert slow.post("/api/chats/%s/messages/1/stop" % cid)["stopped"] is True
        answer = slow.read_reply(cid, 1)
        assert answer["status"] == "stopped"
        retried = slow.post("/api/chats/%s/retry" % cid)["index"]
        assert retried == 1
    finally:
        slow.stop()


def test_long_poll_answers_at_most_once_per_throttle_interval(tmp_path):
    """Pacing of the emulator is realistic here (30 tokens/s): every answer after the
    first text is held until 500 ms have passed since its poll arrived."""
    slow = ServerProcess(tmp_path / "data", "--demo", fast=False,
                         env={"KINDLECHAT_DEMO_TPS": "200", "KINDLECHAT_DEMO_FIRST_MS": "100"}).start()
    try:
        cid = slow.new_chat()
        index = slow.send(cid, "hello")
        offset, times = 0, []
        while True:
            started = time.monotonic()
            a = slow.get("/api/chats/%s/messages/%d?from=%d&wait=20" % (cid, index, offset))
            times.append((offset, time.monotonic() - started, a["status"]))
            offset = a["next"]
            if a["status"] != "streaming":
                break
        held = [t for off, t, status in times[1:] if status == "streaming"]
        assert held and min(held) >= 0.45, times
        assert times[0][0] == 0
    finally:
        slow.stop()


def test_poll_of_finished_reply_and_bad_offsets(srv):
    cid = srv.new_chat()
    answer = srv.read_reply(cid, srv.send(cid, "echo: 0123456789"))
    tail = srv.get("/api/chats/%s/messages/1?from=4" % cid)
    assert (tail["text"], tail["next"], tail["status"]) == ("456789", 10, "done")
    for bad in ("-1", "x", "11"):
        with pytest.raises(HTTPFailure) as info:
            srv.get("/api/chats/%s/messages/1?from=%s" % (cid, bad))
        assert info.value.status == 400, bad
    assert answer["text"] == "0123456789"


def test_offsets_count_code_points(srv):
    cid = srv.new_chat()
    srv.read_reply(cid, srv.send(cid, "echo: 🙂é你"))
    assert srv.get("/api/chats/%s/messages/1?from=1" % cid)["text"] == "é你"


def test_event_stream_resumes_from_last_event_id(srv):
    cid = srv.new_chat()
    srv.read_reply(cid, srv.send(cid, "echo: abcdef"))
    status, headers, body = raw_get(srv, "/api/chats/%s/messages/1/events" % cid, {"Last-Event-ID": "2"})
    assert headers["Content-Type"].startswith("text/event-stream")
    events = [block for block in body.decode().split("\n\n") if block.startswith("id:")]
    first = json.loads(events[0].split("data: ", 1)[1])
    assert first["text"] == "cdef" and first["next"] == 6
    assert "event: end" in body.decode()


def test_settings_api_key_is_write_only(srv):
    s = srv.get("/api/settings")
    assert s["api_key_set"] is False and "api_key" not in s
    s = srv.request("PUT", "/api/settings", {"temperature": 0.3, "throttle_ms": 400})
    assert (s["temperature"], s["throttle_ms"]) == (0.3, 400)
    with pytest.raises(HTTPFailure) as info:
        srv.request("PUT", "/api/settings", {"temperature": "hot"})
    assert info.value.status == 400
    with pytest.raises(HTTPFailure) as info:
        srv.request("PUT", "/api/settings", {"port": 1})
    assert info.value.status == 400
    srv.request("PUT", "/api/settings", {"temperature": None, "throttle_ms": 500})


def test_bad_requests_are_json_4xx(srv):
    cid = srv.new_chat()
    cases = [
        ("POST", "/api/chats/%s/messages" % cid, b"{not json", 400),
        ("POST", "/api/chats/%s/messages" % cid, b'{"text": 5}', 400),
        ("POST", "/api/chats/%s/messages" % cid, b'{"text": "   "}', 400),
        ("POST", "/api/chats/%s/messages" % cid, b'{"text": "\xff"}', 400),
        ("POST", "/api/chats/%s/messages" % cid, json.dumps({"text": "x" * 40000}).encode(), 413),
        ("POST", "/api/chats/../settings/messages", b'{"text": "x"}', 405),   # only GET / serves files
        ("GET", "/api/chats/%2e%2e", None, 404),
        ("PATCH", "/api/chats", b"{}", 405),
    ]
    for method, path, raw, status in cases:
        with pytest.raises(HTTPFailure) as info:
            srv.request(method, path, raw=raw)
        assert info.value.status == status, (method, path, raw)
        assert info.value.body["error"]["message"], (method, path)
    assert len(srv.get("/api/chats/" + cid)["messages"]) == 0


def test_writes_need_json_content_type_and_same_origin(srv):
    with pytest.raises(HTTPFailure) as info:
        srv.request("POST", "/api/chats", raw=b"text=hi", headers={"Content-Type": "text/plain"})
    assert info.value.status == 415
    with pytest.raises(HTTPFailure) as info:
        srv.post("/api/chats", headers={"Origin": "http://evil.example"})
    assert info.value.status == 403
    assert srv.post("/api/chats", headers={"Origin": srv.url})["id"]


def test_foreign_host_is_refused(srv):
    with pytest.raises(urllib.error.HTTPError) as info:
        raw_get(srv, "/api/health", {"Host": "evil.example:%d" % srv.port})
    assert info.value.code == 403
    for host in ("localhost", "127.0.0.1", "[::1]"):
        assert raw_get(srv, "/api/health", {"Host": "%s:%d" % (host, srv.port)})[0] == 200


def test_page_is_served(srv):
    status, headers, body = raw_get(srv, "/")
    assert status == 200 and b"<html" in body.lower()


def test_reply_survives_the_client_going_away(tmp_path):
    """Generation is not tied to the connection: nobody polls, the reply still ends."""
    slow = ServerProcess(tmp_path / "data", "--demo", fast=False,
                         env={"KINDLECHAT_DEMO_TPS": "300", "KINDLECHAT_DEMO_FIRST_MS": "50"}).start()
    try:
        cid = slow.new_chat()
        slow.send(cid, "hello")
        deadline = time.monotonic() + 30
        while slow.get("/api/chats/" + cid)["messages"][1]["status"] == "streaming":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert "demo mode" in slow.get("/api/chats/" + cid)["messages"][1]["text"]
    finally:
        slow.stop()


def test_two_pollers_see_the_same_text(tmp_path):
    slow = ServerProcess(tmp_path / "data", "--demo", fast=False,
                         env={"KINDLECHAT_DEMO_TPS": "300", "KINDLECHAT_DEMO_FIRST_MS": "50"}).start()
    try:
        cid = slow.new_chat()
        index = slow.send(cid, "hello")
        results = []
        threads = [threading.Thread(target=lambda: results.append(slow.read_reply(cid, index)["text"]))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(results) == 2 and results[0] == results[1]
        assert results[0] == slow.get("/api/chats/" + cid)["messages"][1]["text"]
    finally:
        slow.stop()


def test_thoughts_before_text_are_throttled_too(tmp_path, upstream):
    """While only thoughts stream (from=0, tfrom>0) answers are held like any other."""
    from testkit.upstream import Reply
    chunks = [{"candidates": [{"content": {"parts": [{"text": "thought %d. " % n, "thought": True}]}}]}
              for n in range(8)]
    chunks.append({"candidates": [{"content": {"parts": [{"text": "answer"}]}, "finishReason": "STOP"}]})
    pieces = [b"data: " + json.dumps(c).encode() + b"\r\n\r\n" for c in chunks]
    upstream.script(Reply(body=b"".join(pieces), pieces=pieces, delay=0.1))
    srv = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url, "--show-thoughts",
                        env={"GEMINI_API_KEY": "test-key-123456"}).start()
    try:
        cid = srv.new_chat()
        index = srv.send(cid, "think")
        tfrom, held = 0, []
        while True:
            started = time.monotonic()
            a = srv.get("/api/chats/%s/messages/%d?from=0&tfrom=%d&wait=10" % (cid, index, tfrom))
            if tfrom and a["status"] == "streaming" and not a["text"]:
                held.append(time.monotonic() - started)
            tfrom = a["thoughts_next"]
            if a["text"] or a["status"] != "streaming":
                break
        assert held and min(held) >= 0.45, held
    finally:
        srv.stop()


def test_deleting_a_chat_stops_its_reply(tmp_path, upstream):
    from testkit.upstream import Reply
    upstream.script(Reply(body=b'data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}]}\r\n\r\n',
                          stall_after=1, stall_seconds=30))
    srv = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url,
                        env={"GEMINI_API_KEY": "test-key-123456"}).start()
    try:
        cid = srv.new_chat()
        index = srv.send(cid, "hi")
        assert srv.get("/api/chats/%s/messages/%d?from=0&wait=10" % (cid, index))["text"] == "a"
        started = time.monotonic()
        srv.request("DELETE", "/api/chats/" + cid, {})
        assert time.monotonic() - started < 15   # the delete did not wait out the 30 s stall
        with pytest.raises(HTTPFailure) as info:
            srv.get("/api/chats/" + cid)
        assert info.value.status == 404
        assert os.listdir(os.path.join(srv.data_dir, "chats")) == []
    finally:
        srv.stop()

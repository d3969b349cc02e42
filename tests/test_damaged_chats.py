"""One wrongly typed record (issue 10, item 4): valid JSON that KindleChat never
wrote damages its own chat only. It is listed as damaged, reads as far as it
reads, can be deleted, refuses writes; the other chats and the start-up marking
of interrupted replies go on."""
import json
import os

import pytest

from testkit.faultkit import tally
from testkit.serverproc import HTTPFailure, ServerProcess

from kindlechat.records import Invalid, check
from kindlechat.store import COMPACT_SLACK, Damaged, NotFound, Store, parse_journal

GOOD = (b'{"t":"chat","id":"x","created":1}\n'
        b'{"t":"msg","role":"user","text":"Hi","status":"done"}\n'
        b'{"t":"msg","role":"model","text":"Hello","status":"done"}\n')
AFTER = b'{"t":"add","i":0,"text":" never read"}\n'    # valid, but after the damage
DEEP = b'{"t":"end","i":1,"status":"done","usage":{"a":' + b'[' * 5000 + b']' * 5000 + b'}}'

BAD = {
    "null text": b'{"t":"msg","role":"user","text":null,"status":"done"}',
    "number added": b'{"t":"add","i":1,"text":5}',
    "no role": b'{"t":"msg","text":"x","status":"done"}',
    "unknown role": b'{"t":"msg","role":"robot","text":"x","status":"done"}',
    "unknown status": b'{"t":"msg","role":"user","text":"x","status":"finished"}',
    "bool index": b'{"t":"add","i":true,"text":"x"}',
    "float index": b'{"t":"add","i":1.0,"text":"x"}',
    "index past the end": b'{"t":"add","i":2,"text":"x"}',
    "negative index": b'{"t":"end","i":-1,"status":"done"}',
    "list thoughts": b'{"t":"add","i":1,"thoughts":["x"]}',
    "text in an end": b'{"t":"end","i":1,"status":"done","text":7}',
    "end without status": b'{"t":"end","i":1}',
    "string error": b'{"t":"end","i":1,"status":"error","error":"oops"}',
    "null note message": b'{"t":"end","i":1,"status":"done","finish":{"reason":"MAX_TOKENS","message":null}}',
    "list usage": b'{"t":"end","i":1,"status":"done","usage":[1]}',
    "string cut": b'{"t":"cut","i":"1"}',
    "created as text": b'{"t":"chat","id":"x","created":"yesterday"}',
    "unknown kind": b'{"t":"what"}',
    "no kind": b'{"role":"user","text":"x","status":"done"}',
    "a list": b'[1,2]',
    "null": b'null',
    "nested 5000 deep": DEEP,
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_record_stops_the_reading_and_marks_the_chat_damaged(name):
    chat = parse_journal(GOOD + BAD[name] + b"\n" + AFTER, "x")
    assert chat["damaged"] is True
    assert chat["messages"] == [{"role": "user", "text": "Hi", "status": "done"},
                                {"role": "model", "text": "Hello", "status": "done"}]
    json.dumps(chat)
    tally("storage: a wrongly typed or too deeply nested journal record, by kind", 1)


def test_valid_records_pass_the_check():
    for rec in ({"t": "chat", "id": "x", "created": 1.5}, {"t": "cut", "i": 2},
                {"t": "msg", "role": "model", "text": "", "status": "streaming", "thoughts": "t"},
                {"t": "end", "i": 1, "status": "error", "error": {"code": "c", "message": "m"},
                 "finish": {"reason": "STOP", "message": "m"}, "usage": {"totalTokenCount": 3}}):
        check(rec, 2)
    with pytest.raises(Invalid):
        check({"t": "cut", "i": 3}, 2)


def test_the_torn_last_line_of_a_kill_is_still_no_damage():
    chat = parse_journal(GOOD + b'{"t":"add","i":1,"text":"cut sho', "x")
    assert "damaged" not in chat and chat["messages"][1]["text"] == "Hello"


def put(store, cid, raw):
    with open(os.path.join(store.dir, cid + ".jsonl"), "ab") as f:
        f.write(raw + b"\n")


@pytest.fixture
def two(tmp_path):
    """A data dir with a good chat and a damaged one, each with a reply left
    streaming; returns (fresh Store, good id, damaged id)."""
    first = Store(str(tmp_path))
    good, bad = first.create(), first.create()
    for cid in (good, bad):
        first.add_message(cid, "user", "Hi", "done")
        first.add_message(cid, "model", "part", "streaming")
    put(first, bad, BAD["null text"])
    return Store(str(tmp_path)), good, bad


def test_a_damaged_chat_is_listed_read_and_deleted_and_the_others_untouched(two):
    store, good, bad = two
    listed = {c["id"]: c for c in store.list()}
    assert listed[bad]["damaged"] is True and "damaged" not in listed[good]
    shown = store.get(bad)
    assert shown["damaged"] is True and [m["text"] for m in shown["messages"]] == ["Hi", "part"]
    assert shown["messages"][1]["status"] == "interrupted"   # no reply can stream in it
    store.delete(bad)
    with pytest.raises(NotFound):
        store.get(bad)
    assert [c["id"] for c in store.list()] == [good]


def test_writes_to_a_damaged_chat_raise_damaged_and_change_nothing(two):
    store, _, bad = two
    path = os.path.join(store.dir, bad + ".jsonl")
    with open(path, "rb") as f:
        before = f.read()
    for write in (lambda: store.add_message(bad, "user", "more", "done"),
                  lambda: store.add_text(bad, 1, "more"),
                  lambda: store.end_message(bad, 1, "done", "more"),
                  lambda: store.cut(bad, 1)):
        with pytest.raises(Damaged) as caught:
            write()
        assert caught.value.code == "damaged" and "damaged" in str(caught.value)
    with open(path, "rb") as f:
        assert f.read() == before


def test_start_up_marking_goes_past_a_damaged_chat_and_an_unwritable_one(two, tmp_path):
    store, good, bad = two
    stuck = store.create()
    store.add_message(stuck, "model", "", "streaming")
    for n in range(COMPACT_SLACK):   # past its slack: its end is a compaction (store.py)
        store.add_text(stuck, 0, "w%d " % n)
    os.mkdir(os.path.join(store.dir, stuck + ".jsonl.tmp"))   # which can't be written, even by root
    fresh = Store(str(tmp_path))
    assert fresh.mark_interrupted() == 1
    assert Store(str(tmp_path)).get(good)["messages"][1]["status"] == "interrupted"


def test_a_record_for_a_message_the_chat_lacks_is_not_written(tmp_path):
    store = Store(str(tmp_path))
    cid = store.create()
    store.add_message(cid, "user", "Hi", "done")
    with pytest.raises(NotFound):
        store.add_text(cid, 1, "nowhere")
    assert "damaged" not in Store(str(tmp_path)).get(cid)


def damaged_server(tmp_path):
    """A server restarted on a data dir with a good chat (a reply left streaming by
    a kill) and a damaged one (a line nested 5,000 deep); returns (srv, good, bad)."""
    data = tmp_path / "data"
    srv = ServerProcess(data, "--demo").start()
    try:
        good, bad = srv.new_chat(), srv.new_chat()
        for cid in (good, bad):
            srv.read_reply(cid, srv.send(cid, "echo: kept"))
    finally:
        srv.stop()
    with open(os.path.join(str(data), "chats", bad + ".jsonl"), "ab") as f:
        f.write(DEEP + b"\n")
    with open(os.path.join(str(data), "chats", good + ".jsonl"), "ab") as f:
        f.write(b'{"t":"msg","role":"model","text":"cut","status":"streaming"}\n')
    return ServerProcess(data, "--demo").start(), good, bad


def refused(srv, path):
    with pytest.raises(HTTPFailure) as caught:
        srv.post(path, {"text": "more"})
    return caught.value


def test_a_damaged_chat_through_the_server(tmp_path):
    srv, good, bad = damaged_server(tmp_path)
    try:
        listed = {c["id"]: c for c in srv.get("/api/chats")["chats"]}
        assert listed[bad].get("damaged") is True and "damaged" not in listed[good]
        shown = srv.get("/api/chats/" + bad)
        assert shown["damaged"] is True and [m["text"] for m in shown["messages"]] == ["echo: kept", "kept"]
        assert srv.get("/api/chats/" + good)["messages"][2]["status"] == "interrupted"
        for path in ("/api/chats/%s/messages" % bad, "/api/chats/%s/retry" % bad):
            assert "file is damaged" in refused(srv, path).body["error"]["message"]
        assert len(srv.get("/api/chats/" + bad)["messages"]) == 2
        srv.request("DELETE", "/api/chats/" + bad, {})
        assert [c["id"] for c in srv.get("/api/chats")["chats"]] == [good]
        assert srv.read_reply(good, srv.send(good, "echo: still fine"))["text"] == "still fine"
    finally:
        srv.stop()
    tally("storage: a chat with a wrongly typed record (listed, read, deleted; others untouched)", 1)


def test_sending_to_a_damaged_chat_is_a_409_damaged(tmp_path):
    srv, _, bad = damaged_server(tmp_path)
    try:
        for path in ("/api/chats/%s/messages" % bad, "/api/chats/%s/retry" % bad):
            failure = refused(srv, path)
            assert (failure.status, failure.body["error"]["code"]) == (409, "damaged")
    finally:
        srv.stop()

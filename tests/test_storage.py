"""Conversations on disk (src/kindlechat/store.py): the journal, torn writes, compaction,
and what a restart finds."""
import json
import os

import pytest

from kindlechat.store import COMPACT_SLACK, NotFound, Store, parse_journal


@pytest.fixture
def store(tmp_path):
    """A Store on an empty data dir."""
    return Store(str(tmp_path))


def journal(store, cid):
    with open(os.path.join(store.dir, cid + ".jsonl"), "rb") as f:
        return f.read()


def test_messages_and_streaming_text_round_trip(store, tmp_path):
    cid = store.create()
    store.add_message(cid, "user", "Hi", "done")
    i = store.add_message(cid, "model", "", "streaming")
    store.add_text(cid, i, "Hel", "thinking ")
    store.add_text(cid, i, "lo")
    fresh = Store(str(tmp_path)).get(cid)["messages"]
    assert fresh[1]["text"] == "Hello" and fresh[1]["thoughts"] == "thinking " and fresh[1]["status"] == "streaming"
    before = journal(store, cid)
    store.end_message(cid, i, "done", usage={"totalTokenCount": 4})
    assert journal(store, cid).startswith(before) and journal(store, cid).count(b"\n") == 6   # the end appended
    fresh = Store(str(tmp_path)).get(cid)["messages"]
    assert fresh[1] == {"role": "model", "text": "Hello", "thoughts": "thinking ", "status": "done",
                        "usage": {"totalTokenCount": 4}}


def test_torn_last_line_is_dropped_and_next_append_is_not_glued_to_it(store, tmp_path):
    cid = store.create()
    store.add_message(cid, "user", "Hi", "done")
    i = store.add_message(cid, "model", "", "streaming")
    store.add_text(cid, i, "kept")
    with open(os.path.join(store.dir, cid + ".jsonl"), "ab") as f:
        f.write(b'{"t":"add","i":1,"text":"tor')            # a kill -9 mid-write
    again = Store(str(tmp_path))
    assert again.get(cid)["messages"][1]["text"] == "kept"
    again.add_text(cid, i, " more")
    assert Store(str(tmp_path)).get(cid)["messages"][1]["text"] == "kept more"


def test_every_prefix_of_a_journal_reads(store):
    """A kill can stop a write anywhere: each byte prefix parses, and never loses a
    message that was complete before the cut."""
    cid = store.create()
    store.add_message(cid, "user", "Grüße 🙂", "done")
    i = store.add_message(cid, "model", "", "streaming")
    store.add_text(cid, i, "a" * 10)
    data = journal(store, cid)
    for cut in range(len(data) + 1):
        chat = parse_journal(data[:cut], cid)
        whole_lines = data[:cut].count(b"\n")
        assert max(0, min(2, whole_lines - 1)) <= len(chat["messages"]) <= 2
        if chat["messages"]:
            assert chat["messages"][0]["text"] == "Grüße 🙂"


def test_restart_marks_streaming_reply_interrupted(store, tmp_path):
    cid = store.create()
    store.add_message(cid, "user", "Hi", "done")
    i = store.add_message(cid, "model", "", "streaming")
    store.add_text(cid, i, "partial")
    again = Store(str(tmp_path))
    assert again.mark_interrupted() == 1
    msg = again.get(cid)["messages"][1]
    assert (msg["status"], msg["text"], msg["error"]["code"]) == ("interrupted", "partial", "interrupted")
    assert Store(str(tmp_path)).mark_interrupted() == 0


def test_list_is_newest_first_with_titles(store):
    a = store.create()
    store.add_message(a, "user", "  First   question\nwith lines ", "done")
    b = store.create()
    os.utime(os.path.join(store.dir, a + ".jsonl"), (1, 1))
    listed = store.list()
    assert [c["id"] for c in listed] == [b, a]
    assert listed[1]["title"] == "First question with lines" and listed[0]["title"] == "New chat"


def test_cut_drops_the_reply_for_retry(store):
    cid = store.create()
    store.add_message(cid, "user", "Hi", "done")
    i = store.add_message(cid, "model", "bad", "error")
    store.cut(cid, i)
    assert [m["text"] for m in store.get(cid)["messages"]] == ["Hi"]


@pytest.mark.parametrize("bad", ["../x", "..", "%2e%2e", "ABCDEF012345", "0123456789ab/", ""])
def test_ids_that_are_not_ours_are_not_found(store, bad):
    with pytest.raises(NotFound):
        store.get(bad)


def test_delete(store):
    cid = store.create()
    store.delete(cid)
    assert store.list() == [] and not os.listdir(store.dir)


def test_lines_that_are_not_json_are_torn_writes_and_skipped(store):
    """Not JSON at all (a kill -9 cut a line, even mid-character): skipped, not damage."""
    data = b'{"t":"chat","id":"x"}\n{"t":"msg","role":"user","text":"a","sta\n' \
           b'{"t":"msg","role":"user","text":"b","status":"done"}\n\xff\xfe\n{"t":"add","i":0,"text":"\xc3'
    chat = parse_journal(data, "x")
    assert [m["text"] for m in chat["messages"]] == ["b"] and "damaged" not in chat
    assert json.dumps(chat)


def test_end_carries_the_last_text_in_one_write_and_never_revives_a_deleted_chat(store, tmp_path):
    cid = store.create()
    i = store.add_message(cid, "model", "", "streaming")
    before = journal(store, cid)
    store.end_message(cid, i, "done", "last words", finish={"reason": "MAX_TOKENS", "message": "m"})
    added = journal(store, cid)[len(before):].splitlines()
    assert [json.loads(r)["t"] for r in added] == ["add", "end"]   # one append: the text and the end
    assert Store(str(tmp_path)).get(cid)["messages"][0]["text"] == "last words"
    store.delete(cid)
    with pytest.raises(NotFound):
        store.end_message(cid, i, "done", "late")
    assert os.listdir(store.dir) == []


def test_a_journal_past_its_slack_is_compacted_at_a_reply_end(store, tmp_path):
    """Ends are appended until the journal holds COMPACT_SLACK records beyond one a
    message; the next end writes it anew, one line a message, and it reads the same."""
    cid = store.create()
    store.add_message(cid, "user", "Hi", "done")
    i = store.add_message(cid, "model", "", "streaming")
    for n in range(COMPACT_SLACK - 3):
        store.add_text(cid, i, "w%d " % n)
    store.end_message(cid, i, "done", "end")
    lines = 1 + 2 + (COMPACT_SLACK - 3) + 2   # chat, 2 messages, the saves, the end's text and end
    assert journal(store, cid).count(b"\n") == lines == 2 + 1 + COMPACT_SLACK - 1   # one short of the slack
    j = store.add_message(cid, "model", "", "streaming")
    store.end_message(cid, j, "done", "next")
    assert journal(store, cid).count(b"\n") == 4                    # compacted: chat line + 3 messages
    texts = [m["text"] for m in Store(str(tmp_path)).get(cid)["messages"]]
    assert texts == ["Hi", "".join("w%d " % n for n in range(COMPACT_SLACK - 3)) + "end", "next"]


def test_a_compaction_cut_by_a_kill_leaves_a_tmp_that_the_next_start_removes(store, tmp_path):
    cid = store.create()
    store.add_message(cid, "user", "kept", "done")
    leftover = os.path.join(store.dir, cid + ".jsonl.tmp")
    with open(leftover, "wb") as f:
        f.write(b'{"t":"chat","id":"')   # a kill -9 mid-write_atomic: os.replace never ran
    fresh = Store(str(tmp_path))
    fresh.remove_leftovers()
    assert sorted(os.listdir(store.dir)) == [cid + ".jsonl"]
    assert fresh.get(cid)["messages"][0]["text"] == "kept"

"""A nearly full disk (issue 10, item 2), on a real 1 MB tmpfs: a write that does
not fit must leave what was saved before exactly as it was, say in plain words
that the storage is full, and never show a reply that was not saved as done."""
import errno
import os

import pytest

from testkit.serverproc import ServerProcess
from testkit.faultkit import tally
from tinyfs import fill, free_bytes, tiny_tmpfs

from kindlechat.diskwrite import write_atomic
from kindlechat.store import Store, StorageError, parse_journal

FULL = "The Kindle's storage is full"


@pytest.fixture
def disk(tmp_path):
    """An empty 1 MB tmpfs, unmounted after the test."""
    with tiny_tmpfs(tmp_path / "disk") as folder:
        yield folder


def read(path):
    with open(path, "rb") as f:
        return f.read()


def words(n, tag):
    return " ".join("%s%d" % (tag, k) for k in range(n))


def test_a_compaction_that_does_not_fit_leaves_the_old_file_and_no_tmp(disk):
    path = os.path.join(disk, "journal.jsonl")
    old = b"old line\n" * 4000                       # 36 KB
    write_atomic(path, old)
    filler = fill(disk, leave=8 * 1024)
    with pytest.raises(OSError) as caught:
        write_atomic(path, b"new line\n" * 8000)      # 72 KB: only part of it fits
    assert caught.value.errno == errno.ENOSPC
    assert read(path) == old
    assert sorted(os.listdir(disk)) == ["filler", "journal.jsonl"]
    os.remove(filler)
    write_atomic(path, b"new line\n" * 8000)
    assert read(path) == b"new line\n" * 8000


def chat_of(store, count, size):
    cid = store.create()
    for k in range(count):
        store.add_message(cid, ("user", "model")[k % 2], words(size, "m%d-" % k), "done")
    return cid


def test_a_reply_end_that_does_not_fit_raises_storage_full_and_keeps_the_journal(disk):
    store = Store(disk)
    cid = chat_of(store, 8, 800)
    i = store.add_message(cid, "model", "", "streaming")
    path = os.path.join(store.dir, cid + ".jsonl")
    before = read(path)
    last = words(3000, "end-")                     # ~27 KB: more than the room left (and a tmpfs page)
    filler = fill(disk, leave=8 * 1024)
    with pytest.raises(StorageError) as caught:
        store.end_message(cid, i, "done", last)
    assert caught.value.code == "storage_full" and str(caught.value).startswith(FULL)
    assert read(path) == before and sorted(os.listdir(store.dir)) == [cid + ".jsonl"]
    assert store.get(cid)["messages"][i]["status"] == "streaming"   # what is shown was saved
    os.remove(filler)
    store.end_message(cid, i, "done", last)
    again = Store(disk).get(cid)["messages"]
    assert len(again) == 9 and again[i]["text"] == last and again[i]["status"] == "done"


def test_an_append_that_does_not_fit_is_undone_and_the_next_one_reads(disk):
    """Half a record left behind would glue to the next one: both would be lost."""
    store = Store(disk)
    cid = chat_of(store, 2, 50)
    i = store.add_message(cid, "model", "", "streaming")
    store.add_text(cid, i, "kept")
    path = os.path.join(store.dir, cid + ".jsonl")
    before = read(path)
    assert len(before) % 4096, "the journal's last page must have room for part of a record"
    filler = fill(disk, leave=0)
    assert free_bytes(disk) == 0
    with pytest.raises(StorageError) as caught:
        store.add_text(cid, i, "x" * 20000)    # a part fits in the last page, the rest not
    assert caught.value.code == "storage_full"
    assert read(path) == before
    assert store.get(cid)["messages"][i]["text"] == "kept"
    os.remove(filler)
    store.add_text(cid, i, " and more")
    assert parse_journal(read(path), cid)["messages"][i]["text"] == "kept and more"
    assert Store(disk).get(cid)["messages"][i]["text"] == "kept and more"


def server(data, tmp_path):
    srv = ServerProcess(data, "--demo", "--throttle-ms", "0")
    srv.log_path = str(tmp_path / "server.log")     # the log must not need the full disk
    return srv.start()


def test_a_full_disk_at_a_reply_end_loses_nothing_saved_before_end_to_end(disk, tmp_path):
    """The issue's scenario: a chat of 16 messages, a disk with less room than the
    next reply (demo:long, ~10 KB), a reply ends. Its end does not fit; the journal
    is as it was, the page is told the storage is full (not done), and after a
    restart all 16 are back."""
    data = os.path.join(disk, "data")
    srv = server(data, tmp_path)
    try:
        cid = srv.new_chat()
        sent = [words(700, "q%d-" % k) for k in range(8)]
        for text in sent:
            answer = srv.read_reply(cid, srv.send(cid, "echo: " + text))
            assert (answer["status"], answer["text"]) == ("done", text)
        path = os.path.join(data, "chats", cid + ".jsonl")
        before = read(path)
        filler = fill(disk, leave=2 * 1024)
        assert free_bytes(disk) < len(before)
        answer = srv.read_reply(cid, srv.send(cid, "demo:long"))
        assert answer["status"] != "done"
        assert answer["status"] == "error" and answer["error"]["message"].startswith(FULL), answer
        assert answer["error"]["code"] == "storage_full"
    finally:
        srv.stop()   # the exit waits for a save under way (Store.close): no .tmp is left
    after = read(path)
    assert after.startswith(before), "the earlier journal was rewritten"
    assert [n for n in os.listdir(os.path.join(data, "chats")) if n.endswith(".tmp")] == []
    os.remove(filler)
    srv = server(data, tmp_path)
    try:
        messages = srv.get("/api/chats/%s" % cid)["messages"]
    finally:
        srv.stop()
    assert [m["text"] for m in messages[:16]] == [t for text in sent for t in ("echo: " + text, text)]
    assert [m["status"] for m in messages[:16]] == ["done"] * 16
    tally("storage: the disk fills up (1 MB tmpfs) as a reply ends", 1)
    assert messages[16]["text"] == "demo:long" and len(messages) == 18

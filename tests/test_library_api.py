"""The library over the HTTP API (issue 14), against a real server process: the
demo's sample library, a real Kindle-like folder given by --library-dir, and the
bad cases (missing or damaged vocab.db, documents/ away or read-only)."""
import os
import shutil

import pytest

from testkit.serverproc import HTTPFailure, ServerProcess

SAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "kindlechat", "library", "sample_library")
FIX = os.path.join(os.path.dirname(__file__), "fixtures", "clippings")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("lib") / "data", "--demo").start()
    yield s
    s.stop()


def test_demo_highlights_words_books(demo):
    h = demo.get("/api/highlights")
    assert h["total"] == len(h["highlights"]) >= 4 and "message" not in h
    assert [b["title"] for b in h["books"]][0] == "Alice's Adventures in Wonderland"
    assert {"id", "book", "author", "kind", "text", "note", "page", "location", "added"} <= set(h["highlights"][0])
    moby = [x for x in h["highlights"] if x["book"] == "Moby-Dick"]
    assert len([x for x in moby if x["text"].startswith("Call me Ishmael")]) == 1   # extended: the latest only
    assert demo.get("/api/highlights?q=ishmael")["total"] == 1
    assert demo.get("/api/highlights?q=melville")["total"] == 2                     # the author is searched
    assert demo.get("/api/highlights?q=darcy")["total"] == 1                        # and the note
    words = demo.get("/api/words?limit=3")["words"]
    assert len(words) == 3 and words[0]["word"] == "mizzen" and words[0]["when"] > words[1]["when"]
    listed = demo.get("/api/books")
    books = listed["books"]
    # The book being read is the calibre-made sample (tools/make_sample_book.py), not KUAL,
    # opened after it; its place comes from its sidecar.
    assert [b["title"] for b in books][:2] == ["The Lighthouse Keeper's Daughter", "Moby-Dick"]
    assert listed["reading"] == books[0]["id"] and "KUAL" not in [b["title"] for b in books]
    assert books[0]["text"] == "readable" and books[0]["format"] == "azw3"
    assert books[0]["position"]["from"] == "sidecar" and books[0]["position"]["percent"] == 56.4
    assert books[1]["progress"] == 0.62 and books[1]["text"] == "missing"   # no file in the sample


def test_ask_about_a_highlight_then_save(demo, tmp_path):
    item = demo.get("/api/highlights?q=grapple")["highlights"][0]
    started = demo.post("/api/library/chats", {"highlight": item["id"], "action": "explain"})
    reply = demo.read_reply(started["id"], started["index"])
    assert reply["status"] == "done"
    chat = demo.get("/api/chats/" + started["id"])
    assert chat["title"].startswith("Moby-Dick: “To the last I grapple")
    question = chat["messages"][0]["text"]
    assert item["text"] in question and "Herman Melville" in question
    saved = demo.post("/api/chats/%s/save" % started["id"])["path"]
    assert saved.startswith("documents/KindleChat/") and saved.endswith(".mobi")
    folder = os.path.join(demo.data_dir, "demo-library", "documents", "KindleChat")   # the sample stays as shipped
    name = saved.rsplit("/", 1)[1]
    assert sorted(os.listdir(folder)) == [name, name[:-len(".mobi")] + ".txt"]       # the plain text beside it
    with open(os.path.join(folder, name), "rb") as f:
        assert f.read()[60:68] == b"BOOKMOBI"
    again = demo.post("/api/chats/%s/save" % started["id"])["path"]
    assert again == saved and len(os.listdir(folder)) == 2                          # replaced, not a copy


def test_quiz_book_and_word_starts(demo):
    for body, needle in (({"action": "quiz"}, "mizzen"), ({"action": "book", "title": "Moby-Dick"}, "62%"),
                         ({"action": "word", "word": "grapple"}, "To the last I grapple with thee.")):
        started = demo.post("/api/library/chats", body)
        assert needle in demo.get("/api/chats/" + started["id"])["messages"][0]["text"]
    with pytest.raises(HTTPFailure) as bad:
        demo.post("/api/library/chats", {"action": "sing"})
    assert bad.value.status == 400
    with pytest.raises(HTTPFailure) as gone:
        demo.post("/api/library/chats", {"action": "explain", "highlight": "nope"})
    assert gone.value.status == 404


def kindle_root(tmp_path):
    root = tmp_path / "us"
    (root / "documents").mkdir(parents=True)
    shutil.copy(os.path.join(FIX, "georgboe-old-firmware.txt"), str(root / "documents" / "My Clippings.txt"))
    return root


def test_kindle_folder_bad_vocab_and_documents_away(tmp_path):
    root = kindle_root(tmp_path)
    (root / "system" / "vocabulary").mkdir(parents=True)
    (root / "system" / "vocabulary" / "vocab.db").write_bytes(b"not a database at all" * 100)
    s = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root),
                      "--library-db", str(tmp_path / "missing-cc.db")).start()
    try:
        assert s.get("/api/highlights?limit=5")["total"] > 50
        words = s.get("/api/words")
        assert words["words"] == [] and "could not be read" in words["message"]
        books = s.get("/api/books")
        assert books["books"] == [] and "Not found" in books["message"]
        cid = s.new_chat()
        s.read_reply(cid, s.send(cid, "hello"))
        shutil.rmtree(str(root / "documents"))                                    # USB mode: away
        with pytest.raises(HTTPFailure) as away:
            s.post("/api/chats/%s/save" % cid)
        assert away.value.status == 503 and "Nothing was saved" in away.value.body["error"]["message"]
        assert not (root / "documents").exists()
    finally:
        s.stop()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_documents_read_only_changes_nothing(tmp_path):
    root = kindle_root(tmp_path)
    os.chmod(str(root / "documents"), 0o555)
    s = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root)).start()
    try:
        cid = s.new_chat()
        s.read_reply(cid, s.send(cid, "hello"))
        with pytest.raises(HTTPFailure) as ro:
            s.post("/api/chats/%s/save" % cid)
        assert ro.value.status == 503
        assert sorted(os.listdir(str(root / "documents"))) == ["My Clippings.txt"]
    finally:
        os.chmod(str(root / "documents"), 0o755)
        s.stop()

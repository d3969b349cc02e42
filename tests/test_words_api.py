"""Words that stick over the HTTP API (issue 26), against a real server process
in demo mode: review ten words, restart, find the schedule kept; cards written by
the demo's emulator through the provider seam; the exports."""
import csv
import io
import json
import os
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from testkit.serverproc import HTTPFailure, ServerProcess


def wait_for(check, limit=30):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("not in %ss" % limit)


def download(server, path):
    with urllib.request.urlopen(server.url + path, timeout=30) as r:
        return r.headers, r.read()


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


def test_review_ten_words_restart_and_the_schedule_is_kept(data):
    server = ServerProcess(data, "--demo").start()
    try:
        first = server.get("/api/reviews")
        assert first["due_count"] == 10 and first["new_today"] == 0 and first["next_due"] is None
        word = first["due"][0]
        assert {"id", "word", "lang", "usage", "book", "card"} <= set(word)
        assert word["word"] == "mizzen" and word["lang"] == "en" and word["usage"]
        for bad in ({"rating": "great"}, {"rating": None}, {}, ["good"]):
            with pytest.raises(HTTPFailure) as caught:
                server.post("/api/reviews/" + word["id"], bad)
            assert caught.value.status == 400 and caught.value.body["error"]["code"] == "bad_rating"
        with pytest.raises(HTTPFailure) as caught:
            server.post("/api/reviews/000000000000", {"rating": "good"})
        assert caught.value.status == 400 and caught.value.body["error"]["code"] == "unknown_word"
        assert server.get("/api/reviews")["due_count"] == 10   # the 400s changed nothing
        ratings = ["again", "hard", "good", "easy"] * 3
        answers = [server.post("/api/reviews/" + w["id"], {"rating": r})
                   for w, r in zip(first["due"], ratings)]
        assert [a["id"] for a in answers] == [w["id"] for w in first["due"]]
        after = server.get("/api/reviews")
        # nothing else due: the eight still in their learning steps come at once (learn ahead),
        # the three rated Again first; the two rated Easy are in review, days away
        assert after["due_count"] == 8 and after["new_today"] == 10 and after["next_due"] is None
        again = [w["id"] for w, r in zip(first["due"], ratings) if r == "again"]
        assert [w["id"] for w in after["due"]][:3] == again and all(w["state"] == "learning" for w in after["due"])
    finally:
        server.kill()   # kill -9: nothing answered may be lost
    again_server = ServerProcess(data, "--demo").start()
    try:
        kept = again_server.get("/api/reviews")
        assert kept["due"] == after["due"] and kept["new_today"] == 10
        for w in kept["due"]:   # Easy graduates each: then nothing is due until days later
            again_server.post("/api/reviews/" + w["id"], {"rating": "easy"})
        done = again_server.get("/api/reviews")
        assert done["due_count"] == 0 and done["next_due"] > time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        easy = [a for a, r in zip(answers, ratings) if r == "easy"][0]
        assert easy["next_due"] > done["next_due"]   # a first Easy: days further than an Easy after Again
    finally:
        again_server.stop()


def test_cards_are_written_through_the_provider_seam_and_exported(data):
    server = ServerProcess(data, "--demo", env={"KINDLECHAT_CARDS_IN_BACKGROUND": "false"}).start()
    try:
        first = server.get("/api/reviews")
        assert all(w["card"] is None for w in first["due"])
        assert first["cards"]["missing"] >= 10 and first["cards"]["requests"] == -(-first["cards"]["missing"] // 5)
        with pytest.raises(HTTPFailure) as caught:
            server.post("/api/words/cards", {"ids": ["nope"]})
        assert caught.value.status == 400
        queued = server.post("/api/words/cards", {"language": "Deutsch"})
        assert queued["queued"] >= 10 and queued["requests"] == -(-queued["queued"] // 5)
        wait_for(lambda: not server.get("/api/words/cards")["writing"])
        due = server.get("/api/reviews")["due"]
        card = due[0]["card"]
        assert card["meaning"] == '(demo, in Deutsch) what "%s" means in its sentence' % due[0]["word"]
        assert due[0]["word"] in card["example"]
        server.post("/api/reviews/" + due[0]["id"], {"rating": "good"})

        headers, apkg = download(server, "/api/words/export.apkg")
        assert "kindlechat-words.apkg" in headers["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(apkg)) as z:
            assert sorted(z.namelist()) == ["collection.anki2", "media"]
        headers, raw = download(server, "/api/words/export.csv")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:4] == ["word", "sentence", "meaning", "book"] and len(rows) == 12
        assert any(r[0] == due[0]["word"] and r[2] == card["meaning"] for r in rows)

        saved = server.post("/api/words/export.apkg")["path"]
        assert saved == "documents/KindleChat/kindlechat-words.apkg"
        with open(os.path.join(str(data), "demo-library", saved), "rb") as f:
            assert f.read()[:2] == b"PK"
    finally:
        server.stop()


def test_a_missing_vocab_db_gives_the_plain_message(tmp_path):
    server = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(tmp_path / "kindle")).start()
    try:
        out = server.get("/api/reviews")
        assert out["due_count"] == 0 and out["message"].startswith("Not found:")
        with pytest.raises(urllib.error.HTTPError) as caught:
            download(server, "/api/words/export.csv")
        assert caught.value.code == 503
        assert json.loads(caught.value.read())["error"]["message"].startswith("Not found:")
    finally:
        server.stop()


def test_a_locked_vocab_db_says_so_and_vocab_db_is_never_written(tmp_path):
    from test_library_faults import held_exclusive, kindle_root, tree
    root = kindle_root(tmp_path)
    vocab = str(root / "system" / "vocabulary" / "vocab.db")
    before = tree(root / "system")
    server = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root),
                           env={"KINDLECHAT_CARDS_IN_BACKGROUND": "false"}).start()
    try:
        with held_exclusive(vocab):
            out = server.get("/api/reviews", timeout=15)
            assert out["due_count"] == 0 and "writing" in out["message"] and "Try again" in out["message"]
        due = server.get("/api/reviews")["due"]   # free again
        assert len(due) == 10 and "message" not in server.get("/api/reviews")
        server.post("/api/reviews/" + due[0]["id"], {"rating": "good"})
        with held_exclusive(vocab):   # the words read before answer a rating meanwhile
            assert server.post("/api/reviews/" + due[1]["id"], {"rating": "easy"}, timeout=15)["id"] == due[1]["id"]
    finally:
        server.stop()
    assert tree(root / "system") == before


def test_a_python_without_sqlite3_says_so(tmp_path):
    from test_library_faults import SRC, kindle_root
    blocker = tmp_path / "nosqlite"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['sqlite3'] = None\n")
    root = kindle_root(tmp_path)
    server = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root),
                           env={"PYTHONPATH": os.pathsep.join([str(blocker), SRC])}).start()
    try:
        out = server.get("/api/reviews")
        assert out["due_count"] == 0 and "no sqlite3 module" in out["message"]
        with pytest.raises(urllib.error.HTTPError) as caught:
            download(server, "/api/words/export.apkg")
        assert caught.value.code == 503 and "no sqlite3 module" in json.loads(caught.value.read())["error"]["message"]
    finally:
        server.stop()


def test_opening_review_writes_the_due_cards_in_the_pages_language(data):
    server = ServerProcess(data, "--demo").start()
    try:
        first = server.get("/api/reviews?language=Fran%C3%A7ais")
        assert first["cards"]["writing"] and first["cards"]["pending"] == 10   # two requests' worth
        wait_for(lambda: not server.get("/api/words/cards")["writing"])
        due = server.get("/api/reviews")["due"]
        assert all(w["card"]["meaning"].startswith("(demo, in Français)") for w in due)
        assert server.get("/api/words/cards")["missing"] == 0   # (the eleventh is new tomorrow)
    finally:
        server.stop()

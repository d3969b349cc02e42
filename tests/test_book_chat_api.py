"""Chats about the book being read, end to end (issue 24): a real server process over a
Kindle-like folder (cc.db, books made by calibre's ebook-convert, sidecars written by
testkit/krds_writer.py placing the reader mid-book) and a loopback upstream in Gemini's
wire format that keeps every request it receives. Each test book carries a marker
sentence in every paragraph: the ones after the reader's position must never reach
the upstream, in any request of any chat."""
import json
import os
import shutil
import sqlite3
import time

import pytest

from kindlechat.reading import mobi_text
from kindlechat.reading.lz77 import decompress
from kindlechat.reading.palmdb import PalmDB, trim_trailing
from testkit import books, krds_writer
from testkit.faultkit import KEY
from testkit.gemini_chunks import sse_body
from testkit.serverproc import HTTPFailure, ServerProcess
from testkit.upstream import Reply, Upstream
from test_reading_xray import BASE_SQL, make_xray

pytestmark = pytest.mark.skipif(books.missing() is not None, reason=str(books.missing()))
SPEC = books.BookSpec.standard(chapters=4, paragraphs=6)
MARKERS = 24
AT = 12                      # the reader's sidecar says: at marker 12's start
KINDS = {"azw3": ("Lighthouse AZW3", "azw3", "azw3f"), "mobi": ("Lighthouse MOBI", "mobi", "mbs"),
         "hybrid": ("Lighthouse Hybrid", "mobi", "mbs")}
NOW = int(time.time())


def raw_offset(path, n, part="read"):
    """Marker n's offset in the raw text of the part the reader reads, or (part "mobi6") in
    a hybrid's MOBI6 part, whose offsets a MOBI-form sidecar holds (reading/hybrid.py)."""
    if part == "mobi6":
        with open(path, "rb") as f:
            db = PalmDB(f)
            head = db.header(0)
            raw = b"".join(decompress(trim_trailing(db.record(i), head.extra_flags))
                           for i in range(1, head.text_records + 1))
    else:
        raw = b"".join(d for _, d in mobi_text.iter_raw(path))
    return raw.find(books.marker(n).encode())


def place(root, kind, n, mtime=None):
    """The reader's sidecar for the book of kind, at marker n's start."""
    title, ext, sidecar = KINDS[kind]
    path = os.path.join(root, "documents", "%s.%s" % (title, ext))
    pos = raw_offset(path, n, "mobi6" if sidecar == "mbs" else "read")   # a hybrid's MOBI form: its MOBI6 part
    position = krds_writer.mobi_position(pos) if sidecar == "mbs" else str(pos)
    krds_writer.place_position(os.path.splitext(path)[0] + ".sdr", title, sidecar, position,
                               mtime=mtime or time.time())
    return pos


def make_kindle(root):
    docs = os.path.join(root, "documents")
    os.makedirs(os.path.join(docs, "dictionaries"))
    rows = []
    for i, (kind, (title, ext, _)) in enumerate(sorted(KINDS.items())):
        spec = books.BookSpec(title, "Ada Tester", SPEC.chapters)
        shutil.copy(books.make(kind, spec), os.path.join(docs, "%s.%s" % (title, ext)))
        place(root, kind, AT)
        rows.append((title, "/mnt/us/documents/%s.%s" % (title, ext), "PDOC", 50.0, NOW - 3600 * (i + 2)))
    with open(os.path.join(docs, "KUAL.kual"), "w") as f:
        f.write("KUAL")
    rows += [("KUAL", "/mnt/us/documents/KUAL.kual", "PDOC", 0.0, NOW),                  # opened last
             ("Run me", "/mnt/us/documents/run.sh", "PDOC", 0.0, NOW - 10),
             ("Oxford Dictionary", "/mnt/us/documents/dictionaries/oxford.azw", "EBOK", 0.0, NOW - 20),
             ("The Daily", "/mnt/us/documents/daily.mobi", "NWPR", 0.0, NOW - 30)]
    con = sqlite3.connect(os.path.join(root, "cc.db"))
    con.execute("CREATE TABLE Entries (p_uuid TEXT, p_type TEXT, p_location TEXT, p_titles_0_nominal TEXT, "
                "j_credits TEXT, p_cdeType TEXT, p_percentFinished REAL, p_lastAccess INTEGER)")
    for i, (title, location, cde, percent, last) in enumerate(rows):
        con.execute("INSERT INTO Entries VALUES (?, 'Entry:Item', ?, ?, ?, ?, ?, ?)",
                    ("u%d" % i, location, title, '[{"name":{"display":"Ada Tester"},"kind":"Author"}]', cde,
                     percent, last))
    con.execute("INSERT INTO Entries VALUES ('c', 'Collection', '', 'My shelf', '[]', '', 0, ?)", (NOW + 5,))
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def up():
    server = Upstream().start()
    server.script(Reply(body=sse_body(["Your answer (p. 1)."])))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kindle(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("kindle") / "us")
    make_kindle(root)
    return root


@pytest.fixture(scope="module")
def srv(up, kindle, tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("bookchat") / "data", "--library-dir", kindle,
                           "--library-db", os.path.join(kindle, "cc.db"), "--gemini-url", up.url,
                           "--throttle-ms", "0", env={"GEMINI_API_KEY": KEY}).start()
    yield server
    server.stop()


def sent(up, since):
    """The text of every request the upstream received after the first `since`."""
    return [r["body"].decode("utf-8") for r in up.requests[since:]]


def ask(srv, up, body):
    before = len(up.requests)
    started = srv.post("/api/library/chats", body)
    answer = srv.read_reply(started["id"], started["index"])
    assert answer["status"] == "done", answer
    return started, sent(up, before)


def assert_bounded(texts, last_before, title=None):
    """Text from just before the position went out; nothing from it on."""
    joined = "\n".join(texts)
    assert books.marker(last_before) in joined
    for n in range(last_before + 1, MARKERS):
        assert books.marker(n) not in joined, "marker %d after the position was sent" % n


def by_title(srv):
    return {b["title"]: b for b in srv.get("/api/books")["books"]}


def test_books_lists_books_only_the_one_being_read_first(srv):
    listed = srv.get("/api/books")["books"]
    assert [b["title"] for b in listed] == ["Lighthouse AZW3", "Lighthouse Hybrid", "Lighthouse MOBI"]
    first = listed[0]
    assert first["format"] == "azw3" and first["text"] == "readable"
    pos = first["position"]
    assert pos["from"] == "sidecar" and 30 < pos["percent"] < 70 and pos["location"] >= 1
    assert set(pos) >= {"offset", "percent", "page", "from"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_ask_sends_the_text_before_the_position_and_nothing_after(srv, up, kind):
    book = by_title(srv)[KINDS[kind][0]]
    started, texts = ask(srv, up, {"action": "book", "book": book["id"],
                                   "question": "What did the keeper count in marker P020 and P023?"})
    assert len(texts) == 1
    assert_bounded(texts, AT - 1)
    assert "cite" in texts[0].lower() and "Lighthouse" in texts[0]
    chat = srv.get("/api/chats/" + started["id"])
    reply = chat["messages"][1]
    assert reply["book"]["pages"] and reply["book"]["offset"] > 0 and not reply["book"]["moved"]


def test_a_position_that_moves_on_moves_the_bound_and_says_so(srv, up, kindle):
    book = by_title(srv)["Lighthouse AZW3"]
    started, texts = ask(srv, up, {"action": "book", "book": book["id"], "question": "Where are we?"})
    assert_bounded(texts, AT - 1)
    place(kindle, "azw3", 18, mtime=time.time() + 5)       # the reader read on, then slept
    before = len(up.requests)
    index = srv.send(started["id"], "And now?")
    answer = srv.read_reply(started["id"], index)
    assert answer["status"] == "done" and answer["book"]["moved"] is True   # the poll says so too
    texts = sent(up, before)
    assert_bounded(texts, 17)
    reply = srv.get("/api/chats/" + started["id"])["messages"][index]
    assert reply["book"]["moved"] is True
    place(kindle, "azw3", AT, mtime=time.time() + 10)     # back where the other tests expect


def test_recap_in_parts_and_who_is_who_stay_before_the_position(srv, up):
    book = by_title(srv)["Lighthouse MOBI"]
    started, texts = ask(srv, up, {"action": "recap", "book": book["id"]})
    assert len(texts) == 1 and "story so far" in texts[0].lower()     # it fits one part: the text itself
    assert_bounded(texts, AT - 1)
    srv.request("PUT", "/api/settings", {"book_budget": 200})          # 800 characters: parts of 500
    try:
        started, texts = ask(srv, up, {"action": "recap", "book": book["id"]})
        assert len(texts) >= 2                                          # each part summarised first
        assert all("Summarise what happens" in t for t in texts[:-1]) and books.marker(0) in texts[0]
        assert texts[-1].count("Your answer (p. 1).") == len(texts) - 1  # then the recap from them
        assert_bounded(texts, AT - 1)
        _, again = ask(srv, up, {"action": "recap", "book": book["id"]})
        assert len(again) == 1 and books.marker(0) not in again[0]     # the parts are kept: only the text since
        assert again[0].count("Your answer (p. 1).") == len(texts) - 1
        assert_bounded(again, AT - 1)
    finally:
        srv.request("PUT", "/api/settings", {"book_budget": None})
    _, texts = ask(srv, up, {"action": "xray", "book": book["id"]})
    assert_bounded(texts, AT - 1)
    _, texts = ask(srv, up, {"action": "xray", "book": book["id"], "name": "the keeper"})
    assert "the keeper" in texts[0] and "Your answer (p. 1)." in texts[0]   # the earlier cast is folded in


def test_unknown_books_and_bad_input_are_plain(srv, up, kindle):
    with pytest.raises(HTTPFailure) as gone:
        srv.post("/api/library/chats", {"action": "book", "book": "nope", "question": "hi"})
    assert gone.value.status == 404 and "library" in gone.value.body["error"]["message"]
    # a book whose file went away while being read: the chat goes on with what is known
    title = "Lighthouse Hybrid"
    book = by_title(srv)[title]
    path = os.path.join(kindle, "documents", title + ".mobi")
    shutil.move(path, path + ".away")
    try:
        assert by_title(srv)[title]["text"] == "missing"
        started, texts = ask(srv, up, {"action": "book", "book": book["id"], "question": "Who?"})
        assert title in texts[0] and books.marker(0) not in texts[0]
        reply = srv.get("/api/chats/" + started["id"])["messages"][1]
        assert "no longer on the Kindle" in reply["book"]["notice"]
    finally:
        shutil.move(path + ".away", path)


@pytest.mark.skipif(not os.path.isfile(BASE_SQL), reason="xray-builder's BaseDB.sql (the real schema) is absent")
def test_who_is_who_from_the_xray_names_only_who_was_met(srv, up, kindle):
    title = "Lighthouse AZW3"
    path = os.path.join(kindle, "documents", title + ".azw3")
    raw = b"".join(d for _, d in mobi_text.iter_raw(path))
    span = lambda n: (raw.find(books.marker(n).encode()), len(books.marker(n)))   # noqa: E731
    sdr = os.path.splitext(path)[0] + ".sdr"
    make_xray(os.path.join(sdr, "XRAY.entities.B0TEST.asc"), [
        ("Keeper Venn", 1, "The keeper of the light.", [span(3), span(8)], [span(3)]),
        ("Gullmaster", 1, "Arrives at the very end.", [span(20)], [span(20)])], len(raw))
    try:
        book = by_title(srv)[title]
        _, texts = ask(srv, up, {"action": "xray", "book": book["id"]})
        assert "Keeper Venn" in texts[0] and "The keeper of the light." in texts[0]
        assert books.marker(3) in texts[0]                       # the excerpt, from the book's text
        assert "Gullmaster" not in texts[0] and "Arrives at the very end." not in texts[0]
        _, texts = ask(srv, up, {"action": "xray", "book": book["id"], "name": "Gullmaster"})
        assert "Arrives at the very end." not in texts[0] and "none of that name" in texts[0]
        assert not any(books.marker(n) in texts[0] for n in range(AT, MARKERS))
    finally:
        os.remove(os.path.join(sdr, "XRAY.entities.B0TEST.asc"))

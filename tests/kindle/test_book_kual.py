"""Issue 24's "Done when", in the KUAL emulation (testkit/kindle_fakes.py): a fake
/mnt/us with a sideloaded AZW3 and a MOBI made by calibre's ebook-convert, each with the
reader's sidecar placed mid-book, the AZW3 with a page map, and KUAL opened last in
cc.db. KindleChat is started from KUAL's menu against a loopback upstream in Gemini's
wire format: Books shows the AZW3 (not KUAL) first with its page and percent; Ask,
Story so far and Who's who each stream an answer; the upstream receives text from
before the position and never a marker sentence from after it."""
import os
import sqlite3
import struct
import json
import shutil
import time

import pytest

from kindlechat.reading import mobi_text
from testkit import books, krds_writer
from testkit.faultkit import KEY
from testkit.gemini_chunks import sse_body
from testkit.kindle_fakes import Kindle, built_zip, http_json, wait_done
from testkit.upstream import Reply, Upstream

pytestmark = pytest.mark.skipif(books.missing() is not None, reason=str(books.missing()))
SPEC = books.BookSpec.standard(chapters=4, paragraphs=6)
AT = {"azw3": 10, "mobi": 15}     # the reader's place in each book: at this marker's start
NOW = int(time.time())


def raw(path):
    return b"".join(d for _, d in mobi_text.iter_raw(path))


def write_apnx(path, positions):
    """An .apnx as calibre writes it (FORMATS.md section 4): a page every 500 raw bytes here."""
    content = json.dumps({"contentGuid": "abcd", "asin": "B0TEST", "cdeType": "PDOC", "fileRevisionId": "1",
                          "format": "MOBI_8"}).encode()
    pages = json.dumps({"asin": "B0TEST", "pageMap": "(1,a,1)"}).encode()
    data = struct.pack(">III", 65537, 12 + len(content), len(content)) + content
    data += struct.pack(">HHHH", 1, len(pages), len(positions), 32) + pages + struct.pack(">%dI" % len(positions), *positions)
    with open(path, "wb") as f:
        f.write(data)


def lay_out(root):
    docs = os.path.join(root, "documents")
    os.makedirs(docs, exist_ok=True)
    placed = {}
    for kind, title, sidecar in (("azw3", "Keeper AZW3", "azw3f"), ("mobi", "Keeper MOBI", "mbs")):
        path = os.path.join(docs, "%s.%s" % (title, kind))
        shutil.copy(books.make(kind, books.BookSpec(title, "Ada Tester", SPEC.chapters)), path)
        text = raw(path)
        at = text.find(books.marker(AT[kind]).encode())
        sdr = os.path.splitext(path)[0] + ".sdr"
        krds_writer.place_position(sdr, title, sidecar, krds_writer.mobi_position(at) if sidecar == "mbs" else str(at))
        if kind == "azw3":
            write_apnx(os.path.join(sdr, title + ".apnx"), list(range(0, len(text), 500)))
        placed[kind] = (at, len(text))
    with open(os.path.join(docs, "KUAL.kual"), "w") as f:
        f.write("{}")
    con = sqlite3.connect(os.path.join(root, "cc.db"))
    con.execute("CREATE TABLE Entries (p_uuid TEXT, p_type TEXT, p_location TEXT, p_titles_0_nominal TEXT, "
                "j_credits TEXT, p_cdeType TEXT, p_percentFinished REAL, p_lastAccess INTEGER)")
    for i, (title, location, percent, last) in enumerate((
            ("KUAL", "/mnt/us/documents/KUAL.kual", 0, NOW),
            ("Keeper AZW3", "/mnt/us/documents/Keeper AZW3.azw3", 40, NOW - 600),
            ("Keeper MOBI", "/mnt/us/documents/Keeper MOBI.mobi", 60, NOW - 7 * 86400))):
        con.execute("INSERT INTO Entries VALUES (?, 'Entry:Item', ?, ?, '[]', 'PDOC', ?, ?)",
                    ("u%d" % i, location, title, percent, last))
    con.commit()
    con.close()
    return placed


@pytest.fixture
def up():
    server = Upstream().start()
    server.script(Reply(body=sse_body(["From the text (p. 2)."])))
    yield server
    server.stop()


@pytest.fixture
def kindle(tmp_path, tmp_path_factory):
    k = Kindle(tmp_path, built_zip(tmp_path_factory))
    yield k
    k.cleanup()


def test_books_ask_recap_and_xray_from_kual(kindle, up):
    placed = lay_out(kindle.root)
    kindle.start(KINDLECHAT_LIBRARY_DB=os.path.join(kindle.root, "cc.db"), KINDLECHAT_GEMINI_URL=up.url,
                 GEMINI_API_KEY=KEY, KINDLECHAT_THROTTLE_MS="0")
    base = "http://127.0.0.1:%d" % kindle.port
    status, listed = http_json(base + "/api/books")
    assert status == 200, listed
    titles = [b["title"] for b in listed["books"]]
    assert titles == ["Keeper AZW3", "Keeper MOBI"]                    # KUAL, opened last, is no book
    first = listed["books"][0]
    at, length = placed["azw3"]
    assert first["position"]["from"] == "sidecar" and first["text"] == "readable"
    assert first["position"]["page"] == str(at // 500 + 1)               # the printed page, from the .apnx
    assert abs(first["position"]["percent"] - 100.0 * at / length) < 0.2
    assert listed["books"][1]["stale"] is True                           # a week ago: Catch me up first
    for book, kind in ((first, "azw3"), (listed["books"][1], "mobi")):
        for body in ({"action": "book", "book": book["id"], "question": "What comes after marker P023?"},
                     {"action": "recap", "book": book["id"]}, {"action": "xray", "book": book["id"]}):
            before = len(up.requests)
            status, started = http_json(base + "/api/library/chats", "POST", body)
            assert status == 202, started
            assert wait_done(base, started["id"], started["index"]) == "done"
            sent = "\n".join(r["body"].decode("utf-8") for r in up.requests[before:])
            assert sent and books.marker(AT[kind] - 1) in sent               # the text just before the position
            for n in range(AT[kind], 24):
                assert books.marker(n) not in sent, (kind, body["action"], n)
    status, chat = http_json(base + "/api/chats/" + started["id"])
    assert chat["messages"][1]["book"]["pages"]

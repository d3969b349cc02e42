"""Bad input around the book being read (issue 24 must 10), through reading/bookchat.py
as the service calls it: a truncated book, a corrupt record, a sidecar cut short, a
position past the text's end, an .sdr folder without a sidecar, a book removed while
being read. Each gives plain words, and the chat goes on with what is known: title,
author and percent."""
import os
import shutil
import sqlite3
import time

import pytest

from kindlechat.reading import bookchat
from testkit import books, krds_writer

pytestmark = pytest.mark.skipif(books.missing() is not None, reason=str(books.missing()))
TITLE = "Bad Lighthouse"


def library(tmp_path, data=None, percent=40.0):
    root = tmp_path / "us"
    docs = root / "documents"
    docs.mkdir(parents=True)
    path = str(docs / (TITLE + ".azw3"))
    shutil.copy(books.make("azw3", books.BookSpec(TITLE, "Ada Tester", books.BookSpec.standard().chapters)), path)
    con = sqlite3.connect(str(root / "cc.db"))
    con.execute("CREATE TABLE Entries (p_type TEXT, p_location TEXT, p_titles_0_nominal TEXT, j_credits TEXT, "
                "p_percentFinished REAL, p_lastAccess INTEGER)")
    con.execute("INSERT INTO Entries VALUES ('Entry:Item', '/mnt/us/documents/%s.azw3', ?, "
                "'[{\"name\":{\"display\":\"Ada Tester\"},\"kind\":\"Author\"}]', ?, ?)" % TITLE,
                (TITLE, percent, int(time.time())))
    con.commit()
    con.close()
    chats = bookchat.BookChats({"data_dir": str(data or tmp_path / "data"), "book_budget": 0},
                               lambda: (str(root), str(root / "cc.db"), False))
    return chats, path


def ask(chats, question="Who is the keeper?"):
    book = chats.books(5)[0][0]
    text, extra = chats.first({"action": "book", "book": book["id"], "question": question})
    return book, chats.request("c1", [dict(extra, role="user", text=text)], "gemini", lambda c, i: None)


def test_a_truncated_book_and_a_corrupt_record_fall_back_to_title_and_percent(tmp_path):
    chats, path = library(tmp_path)
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 3])                     # cut short
    book, (text, fields) = ask(chats)
    assert book["text"] == "unsupported" and "damaged" in book["why"]
    assert TITLE in text and "Ada Tester" in text and "40%" in text
    assert books.marker(0) not in text and "damaged" in fields["notice"] + text


def test_a_corrupt_record_says_so(tmp_path):
    chats, path = library(tmp_path)
    data = bytearray(open(path, "rb").read())
    start = int.from_bytes(data[78 + 8:78 + 12], "big")     # record 1: the first text record
    data[start:start + 64] = b"\xbf\xff" * 32                # LZ77 copies from before the start
    open(path, "wb").write(bytes(data))
    book, (text, fields) = ask(chats)
    assert TITLE in text and "Ada Tester" in text and "40%" in text
    assert book["text"] == "unsupported" and "damaged" in fields["notice"]


def test_a_sidecar_cut_short_or_missing_uses_the_percent(tmp_path):
    chats, path = library(tmp_path, percent=50.0)
    sdr = os.path.splitext(path)[0] + ".sdr"
    os.makedirs(sdr)                                       # an .sdr without a sidecar
    book, (text, fields) = ask(chats)
    assert book["position"]["from"] == "library" and book["position"]["percent"] == 50.0
    assert "has not noted a position" in fields["notice"]
    side = krds_writer.place_position(sdr, TITLE, "azw3f", "400")
    with open(side, "r+b") as f:
        f.truncate(os.path.getsize(side) - 9)              # cut short
    book, (text, fields) = ask(chats)
    assert book["position"]["from"] == "library" and fields.get("notice")
    assert TITLE in text and "50%" in text


def test_a_position_past_the_end_is_the_end(tmp_path):
    chats, path = library(tmp_path)
    krds_writer.place_position(os.path.splitext(path)[0] + ".sdr", TITLE, "azw3f", str(10 ** 8))
    book, (text, fields) = ask(chats)
    assert book["position"]["percent"] == 100.0
    assert "past the end" in fields["notice"]
    assert books.marker(23) in text                        # the whole book was read: all of it may go


def test_a_book_over_the_cap_is_refused_in_plain_words(tmp_path):
    """A book with more raw text than the cap (mobi_text.DEFAULT_CAP, 8 MB: a 10 MB book;
    bench/book_request.py --big measures one) is not read whole: the chat says so and
    goes on with title, author and percent."""
    chats, path = library(tmp_path)
    chats.cache.cap = 1000                                 # this small book is over it
    book, (text, fields) = ask(chats)
    assert book["text"] == "unsupported" and "MB" in book["why"]
    assert "MB" in fields["notice"] and TITLE in text and "40%" in text and books.marker(0) not in text


FINAL_EMPIRE = os.path.join(books.SHARED, "sidecars", "xray-calibre-plugin", "088beb5",
                            "Final Empire, The - Brandon Sanderson.sdr")


@pytest.mark.skipif(not os.path.isdir(FINAL_EMPIRE), reason="the real X-Ray and sidecars (%s) are absent" % books.SHARED)
def test_who_is_who_of_a_drm_book_comes_from_its_xray(tmp_path):
    """A store book: its text is locked (DRM), its X-Ray is not. Who's who lists the
    people and terms met before the sidecar's position (the real Final Empire X-Ray and
    .mbs: 52 of 67), and never Shan Elariel, met later."""
    name = "Final Empire, The - Brandon Sanderson"
    chats, path = library(tmp_path)
    drm = os.path.join(os.path.dirname(path), name + ".azw")
    data = bytearray(open(path, "rb").read())
    start = int.from_bytes(data[78:82], "big")              # record 0
    data[start + 12:start + 14] = (2).to_bytes(2, "big")   # encryption: PID DRM
    open(drm, "wb").write(bytes(data))
    shutil.copytree(FINAL_EMPIRE, os.path.splitext(drm)[0] + ".sdr")
    con = sqlite3.connect(os.path.join(os.path.dirname(os.path.dirname(path)), "cc.db"))
    con.execute("INSERT INTO Entries VALUES ('Entry:Item', ?, 'The Final Empire', '[]', 45.0, ?)",
                ("/mnt/us/documents/%s.azw" % name, int(time.time()) + 5))
    con.commit()
    con.close()
    book = chats.books(5)[0][0]
    assert book["title"] == "The Final Empire" and book["text"] == "drm" and book["position"]["from"] == "sidecar"
    text, extra = chats.first({"action": "xray", "book": book["id"]})
    request, fields = chats.request("c1", [dict(extra, role="user", text=text)], "gemini", lambda c, i: None)
    assert "Vin (person" in request and "Kelsier (person" in request and "Shan Elariel" not in request
    assert request.count(" so far): ") == 52 and "DRM" in fields["notice"]


def test_a_foreign_xray_is_said_and_the_text_is_used(tmp_path):
    chats, path = library(tmp_path)
    sdr = os.path.splitext(path)[0] + ".sdr"
    krds_writer.place_position(sdr, TITLE, "azw3f", "2000")
    con = sqlite3.connect(os.path.join(sdr, "XRAY.entities.B0TEST.asc"))
    con.execute("CREATE TABLE notes (id INTEGER, text TEXT)")   # not an X-Ray
    con.commit()
    con.close()
    book = chats.books(5)[0][0]
    text, extra = chats.first({"action": "xray", "book": book["id"]})
    request, fields = chats.request("c1", [dict(extra, role="user", text=text)], "gemini", lambda c, i: None)
    assert "not an X-Ray file" in fields["notice"]
    assert books.marker(0) in request and "Who's who so far" in request

"""A chat saved as a MOBI book (mobi.py, palmdoc.py, book_html.py), opened by
independent readers: KindleUnpack (PyPI `mobi`) unpacks it back to its HTML and
metadata, and calibre's ebook-meta reads the title and author where calibre is
installed."""
import html
import os
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from kindlechat.ebook import chat_book as ebook, palmdoc

CHAT = {"id": "c0ffee12", "title": "Moby-Dick: “Call me Ishmael. Some years…”", "messages": [
    {"role": "user", "text": "Explain this passage from Moby-Dick by Herman Melville:\n\n“Call me Ishmael.”"},
    {"role": "model", "text": "## What it says\n\nThe narrator gives a **name**, perhaps not his own, and an "
                              "*invitation*.\n\n- the voice: direct\n- the tone: wry\n\n1. first point\n2. second "
                              "point\n\n> a quote\n\nCafé, naïve, 日本語, 🐋 and `code <here>`.\n\n"
     + "\n\n".join("Paragraph %d: the sea, the whale and the long voyage of the Pequod." % n for n in range(300))},
]}


def kindleunpack():
    try:
        import mobi
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("KindleUnpack is missing: requirements-dev.txt installs `mobi`")
        pytest.skip("KindleUnpack (PyPI mobi) is not installed")
    return mobi


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "chat.mobi"
    path.write_bytes(ebook.chat_mobi(CHAT))
    return str(path)


def unpacked(path):
    """(book.html text, content.opf text) as KindleUnpack writes them."""
    folder, found = kindleunpack().extract(path)
    try:
        with open(found, encoding="utf-8") as f:
            body = f.read()
        with open(os.path.join(os.path.dirname(found), "content.opf"), encoding="utf-8") as f:
            opf = f.read()
        return body, opf
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_kindleunpack_reads_the_text_title_and_author(book):
    assert os.path.getsize(book) > 0
    body, opf = unpacked(book)
    assert "<dc:title>%s</dc:title>" % CHAT["title"] in opf and "<dc:creator>KindleChat</dc:creator>" in opf
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    assert "Café, naïve, 日本語, 🐋 and code <here> ." in words            # (a tag became the space)
    assert "Paragraph 299: the sea, the whale and the long voyage of the Pequod." in words   # the last record
    for n in range(300):
        assert "Paragraph %d:" % n in words


def test_kindleunpack_sees_the_formatting(book):
    body, _ = unpacked(book)
    assert re.search(r"<h1>Moby-Dick: &#8220;Call me Ishmael", body)
    assert "<h2>You</h2>" in body and "<h2>Gemini</h2>" in body and "<h3>What it says</h3>" in body
    assert "<b>name</b>" in body and "<i>invitation</i>" in body
    assert "<ul><li>the voice: direct</li><li>the tone: wry</li></ul>" in body
    assert "<ol><li>first point</li><li>second point</li></ol>" in body
    assert "<blockquote>a quote</blockquote>" in body and "<code>code &lt;here&gt;</code>" in body
    assert "**" not in body and "## " not in body


def test_calibre_reads_the_title_and_author(book):
    tool = shutil.which("ebook-meta")
    if tool is None:
        pytest.skip("calibre's ebook-meta is not installed (apt calibre pulls in ~250 packages, Qt WebEngine "
                    "among them; KindleUnpack is the reader checked here)")
    out = subprocess.run([tool, book], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True, timeout=120).stdout
    assert re.search(r"Title\s*:\s*Moby-Dick: “Call me Ishmael", out), out
    assert re.search(r"Author\(s\)\s*:\s*KindleChat", out), out


def test_records_are_compressed_and_one_book_is_the_same_twice():
    data = ebook.chat_mobi(CHAT)
    text_length = len(ebook.book_html.chat_html(CHAT).encode("ascii", "xmlcharrefreplace"))
    assert len(data) < text_length * 0.7                    # PalmDOC compression did its work
    assert ebook.mobi.build("<p>x</p>", "T", "A", stamp=7) == ebook.mobi.build("<p>x</p>", "T", "A", stamp=7)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096) | st.text(alphabet="ab \n<>*-", max_size=4096).map(lambda s: s.encode()))
def test_palmdoc_records_unpack_with_kindleunpacks_reader(record):
    reader = pytest.importorskip("mobi.mobi_uncompress").PalmdocReader()
    packed = palmdoc.compress(record)
    assert reader.unpack(packed) == record
    assert palmdoc.decompress(packed) == record

"""A book's text, read once per version of its file and kept in the data folder
(reading/bookindex.py), on books calibre's ebook-convert made (testkit/books.py):
the raw->plain map is exact (the reader's own pieces), a second server reads the cache and
not the book, and a replaced book is read again."""
import os
import shutil

import pytest

from kindlechat.reading import bookindex, mobi_text
from kindlechat.reading.failures import BookError
from testkit import books

pytestmark = pytest.mark.skipif(books.missing() is not None, reason=str(books.missing()))
KINDS = ("mobi", "azw3", "hybrid")


def raw_of(path):
    return b"".join(d for _, d in mobi_text.iter_raw(path))


@pytest.mark.parametrize("kind", KINDS)
def test_a_position_maps_to_the_text_before_it_and_never_past(kind, tmp_path):
    path = books.make(kind)
    book = bookindex.Cache(str(tmp_path)).load(path)
    assert not isinstance(book, BookError), book
    raw = raw_of(path)
    for n in (1, 7, 15, 23):
        at = raw.find(books.marker(n).encode())
        plain = book.plain_offset(at)
        before = book.text[:plain]
        assert books.marker(n) not in before                          # nothing from the position on
        assert books.marker(n - 1)[:20] in book.text[:book.text.index(books.marker(n))]
        assert book.text.index(books.marker(n)) == plain                     # and all that is before
        assert book.raw_offset(plain) <= at


@pytest.mark.parametrize("kind", ("azw3",))
def test_the_text_is_read_once_and_again_when_the_book_changes(kind, tmp_path):
    path = str(tmp_path / ("book." + kind))
    shutil.copy(books.make(kind), path)
    data = str(tmp_path / "data")
    first = bookindex.Cache(data).load(path)
    folder = os.path.join(data, "books", bookindex.Cache.key(path))
    assert os.path.isfile(os.path.join(folder, "text.txt"))
    # A second server (a new Cache) answers from the data folder: the cached text is
    # what it serves, even after the cache was edited (so it did not read the book).
    with open(os.path.join(folder, "text.txt"), "ab") as f:
        f.write(b"\n\nFrom the cache.")
    again = bookindex.Cache(data).load(path)
    assert again.text.endswith("From the cache.") and again.text.startswith(first.text)
    # A new version of the file (another mtime) is read from the book again.
    os.utime(path, (1, 1))
    fresh = bookindex.Cache(data).load(path)
    assert fresh.text == first.text and not fresh.text.endswith("From the cache.")
    assert os.listdir(os.path.join(data, "books")) == [bookindex.Cache.key(path)]   # the old version's folder went


def test_unreadable_books_say_why_and_are_remembered(tmp_path):
    cache = bookindex.Cache(str(tmp_path))
    gone = cache.load(str(tmp_path / "gone.azw3"))
    assert isinstance(gone, BookError) and gone.reason == "missing" and "gone.azw3" in gone.message
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 200)
    found = cache.load(str(pdf))
    assert isinstance(found, BookError) and found.reason == "pdf" and "PDF" in found.message
    cut = tmp_path / "cut.azw3"
    cut.write_bytes(open(books.make("azw3"), "rb").read()[:3000])   # a book cut short
    found = cache.load(str(cut))
    assert isinstance(found, BookError) and found.reason in ("damaged", "unsupported"), found


@pytest.mark.parametrize("kind", KINDS)
def test_the_cached_map_agrees_with_the_reader_at_every_byte(kind, tmp_path):
    """The map kept in the data folder (the reader's pieces, replayed by Book.plain_offset)
    gives the reader's own answer at every raw offset, accented letters and entities too."""
    path = books.make(kind)
    read = mobi_text.read_text(path)
    bookindex.Cache(str(tmp_path)).load(path)
    cached = bookindex.Cache(str(tmp_path)).load(path)     # from the data folder this time
    assert [cached.plain_offset(r) for r in range(read.raw_length + 2)] == \
        [read.plain_offset(r) for r in range(read.raw_length + 2)]

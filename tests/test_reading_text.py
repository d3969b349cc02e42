"""reading/mobi_text: a book's text from real Kindle books (../shared/fixtures, skipped
where absent) and from books calibre's ebook-convert makes here (MOBI6, AZW3, hybrid),
checked against KindleUnpack (PyPI `mobi`, an independent reader) and against the
marker sentences the test books carry."""
import os
import random
import shutil
import struct

import pytest

from kindlechat.reading import BookError, mobi_text
from testkit import books

MOBI = os.path.join(books.SHARED, "mobi")
needs_shared = pytest.mark.skipif(not os.path.isdir(MOBI), reason="the real Kindle books (%s) are absent" % MOBI)
needs_calibre = pytest.mark.skipif(books.missing() is not None, reason=books.missing() or "")

# file: (text_status, format read, raw text end) as FORMATS.md / PROVENANCE.md verified them
REAL = {
    "cwa/alice_in_wonderland.mobi": ("readable", "MOBI6", 229829),
    "iscc-mobi/demo.mobi": ("readable", "KF8", 375542),
    "libmobi/sample-cp1252.mobi": ("readable", "MOBI6", 89348),
    "libmobi/sample-unicode-huffdic.mobi": ("readable", "KF8", 108331),
    "libmobi/sample-unicode-uncompressed.mobi": ("readable", "KF8", 108333),
    "libmobi/sample-multimedia.mobi": ("readable", "KF8", 108896),
    "libmobi/sample-ncx.mobi": ("readable", "KF8", 1032),
    "libmobi/sample-obfuscated-fonts.mobi": ("readable", "KF8", 12958),
    "libmobi/sample-textread.mobi": ("readable", "MOBI6", 95604),
    "libmobi/sample-dict-infl2.mobi": ("readable", "MOBI6", 356),
    "libmobi/sample-drm-v1.mobi": ("drm", None, None),
    "libmobi/sample-drm_pidLTKULBB^5V-v2.mobi": ("drm", None, None),
}
def kindleunpack_raw(path):
    """The raw text as KindleUnpack reads it: the KF8 part's for a hybrid."""
    from mobi.mobi_header import MobiHeader
    from mobi.mobi_sectioner import Sectionizer
    sect = Sectionizer(path)
    mh = MobiHeader(sect, 0)
    if not mh.isK8():
        for i in range(len(sect.sectionoffsets) - 1):
            if sect.sectionoffsets[i + 1] - sect.sectionoffsets[i] == 8 and sect.loadSection(i) == b"BOUNDARY":
                mh = MobiHeader(sect, i + 1)
                break
    return mh.getRawML()


def raw_of(path, stop=None):
    return b"".join(chunk for _, chunk in mobi_text.iter_raw(path, stop=stop))


@needs_shared
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_books(name):
    path = os.path.join(MOBI, name)
    status, fmt, end = REAL[name]
    assert mobi_text.text_status(path) == status
    if status == "drm":
        with pytest.raises(BookError) as caught:
            mobi_text.read_text(path)
        assert caught.value.reason == "drm" and "DRM" in caught.value.message
        return
    book = mobi_text.read_text(path)
    assert (book.format, book.raw_length) == (fmt, end)
    assert len(book.text) > min(40, end // 20)
    for markup in ("<p", "</p>", "<div", "<html", "<body", "mbp:", "filepos", "&amp;", "&nbsp;"):
        assert "libmobi/" in name or markup not in book.text    # libmobi's book quotes C headers
    if name.startswith("libmobi/sample-textread"):
        return      # a plain PalmDOC file: KindleUnpack reads no MOBI header there
    raw = raw_of(path)
    assert len(raw) == end
    assert kindleunpack_raw(path)[:end] == raw


@needs_shared
@pytest.mark.parametrize("name", ["libmobi/sample-unicode-huffdic.mobi", "libmobi/sample-unicode-uncompressed.mobi",
                                  "libmobi/sample-multimedia.mobi", "iscc-mobi/demo.mobi"])
def test_the_mobi6_part_of_a_hybrid_decompresses_too(name):
    """A hybrid is read as KF8; its MOBI6 part (HUFF/CDIC in one) must decompress as well."""
    from mobi.mobi_header import MobiHeader
    from mobi.mobi_sectioner import Sectionizer
    from kindlechat.reading import palmdb
    path = os.path.join(MOBI, name)
    with open(path, "rb") as f:
        db = palmdb.PalmDB(f)
        first = db.header(0)
        raw = b"".join(c for _, c in mobi_text.RawText(db, first, name).chunks())
    assert first.version < 8 and len(raw) == first.text_length       # PROVENANCE.md: 111701 ... 380765
    assert raw == MobiHeader(Sectionizer(path), 0).getRawML()


@needs_shared
def test_huffcdic_and_uncompressed_give_the_same_text():
    """libmobi's two hybrids hold one book, HUFF/CDIC-compressed and uncompressed."""
    huff = mobi_text.read_text(os.path.join(MOBI, "libmobi/sample-unicode-huffdic.mobi"))
    plain = mobi_text.read_text(os.path.join(MOBI, "libmobi/sample-unicode-uncompressed.mobi"))
    assert huff.text == plain.text and len(huff.text) > 20000


@needs_shared
def test_metadata_from_exth():
    alice = mobi_text.read_text(os.path.join(MOBI, "cwa/alice_in_wonderland.mobi"))
    assert (alice.title, alice.author, alice.language, alice.cdetype) == \
        ("Alice's Adventures in Wonderland", "Lewis Carroll", "en", "EBOK")
    assert "Down the Rabbit-Hole" in alice.text and "CHAPTER I." in alice.text


@pytest.fixture(scope="module")
def spec():
    return books.BookSpec.standard(chapters=4, paragraphs=6)


@pytest.fixture(scope="module", params=["mobi", "azw3", "hybrid"])
def made(request, spec):
    if books.missing():
        pytest.skip(books.missing())
    return request.param, books.make(request.param, spec)


def test_calibre_books_read_every_paragraph_in_order(made, spec):
    kind, path = made
    assert mobi_text.text_status(path) == "readable"
    book = mobi_text.read_text(path)
    assert book.format == ("MOBI6" if kind == "mobi" else "KF8")
    assert (book.title, book.author, book.language) == (spec.title, spec.author, "en")
    paragraphs = book.paragraphs()
    at = 0
    for expected in spec.paragraphs():
        at = paragraphs.index(expected, at) + 1     # each one whole, in order
    assert "\n\n\n" not in book.text and "  " not in book.text


def test_offsets_land_on_their_paragraph(made, spec):
    _, path = made
    book = mobi_text.read_text(path)
    raw = raw_of(path)
    wanted = spec.paragraphs()
    for n in range(len(wanted) - len(spec.chapters)):
        mark = books.marker(n)[:12].encode()           # "Marker P007:"
        pos = raw.index(mark)
        index = book.plain_offset(pos)
        assert book.text[index:].startswith(books.marker(n)[:12])
        assert books.marker(n)[:12] not in book.text[:index]
        assert book.paragraphs()[book.paragraph_at(index)].startswith(books.marker(n))


def test_raw_offset_inverts_plain_offset(made):
    _, path = made
    book = mobi_text.read_text(path)
    raw = raw_of(path)
    for n in range(24):
        pos = raw.index(("Marker P%03d" % n).encode())
        assert book.raw_offset(book.plain_offset(pos)) == pos
    for index in range(0, len(book.text), 3):
        back = book.raw_offset(index)
        assert book.plain_offset(back) <= index           # never past the character asked about
        if book.text[index] not in "\n":
            assert book.plain_offset(back) == index, index
    pos = raw.index("Caf\u00e9".encode())
    assert book.raw_offset(book.plain_offset(pos) + 4) == pos + 5    # after the two-byte e-acute


def test_reading_to_a_position_matches_the_whole_reads_mapping(made):
    """Two ways to the text before a position agree at every offset: reading stops
    there (stop=pos), or the whole text cut at plain_offset(pos)."""
    _, path = made
    book = mobi_text.read_text(path)
    for pos in range(0, book.raw_length + 40, 7):
        upto = mobi_text.read_text(path, stop=pos)
        assert upto.text.rstrip() == book.text[:book.plain_offset(pos)].rstrip(), pos
        assert upto.raw_length == min(pos, book.raw_length)


@pytest.mark.parametrize("kind", ["mobi", "azw3"])
def test_cyrillic_and_greek_offsets_agree_with_reading_to_them(kind):
    """Multi-byte text throughout: the map and a read that stops agree at every byte."""
    if books.missing():
        pytest.skip(books.missing())
    spec = books.BookSpec("Тест", "Автор", [
        ("Глава %d" % c, [
            ("Маркер %d-%d: старый смо"
             "тритель маяка счит"
             "ал чаек αβγ & é " % (c, n)) * 3
            for n in range(4)]) for c in range(3)], language="ru")
    path = books.make(kind, spec)
    book = mobi_text.read_text(path)
    assert book.title == spec.title and book.language == "ru"
    at = 0
    for expected in spec.paragraphs():
        at = book.paragraphs().index(expected.strip(), at) + 1
    raw = raw_of(path)
    for pos in list(range(0, len(raw), 5)) + [len(raw)]:
        upto = mobi_text.read_text(path, stop=pos)
        assert upto.text.rstrip() == book.text[:book.plain_offset(pos)].rstrip(), pos
        mark = raw.find(b"\xd0\x9c", pos)          # the next paragraph's first letter
        if mark >= 0:
            assert book.plain_offset(mark) <= book.plain_offset(mark + 1) == book.plain_offset(mark)


def test_a_hybrid_read_for_a_mobi_position_reads_its_mobi6_part(spec):
    if books.missing():
        pytest.skip(books.missing())
    path = books.make("hybrid", spec)
    kf8, mobi6 = mobi_text.read_text(path), mobi_text.read_text(path, form="mobi")
    assert (kf8.format, mobi6.format, kf8.hybrid, mobi6.hybrid) == ("KF8", "MOBI6", True, True)
    assert mobi_text.read_text(books.make("mobi", spec), form="kf8").hybrid is False
    assert kf8.paragraphs()[:25] == mobi6.paragraphs()[:25]
    raw = b"".join(c for _, c in mobi_text.iter_raw(path, form="mobi"))
    assert raw == b"".join(c for _, c in mobi_text.iter_raw(books.make("mobi", spec)))    # as MOBI6-only
    pos = raw.index(b"Marker P013")
    assert mobi6.text[mobi6.plain_offset(pos):].startswith("Marker P013")
    upto = mobi_text.read_text(path, stop=pos, form="mobi")
    assert "Marker P012" in upto.text and "Marker P013" not in upto.text


def test_nothing_after_the_stop_is_read(made, spec):
    _, path = made
    raw = raw_of(path)
    stop = raw.index(books.marker(13)[:12].encode())
    book = mobi_text.read_text(path, stop=stop)
    assert books.marker(12) in book.text
    for n in range(13, 24):
        assert "Marker P%03d" % n not in book.text
    assert not book.complete


def test_utf8_offsets_inside_a_character_stay_before_it(made):
    _, path = made
    raw = raw_of(path)
    book = mobi_text.read_text(path)
    pos = raw.index("Café".encode("utf-8"))
    start = book.plain_offset(pos)
    assert book.text[start:start + 4] == "Café"
    assert book.plain_offset(pos + 3) == start + 3           # the é's first byte: before it
    assert book.plain_offset(pos + 4) == start + 3           # inside the é: still before it
    assert book.plain_offset(pos + 5) == start + 4
    amp = raw.index(b"&amp;")
    assert book.text[book.plain_offset(amp)] == "&"
    assert book.plain_offset(amp + 2) == book.plain_offset(amp)


def test_a_position_past_the_end_maps_to_the_end(made):
    _, path = made
    book = mobi_text.read_text(path)
    assert book.plain_offset(book.raw_length + 10 ** 6) == len(book.text)


LONG = books.BookSpec.standard(chapters=3, paragraphs=40, filler=60)     # ~50 KB, 12+ records


def test_too_big_is_refused_or_sampled(made):
    kind, _ = made
    path = books.make(kind, LONG)
    with pytest.raises(BookError) as caught:
        mobi_text.read_text(path, cap=10000)
    assert caught.value.reason == "too_big" and "MB" in caught.value.message
    raw = raw_of(path)
    stop = raw.index(books.marker(100)[:12].encode())
    sample = mobi_text.read_text(path, cap=10000, stop=stop)
    assert sample.sampled and 0 < stop - sample.raw_start < 10000 + 4096
    assert books.marker(99) in sample.text and "Marker P100" not in sample.text
    assert "Marker P000" not in sample.text and not sample.text.startswith("<")
    assert sample.plain_offset(stop) == len(sample.text) and sample.plain_offset(0) == 0
    assert sample.text[sample.plain_offset(raw.index(b"Marker P095")):].startswith(books.marker(95))


@pytest.fixture(params=["mobi", "azw3", "hybrid"])
def book_copy(request, tmp_path):
    """A copy of a long test book to damage (record 2 is a text record of the part read,
    except in a hybrid, whose KF8 part is read)."""
    if books.missing():
        pytest.skip(books.missing())
    path = str(tmp_path / ("copy-%s.mobi" % request.param))
    shutil.copyfile(books.make(request.param, LONG), path)
    return path


def test_a_book_cut_short_is_damaged(book_copy):
    size = os.path.getsize(book_copy)
    with open(book_copy, "r+b") as f:
        f.truncate(size // 3)
    with pytest.raises(BookError) as caught:
        mobi_text.read_text(book_copy)
    assert caught.value.reason == "damaged" and "cut short" in caught.value.message
    with open(book_copy, "r+b") as f:
        f.truncate(40)
    assert mobi_text.text_status(book_copy) == "unsupported"
    with pytest.raises(BookError) as caught:
        mobi_text.read_text(book_copy)
    assert caught.value.reason == "unsupported"


def test_a_corrupt_record_is_damaged(book_copy):
    from kindlechat.reading import palmdb
    with open(book_copy, "rb") as f:
        db = palmdb.PalmDB(f)
        part = mobi_text._parts(db)[1]                 # a hybrid's KF8 part: the one read
        second = db.offsets[part.base + 2]             # its text record 2
    with open(book_copy, "r+b") as f:
        f.seek(second)
        f.write(b"\x80\xff")      # a copy from 2047 bytes before the record's start
    with pytest.raises(BookError) as caught:
        mobi_text.read_text(book_copy)
    assert caught.value.reason == "damaged" and "PalmDOC" in caught.value.message


def test_random_damage_never_gives_a_traceback(book_copy):
    data = bytearray(open(book_copy, "rb").read())
    rng = random.Random(24)
    for trial in range(60):
        broken = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            broken[rng.randrange(len(broken))] = rng.randrange(256)
        with open(book_copy, "wb") as f:
            f.write(broken)
        mobi_text.text_status(book_copy)
        try:
            mobi_text.read_text(book_copy)
        except BookError as exc:
            assert exc.reason in ("damaged", "drm", "unsupported", "too_big"), trial


@needs_shared
def test_random_damage_to_a_huffcdic_book_never_gives_a_traceback(tmp_path):
    with open(os.path.join(MOBI, "libmobi/sample-unicode-huffdic.mobi"), "rb") as f:
        data = f.read()
    path = str(tmp_path / "huff.mobi")
    rng = random.Random(17480)
    for trial in range(40):
        broken = bytearray(data[:rng.randrange(len(data) // 2, len(data) + 1)])
        for _ in range(rng.randint(0, 40)):
            broken[rng.randrange(len(broken))] = rng.randrange(256)
        with open(path, "wb") as f:
            f.write(broken)
        mobi_text.text_status(path)
        try:
            mobi_text.read_text(path)
        except BookError as exc:
            assert exc.reason in ("damaged", "drm", "unsupported", "too_big"), trial


def test_other_files_say_why(tmp_path):
    pdf, kfx, txt = tmp_path / "a.pdf", tmp_path / "b.azw", tmp_path / "c.txt"
    replica = tmp_path / "d.azw4"
    replica.write_bytes(bytes(100))
    pdf.write_bytes(b"%PDF-1.4\n%...")
    kfx.write_bytes(b"CONT\x02\x00" + bytes(100))
    txt.write_bytes(b"just some words\n" * 10)
    folder = tmp_path / "e.mobi"
    folder.mkdir()
    expected = {pdf: "pdf", kfx: "kfx", txt: "unsupported", replica: "pdf", folder: "unsupported",
                tmp_path / "gone.mobi": "missing"}
    for path, status in expected.items():
        assert mobi_text.text_status(str(path)) == status
        with pytest.raises(BookError) as caught:
            mobi_text.read_text(str(path))
        assert caught.value.reason == status
        assert caught.value.message == mobi_text.status_error(str(path), status).message
        assert os.path.basename(str(path)) in caught.value.message


@pytest.mark.parametrize("raw, text", [
    (b"<table><tr><td>a</td><td>b</td></tr></table><p>c</p>", "a b\n\nc"),
    (b"<p>one<br/>two<br><br/>three</p>", "one\ntwo\nthree"),
    (b"<p>&foo; &lt;x&gt; &#233;&#xE9; &nbsp;</p>", "&foo; <x> \xe9\xe9 \xa0"),
    (b"<p>a<!-- hidden <b>x</b> -->b</p><script>var s = '<p>no</p>';</script><p>c</p>", "ab\n\nc"),
    (b"<?xml version='1.0'?><html><head><style>p {x: y}</style></head><body><p> lead  </p>"
     b"<p>\n\ttrail \n</p></body></html>", "lead\n\ntrail"),
    (b"<html><head><title>never closed<body><p>text</p>", "text"),
    (b"<p><i>in</i><b>line</b> <span>words</span></p><mbp:pagebreak/><h2>Next</h2>", "inline words\n\nNext"),
])
def test_markup_cases(raw, text):
    from kindlechat.reading.markup import Plain
    for size in (len(raw), 5, 1):       # fed whole, or in chunks cut anywhere
        plain = Plain("cp1252")
        for i in range(0, len(raw), size):
            plain.feed(raw[i:i + size])
        assert plain.close() == text, size


def test_a_10_mb_book_is_refused_or_sampled_in_little_memory(tmp_path):
    """A MOBI with 11 MB of text (written uncompressed by the repo's own MOBI writer,
    ebook/mobi.py, which takes a second where ebook-convert takes minutes)."""
    import tracemalloc
    from kindlechat.ebook import mobi
    para = "<p>Marker %06d: the tide came in over the stones and the keeper wrote it down in his log " \
           "before the lamp was lit, and the gulls were counted again.</p>"
    html = "<html><body>" + "".join(para % i for i in range(75000)) + "</body></html>"
    path = str(tmp_path / "big.mobi")
    with open(path, "wb") as f:
        f.write(mobi.build(html, "Big", "Tester", stamp=0, compress=False))
    del html
    assert os.path.getsize(path) > 10 * 2 ** 20 and mobi_text.text_status(path) == "readable"
    with pytest.raises(BookError) as caught:
        mobi_text.read_text(path)
    assert caught.value.reason == "too_big"
    assert "big.mobi has about 10 MB of text, more than the 8 MB" in caught.value.message
    stop = 9000000
    tracemalloc.start()
    try:
        sample = mobi_text.read_text(path, cap=2 * 2 ** 20, stop=stop)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12 * 2 ** 20, peak                # ~2 MB of text read: a few times that at most
    assert sample.sampled and sample.raw_length == stop and stop - sample.raw_start <= 2 * 2 ** 20 + 4096
    last = sample.paragraphs()[-1]
    assert sample.paragraphs()[1].startswith("Marker ") and last.startswith("Marker ")
    size = len(para % 0)                          # every paragraph's markup is as long
    cut = (stop - len("<html><body>")) // size      # the paragraph the stop falls in
    assert last.startswith("Marker %06d" % cut) and (para % cut)[3:].startswith(last)
    assert len(last) < size - 7 and "Marker %06d" % (cut + 1) not in sample.text


def test_a_lone_angle_bracket_in_a_damaged_book_is_text(tmp_path):
    """A '<' that no '>' follows (damage, or a careless converter) ends up as text,
    after the rest of the book, not as a tag swallowing it."""
    from kindlechat.ebook import mobi
    html = "<html><body><p>before</p><p>a &lt; b " + "word " * 30000 + "<broken " + "x" * 70000 + \
        "</p><p>after</p></body></html>"
    path = str(tmp_path / "lone.mobi")
    with open(path, "wb") as f:
        f.write(mobi.build(html, "Lone", "Tester", stamp=0, compress=False))
    book = mobi_text.read_text(path)
    paragraphs = book.paragraphs()
    assert paragraphs[0] == "before" and paragraphs[1].startswith("a < b word word")
    assert "<broken xxxx" in paragraphs[1] and paragraphs[-1] == "after"

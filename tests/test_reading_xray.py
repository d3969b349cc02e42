"""reading/xray: who's who up to a position, from the real Amazon X-Ray of The Final
Empire (../shared, descriptions replaced there; skipped where absent), the X-Ray
Creator plugin's empty database, and databases made from xray-builder's
BaseDB.sql (the real schema) for a calibre-made test book; plus locked, foreign,
damaged and missing files."""
import os
import shutil
import sqlite3

import pytest

from kindlechat.reading import mobi_text, xray
from testkit import books

SHARED = books.SHARED
FINAL_EMPIRE = os.path.join(SHARED, "sidecars", "xray-calibre-plugin", "088beb5",
                            "Final Empire, The - Brandon Sanderson.sdr")
BASE_SQL = os.path.join(SHARED, "xray", "xray-builder-gui", "BaseDB.sql")
EMPTY = os.path.join(SHARED, "xray", "xray-calibre-plugin", "test.asc")
needs_shared = pytest.mark.skipif(not os.path.isdir(FINAL_EMPIRE), reason="the real X-Ray files (%s) are absent" % SHARED)


@needs_shared
def test_the_real_xray_up_to_the_sidecars_position():
    path = xray.find_xray(FINAL_EMPIRE)
    assert path.endswith("XRAY.entities.B002GYI9C4.asc")
    before = os.stat(path).st_mtime, open(path, "rb").read()
    found, why = xray.read_xray(path, 753939)           # the lpr of the .mbs beside it
    assert why is None and (found.srl, found.erl) == (12261, 1668532)
    assert len(found.entities) == 52                     # FORMATS.md: 52 of the 67 with occurrences
    labels = [e.label for e in found.entities]
    assert labels[:2] == ["Vin", "Kelsier"] and "Shan Elariel" not in labels
    for e in found.entities:
        assert e.first <= 753939 and e.mentions >= 1 and e.kind in ("person", "term")
        assert all(start + length <= 753939 for start, length in e.excerpts)
        assert e.description.startswith("[%s:" % e.label)
    later, _ = xray.read_xray(path, 760733 + 40)
    assert "Shan Elariel" in [e.label for e in later.entities]
    everything, _ = xray.read_xray(path, found.erl)
    assert len(everything.entities) == 67
    assert (os.stat(path).st_mtime, open(path, "rb").read()) == before     # read-only


@needs_shared
def test_asking_by_name_never_names_a_later_character():
    path = xray.find_xray(FINAL_EMPIRE)
    assert [e.label for e in xray.read_xray(path, 753939, "kelsier")[0].entities] == ["Kelsier"]
    assert xray.read_xray(path, 753939, "Shan Elariel")[0].entities == []
    assert [e.label for e in xray.read_xray(path, 800000, "shan")[0].entities] == ["Shan Elariel"]
    assert xray.read_xray(path, 100, "Vin")[0].entities == []


@needs_shared
def test_an_empty_xray_has_no_one():
    found, why = xray.read_xray(EMPTY, 10 ** 7)
    assert why is None and found.entities == []


def make_xray(path, entities, erl):
    """An X-Ray DB of the real schema (xray-builder's BaseDB.sql): entities as
    (label, type, description, [(start, length) occurrences], [(start, length) excerpts])."""
    con = sqlite3.connect(path)
    with open(BASE_SQL, encoding="utf-8") as f:
        con.executescript("BEGIN;" + f.read() + "COMMIT;")     # one write, not 176
    con.execute("INSERT INTO book_metadata VALUES (0, ?, 0, 1, 0, 0, 0, 0, '')", (erl,))
    excerpt = 0
    for eid, (label, kind, text, occurrences, excerpts) in enumerate(entities, 1):
        con.execute("INSERT INTO entity VALUES (?, ?, NULL, ?, ?, 1)", (eid, label, kind, len(occurrences)))
        con.execute("INSERT INTO entity_description VALUES (?, ?, 1, ?)", (text, label, eid))
        con.executemany("INSERT INTO occurrence VALUES (?, ?, ?)", [(eid, s, n) for s, n in occurrences])
        for start, length in excerpts:
            excerpt += 1
            con.execute("INSERT INTO excerpt VALUES (?, ?, ?, NULL, ?, 0)", (excerpt, start, length, str(eid)))
            con.execute("INSERT INTO entity_excerpt VALUES (?, ?)", (eid, excerpt))
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    return path


@pytest.mark.skipif(not os.path.isfile(BASE_SQL), reason="xray-builder's BaseDB.sql is absent")
@pytest.mark.skipif(books.missing() is not None, reason=books.missing() or "")
def test_an_xray_for_a_calibre_book_gives_excerpts_from_before_the_position(tmp_path):
    path = books.make("mobi", books.BookSpec.standard(chapters=4, paragraphs=6))
    raw = b"".join(chunk for _, chunk in mobi_text.iter_raw(path))
    book = mobi_text.read_text(path)

    def span(n):
        start = raw.index(("Marker P%03d" % n).encode())
        return start, len(books.marker(n))
    entities = [("Keeper %d" % n, 1, "A keeper first met in paragraph %d." % n, [span(n), span(n + 1)], [span(n)])
                for n in (2, 9, 17)]
    db = make_xray(str(tmp_path / "XRAY.entities.B0TEST.asc"), entities, len(raw))
    position = raw.index(b"Marker P012")
    found, why = xray.read_xray(db, position)
    assert why is None and [e.label for e in found.entities] == ["Keeper 2", "Keeper 9"]
    for e in found.entities:
        for start, length in e.excerpts:
            text = book.text[book.plain_offset(start):book.plain_offset(start + length)]
            assert text.startswith("Marker P") and book.plain_offset(start + length) <= book.plain_offset(position)
    assert xray.read_xray(db, position, "keeper 17")[0].entities == []


@pytest.mark.skipif(not os.path.isfile(BASE_SQL), reason="xray-builder's BaseDB.sql is absent")
def test_a_locked_xray_says_so(tmp_path):
    db = make_xray(str(tmp_path / "XRAY.entities.B0.asc"), [("Ada", 1, "x", [(10, 3)], [])], 100)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        found, why = xray.read_xray(db, 50)
        assert found is None and why.code == "xray_busy"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [e.label for e in xray.read_xray(db, 50)[0].entities] == ["Ada"]


def test_foreign_damaged_and_missing_files_say_so(tmp_path):
    foreign = str(tmp_path / "XRAY.entities.F.asc")
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes(id INTEGER, text TEXT)")
    con.commit()
    con.close()
    assert xray.read_xray(foreign, 10)[1].code == "xray_foreign"
    junk = tmp_path / "XRAY.entities.J.asc"
    junk.write_bytes(b"this is not a database at all" * 100)
    assert xray.read_xray(str(junk), 10)[1].code == "xray_unreadable"
    if os.path.isfile(EMPTY):
        cut = tmp_path / "XRAY.entities.C.asc"
        with open(EMPTY, "rb") as f:
            cut.write_bytes(f.read()[:5000])
        found, why = xray.read_xray(str(cut), 10)
        assert found is None and why.code in ("xray_unreadable", "xray_foreign")
    found, why = xray.read_xray(str(tmp_path / "XRAY.entities.none.asc"), 10)
    assert found is None and why.code == "xray_missing" and "XRAY.entities.none.asc" in why.message
    assert xray.find_xray(str(tmp_path / "gone")) is None


@needs_shared
def test_a_read_only_copy_reads(tmp_path):
    copy = tmp_path / "XRAY.entities.B002GYI9C4.asc"
    shutil.copyfile(xray.find_xray(FINAL_EMPIRE), str(copy))
    os.chmod(str(copy), 0o444)
    os.chmod(str(tmp_path), 0o555)       # a read-only folder: no journal can be made
    try:
        found, why = xray.read_xray(str(copy), 753939)
        assert why is None and len(found.entities) == 52
    finally:
        os.chmod(str(tmp_path), 0o755)

"""reading/krds: the reader's sidecars. The real ones in ../shared (skipped where
absent) parse, give the positions PROVENANCE.md verified, and round-trip byte for
byte through the test writer (testkit/krds_writer.py), which then makes the
sidecars of the edge cases: newest wins, cut short, none at all."""
import doctest
import glob
import os

import pytest
from hypothesis import given, settings, strategies as st

from kindlechat.reading import krds
from testkit import books, krds_writer

SIDECARS = os.path.join(books.SHARED, "sidecars")
needs_shared = pytest.mark.skipif(not os.path.isdir(SIDECARS), reason="the real sidecars (%s) are absent" % SIDECARS)
REAL = sorted(p for p in glob.glob(os.path.join(SIDECARS, "**", "*"), recursive=True)
              if os.path.isfile(p) and not p.endswith((".apnx", ".asc")))
SDR = os.path.join(SIDECARS, "xray-calibre-plugin", "%s")


def test_writer_examples_run():
    """(reading/krds's own run in test_docstrings; testkit is not walked there.)"""
    for module in (krds_writer,):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


@needs_shared
def test_ten_real_sidecars_round_trip_byte_for_byte():
    assert len(REAL) == 10
    for path in REAL:
        with open(path, "rb") as f:
            data = f.read()
        sidecar = krds.parse(data)
        assert sidecar.complete and sidecar.objects
        assert krds_writer.encode(sidecar) == data, path


@needs_shared
@pytest.mark.parametrize("folder, offset, furthest", [
    ("088beb5/Final Empire, The - Brandon Sanderson.sdr", 753939, 1668492),
    ("d2360ac/Final Empire, The - Brandon Sanderson.sdr", 1668492, 1668492),
    ("476e365/Hero of Ages, The - Brandon Sanderson.sdr", 555538, 555505),
])
def test_real_mobi_positions(folder, offset, furthest):
    pos, why = krds.find_position(SDR % folder)
    assert why is None
    assert (pos.offset, pos.form, pos.furthest) == (offset, "mobi", furthest)
    assert pos.path.endswith(".mbs") and "\n" in pos.raw and pos.time_ms > 1.4e12


@needs_shared
def test_real_azw3_and_kfx_positions(tmp_path):
    for name, (offset, form) in {"bookhl+note.azw3f": (694646, "kf8"),
                                 "pdfannot.yjf": (3196, "kfx")}.items():
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        with open(os.path.join(SIDECARS, "serde_krds", name), "rb") as f:
            (folder / name).write_bytes(f.read())
        pos = krds.read_position(str(folder))
        assert (pos.offset, pos.form) == (offset, form)
    assert pos.anchor == (1757, 0)


@needs_shared
def test_real_annotations_and_page_map_values():
    with open(os.path.join(SIDECARS, "serde_krds", "bookhl+note.azw3r"), "rb") as f:
        sidecar = krds.parse(f.read())
    cache = sidecar.find("annotation.cache.object").plain()["annotation.cache.object"]
    notes = [v for tree in cache if isinstance(tree, dict) for v in tree["saved.avl.interval.tree"]
             if isinstance(v, dict)]
    assert {"annotation.personal.note": ["696187", "696191", 1693167126654, 1693167126654, "0\ufffc0",
                                         "Test note"]} in notes
    apnx = sidecar.find("apnx.key").plain()["apnx.key"]
    assert apnx[3] == 505 and apnx[-1] == "(1,a,1)"


def test_newest_sidecar_wins(tmp_path):
    sdr = str(tmp_path / "Emma.sdr")
    krds_writer.place_position(sdr, "Emma", "mbs", krds_writer.mobi_position(224199), mtime=1000)
    krds_writer.place_position(sdr, "Emma", "azw3f", "68089", mtime=2000)
    pos = krds.read_position(sdr)
    assert (pos.offset, pos.form) == (68089, "kf8") and pos.path.endswith(".azw3f")
    os.utime(os.path.join(sdr, "Emmaac96399d5b670e2a1c4dacaaa1ba7e1c.mbs"), (3000, 3000))
    pos = krds.read_position(sdr)
    assert (pos.offset, pos.form) == (224199, "mobi")


def test_a_sidecar_cut_short_falls_back_to_an_older_one(tmp_path):
    sdr = str(tmp_path / "Emma.sdr")
    krds_writer.place_position(sdr, "Emma", "mbs", krds_writer.mobi_position(5000), mtime=1000)
    newest = krds_writer.place_position(sdr, "Emma", "azw3f", "90000", mtime=2000)
    data = open(newest, "rb").read()
    for cut in range(0, len(data)):
        with open(newest, "wb") as f:
            f.write(data[:cut])
        os.utime(newest, (2000, 2000))
        pos, why = krds.find_position(sdr)
        assert (pos.offset, why) == (5000, None), cut


def test_only_a_sidecar_cut_short_says_so(tmp_path):
    sdr = str(tmp_path / "Emma.sdr")
    path = krds_writer.place_position(sdr, "Emma", "azw3f", "90000")
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[:len(data) - 12])
    pos, why = krds.find_position(sdr)
    assert pos is None and why.code == "sidecar_unreadable" and "Emma.azw3f" in why.message
    with pytest.raises(krds.KrdsError):
        krds.parse(data[:len(data) - 12])


def test_no_sidecar_says_so(tmp_path):
    sdr = tmp_path / "Emma.sdr"
    sdr.mkdir()
    (sdr / "Emma.apnx").write_bytes(b"\x00\x01\x00\x01")
    (sdr / "Emma.azw3f.tmp").write_bytes(krds_writer.position_sidecar("123"))
    (sdr / "notes.txt").write_text("not a sidecar")
    for folder in (str(sdr), str(tmp_path / "gone.sdr"), None):
        pos, why = krds.find_position(folder)
        assert pos is None and why.code == "no_sidecar" and "percent" in why.message


def test_a_sidecar_without_a_position_is_passed_over(tmp_path):
    sdr = tmp_path / "Emma.sdr"
    sdr.mkdir()
    (sdr / "Emma.azw3r").write_bytes(krds_writer.encode(krds.Sidecar([krds_writer.fpr("77")])))
    assert krds.find_position(str(sdr))[1].code == "no_sidecar"
    (sdr / "Emma.azw3f").write_bytes(krds_writer.encode(krds.Sidecar([krds.Obj("lpr", [(krds.UTF, "4242")])])))
    assert krds.read_position(str(sdr)).offset == 4242       # the old form: a lone string


def test_position_forms():
    assert krds.parse_position("224199:224198:83:QUJD\nREVG").offset == 224199
    assert krds.parse_position(" 68089 ").form == "kf8"
    for junk in ("", None, "abc", "12:ab", "::"):
        assert krds.parse_position(junk) is None


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_after_the_magic_parse_or_say_why(tail, salvage):
    try:
        sidecar = krds.parse(krds.MAGIC + tail, salvage=salvage)
    except krds.KrdsError:
        return
    if sidecar.complete:      # what parses whole writes back to the same bytes, up to where it ended
        data = krds_writer.encode(sidecar)
        assert (krds.MAGIC + tail).startswith(data)


@needs_shared
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_real_sidecars_parse_or_say_why(data):
    path = data.draw(st.sampled_from(REAL))
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(8, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    try:
        sidecar = krds.parse(bytes(raw[:cut]), salvage=True)
    except krds.KrdsError:
        return
    assert isinstance(sidecar.objects, list)
    pos = krds._from_sidecar(sidecar, path)
    assert pos is None or isinstance(pos.offset, int)

"""reading/apnx: printed pages from the real calibre-made .apnx files and the "r"
sidecars' apnx.key copies (../shared, skipped where absent), page maps with roman
and custom labels written here in the calibre layout, and files cut short."""
import glob
import json
import os
import struct

import pytest
from hypothesis import given, settings, strategies as st

from kindlechat.reading import apnx, krds
from testkit import books

SIDECARS = os.path.join(books.SHARED, "sidecars")
needs_shared = pytest.mark.skipif(not os.path.isdir(SIDECARS), reason="the real sidecars (%s) are absent" % SIDECARS)
FINAL_EMPIRE = os.path.join(SIDECARS, "xray-calibre-plugin", "088beb5", "Final Empire, The - Brandon Sanderson.sdr")


def write_apnx(path, positions, page_map="(1,a,1)", asin="B0TEST"):
    """An APNX in calibre's layout (devices/kindle/apnx.py, FORMATS.md section 4)."""
    content = json.dumps({"contentGuid": "abcd1234", "asin": asin, "cdeType": "EBOK",
                          "fileRevisionId": "1"}).encode()
    pages = json.dumps({"asin": asin, "pageMap": page_map}).encode()
    data = struct.pack(">III", 65537, 12 + len(content), len(content)) + content
    data += struct.pack(">HHHH", 1, len(pages), len(positions), 32) + pages
    data += struct.pack(">%dI" % len(positions), *positions)
    with open(path, "wb") as f:
        f.write(data)
    return data


@needs_shared
def test_real_apnx_pages():
    for path in glob.glob(os.path.join(SIDECARS, "xray-calibre-plugin", "*", "*.sdr", "*.apnx")):
        pm = apnx.read_apnx(path)
        assert pm.count == 726 and pm.page_map == "(1,a,1)"
        assert pm.positions[:3] == [0, 2300, 4600] and pm.positions[-1] == 1667500
        assert pm.page_for(0) == "1" and pm.page_for(2299) == "1" and pm.page_for(2300) == "2"
        assert pm.page_for(753939) == str(753939 // 2300 + 1)      # the lpr in the same folder
        assert pm.page_for(1668531) == "726"                         # the raw text's last byte


@needs_shared
def test_the_r_sidecar_holds_the_same_page_map():
    [mbp1] = glob.glob(os.path.join(FINAL_EMPIRE, "*.mbp1"))
    with open(mbp1, "rb") as f:
        from_sidecar = apnx.from_sidecar(krds.parse(f.read()))
    from_file = apnx.read_apnx(apnx.find_apnx(FINAL_EMPIRE))
    assert from_sidecar.positions == from_file.positions and from_sidecar.count == 726
    with open(os.path.join(SIDECARS, "serde_krds", "bookhl+note.azw3r"), "rb") as f:
        azw3 = apnx.from_sidecar(krds.parse(f.read()))
    assert azw3.count == 504 and azw3.page_for(694646) == str(694646 // 2300 + 1)
    with open(os.path.join(SIDECARS, "serde_krds", "pdfannot.yjr"), "rb") as f:
        assert apnx.from_sidecar(krds.parse(f.read())) is None


def test_roman_and_custom_labels(tmp_path):
    path = str(tmp_path / "b.apnx")
    write_apnx(path, [0, 100, 200, 300, 400, 500, 600], "(1,r,1),(4,a,1),(6,c,Plate A|Plate B)")
    pm = apnx.read_apnx(path)
    assert pm.asin == "B0TEST"
    assert [pm.page_for(x) for x in (0, 150, 250, 399, 400, 550, 650)] == \
        ["i", "ii", "iii", "1", "2", "Plate A", "Plate B"]
    assert apnx.PageMap([0, 1], "(1,r,999999999999)").page_for(5) == "1000000000000"   # no endless numeral
    pm = apnx.read_apnx(write_apnx(path, [500, 1000]) and path)
    assert pm.page_for(10) is None and pm.page_for(999) == "1"


def test_a_page_map_cut_short_or_foreign_says_so(tmp_path):
    path = str(tmp_path / "Emma.apnx")
    data = write_apnx(path, list(range(0, 230000, 2300)))
    for cut in (len(data) - 3, 40, 6, 0):
        with open(path, "wb") as f:
            f.write(data[:cut])
        with pytest.raises(apnx.ApnxError) as caught:
            apnx.read_apnx(path)
        assert caught.value.error.code == "apnx_unreadable" and "Emma.apnx" in caught.value.error.message
    with pytest.raises(apnx.ApnxError):
        apnx.read_apnx(str(tmp_path / "gone.apnx"))


def test_find_apnx(tmp_path):
    assert apnx.find_apnx(str(tmp_path)) is None and apnx.find_apnx(str(tmp_path / "gone")) is None
    write_apnx(str(tmp_path / "Emma.apnx"), [0])
    assert apnx.find_apnx(str(tmp_path)).endswith("Emma.apnx")


def test_locations():
    assert [apnx.location_for(x) for x in (0, 149, 150, 224199)] == [1, 1, 2, 1495]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 12))
def test_any_bytes_read_as_pages_or_say_why(data, at):
    import tempfile
    good = struct.pack(">III", 65537, 12, 0)[:at]
    with tempfile.NamedTemporaryFile(suffix=".apnx", delete=False) as f:
        f.write(good + data)
    try:
        pm = apnx.read_apnx(f.name)
        assert pm.count == len(pm.positions)
        pm.page_for(1000)
    except apnx.ApnxError as exc:
        assert exc.error.code == "apnx_unreadable"
    finally:
        os.unlink(f.name)

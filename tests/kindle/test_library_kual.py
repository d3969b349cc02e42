"""Saving a chat as a book on the emulated Kindle (testkit/kindle_fakes.py): started
from KUAL's menu, the server writes into the fake /mnt/us/documents/KindleChat/ and
then asks the Kindle's scanner to rescan (lipc-set-prop com.lab126.scanner
doFullScan 1), which the fake lipc-set-prop records."""
import html
import os
import shutil

import pytest

from testkit.kindle_fakes import Kindle, built_zip, http_json, wait_done

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(HERE), "fixtures", "clippings")
RESCAN = ["lipc-set-prop", "com.lab126.scanner", "doFullScan", "1"]


@pytest.fixture
def kindle(tmp_path, tmp_path_factory):
    k = Kindle(tmp_path, built_zip(tmp_path_factory))
    documents = os.path.join(k.root, "documents")
    os.makedirs(documents)   # every Kindle has it; the reader writes My Clippings.txt there
    shutil.copy(os.path.join(FIX, "hadynz-languages.txt"), os.path.join(documents, "My Clippings.txt"))
    yield k
    k.cleanup()


def test_a_saved_chat_appears_in_documents_and_the_scanner_is_asked(kindle):
    kindle.start()
    base = "http://127.0.0.1:%d" % kindle.port
    status, found = http_json(base + "/api/highlights?q=Tolkien")
    assert status == 200 and found["highlights"], found             # the Kindle's own clippings
    status, started = http_json(base + "/api/library/chats", "POST",
                                {"action": "explain", "highlight": found["highlights"][0]["id"]})
    assert status in (200, 201, 202), started
    assert wait_done(base, started["id"], started["index"]) == "done"
    assert RESCAN not in kindle.calls()
    status, saved = http_json(base + "/api/chats/%s/save" % started["id"], "POST", {})
    assert status == 200, saved
    assert saved["path"].startswith("documents/KindleChat/")
    target = os.path.join(kindle.root, saved["path"])
    assert saved["path"].endswith(".mobi") and os.path.isfile(target)
    # The independent reader opens the saved book (tests/test_mobi.py has more).
    kindleunpack = pytest.importorskip("mobi")   # KindleUnpack: requirements-dev.txt
    folder, found = kindleunpack.extract(target)
    try:
        with open(found, encoding="utf-8") as f:
            assert "Le Retour du roi" in html.unescape(f.read())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # Asked once per save, by the server (the scripts never ask).
    assert kindle.calls().count(RESCAN) == 1
    assert kindle.prop("com.lab126.scanner", "doFullScan") == "1"
    # lipc-set-prop is the system's: it runs without the Python's LD_LIBRARY_PATH
    # (NiLuJe's libraries break the system's own tools, common.sh's py()).
    used = [line.split("\t")[1] for line in kindle.read(os.path.join(kindle.fake, "ld_library_path")).splitlines()]
    assert used and all(path == "" for path in used), used
    status, again = http_json(base + "/api/chats/%s/save" % started["id"], "POST", {})
    assert again == saved and kindle.calls().count(RESCAN) == 2
    name = os.path.basename(target)
    # one saved chat, one book: the MOBI only, so the library lists it once (issue 22.9)
    assert sorted(os.listdir(os.path.dirname(target))) == [name]

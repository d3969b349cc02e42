"""The library when things go wrong (issue 14.7): the clippings cache keyed by size
and mtime, a vocab.db or cc.db held locked by another process, a Python without
sqlite3, and documents/ renamed away or mounted read-only. Real files, real server
processes, a real second SQLite connection holding the lock."""
import contextlib
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from kindlechat.library.kindle import Library
from testkit import SRC
from testkit.serverproc import HTTPFailure, ServerProcess

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(os.path.dirname(HERE), "src", "kindlechat", "library", "sample_library")
FIX = os.path.join(HERE, "fixtures", "clippings")


def kindle_root(tmp_path):
    """A folder laid out like /mnt/us: the sample's vocab.db and cc.db, real clippings."""
    root = tmp_path / "us"
    shutil.copytree(SAMPLE, str(root))
    shutil.copy(os.path.join(FIX, "georgboe-old-firmware.txt"), str(root / "documents" / "My Clippings.txt"))
    return root


def tree(folder):
    """Every file under folder with its bytes: to show that nothing changed."""
    out = {}
    for top, _, names in os.walk(str(folder)):
        for name in names:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, str(folder))] = f.read()
    return out


# -- the clippings cache ------------------------------------------------------------

def test_clippings_parsed_once_per_size_and_mtime(tmp_path):
    root = kindle_root(tmp_path)
    path = str(root / "documents" / "My Clippings.txt")
    lib = Library({"library_dir": str(root), "library_db": "", "demo": False, "translate_to": "",
                   "data_dir": str(tmp_path / "data")})
    first = lib.highlights(limit=1000)
    assert lib.highlights(limit=1000)["highlights"][0] is first["highlights"][0]   # the same parse, kept
    # Other bytes of the same size under the same mtime: not read again (the key is
    # size and mtime, so a 20 MB file is not re-read on every request).
    st = os.stat(path)
    with open(path, "rb") as f:
        raw = f.read()
    swapped = raw.replace(b"Kathryn Stockett", b"Kathryn Stockxyz")
    assert swapped != raw and len(swapped) == len(raw)
    with open(path, "wb") as f:
        f.write(swapped)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert lib.highlights(q="Stockxyz")["total"] == 0
    # A new mtime is a new version: parsed again, and the change shows.
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
    again = lib.highlights(limit=1000)
    assert again["highlights"][0] is not first["highlights"][0]
    assert lib.highlights(q="Stockxyz")["total"] > 0 and lib.highlights(q="Stockett")["total"] == 0
    # A new size too (an entry appended by the reader), even under the old mtime.
    entry = ("Appended Book (A. Writer)\r\n- Your Highlight on page 1 | Location 1-2 | Added on "
             "Friday, March 14, 2025 9:00:00 AM\r\n\r\nA freshly appended line.\r\n==========\r\n")
    with open(path, "ab") as f:
        f.write(entry.encode("utf-8"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
    latest = lib.highlights()
    assert latest["total"] == first["total"] + 1 and latest["highlights"][0]["text"] == "A freshly appended line."


# -- a database another process holds locked ----------------------------------------

HOLD = textwrap.dedent("""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")          # as the Kindle's own app does while it writes
    print("locked", flush=True)
    sys.stdin.readline()                    # hold it until the test says
    con.execute("ROLLBACK")
""")


@contextlib.contextmanager
def held_exclusive(path):
    """Another process holding path with BEGIN EXCLUSIVE until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            universal_newlines=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_locked_vocab_and_cc_db_answer_with_a_plain_message(tmp_path):
    root = kindle_root(tmp_path)
    vocab, cc = str(root / "system" / "vocabulary" / "vocab.db"), str(root / "cc.db")
    before = tree(root)
    s = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root), "--library-db", cc).start()
    try:
        with held_exclusive(vocab):
            # The client's own timeout is the guard against a hang: the busy timeout
            # is half a second, so the answer comes long before it.
            words = s.get("/api/words", timeout=15)
            assert words["words"] == [] and "writing" in words["message"] and "Try again" in words["message"]
            with pytest.raises(HTTPFailure) as quiz:
                s.post("/api/library/chats", {"action": "quiz"}, timeout=15)
            assert quiz.value.status == 404
        with held_exclusive(cc):
            books = s.get("/api/books", timeout=15)
            assert books["books"] == [] and "writing" in books["message"]
        assert len(s.get("/api/words")["words"]) > 0 and len(s.get("/api/books")["books"]) > 0   # free again
    finally:
        s.stop()
    assert tree(root) == before                                          # never written


# -- a Python without sqlite3 ---------------------------------------------------------

def test_a_python_without_sqlite3_says_so_and_the_rest_works(tmp_path):
    blocker = tmp_path / "nosqlite"
    blocker.mkdir()
    # As on a Kindle Python built without _sqlite3: `import sqlite3` fails.
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['sqlite3'] = None\n")
    root = kindle_root(tmp_path)
    s = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root), "--library-db", str(root / "cc.db"),
                      env={"PYTHONPATH": os.pathsep.join([str(blocker), SRC])}).start()
    try:
        for path, key in (("/api/words", "words"), ("/api/books", "books")):
            answer = s.get(path)
            assert answer[key] == [] and "no sqlite3 module" in answer["message"], answer
        assert s.get("/api/highlights")["total"] > 50                   # highlights need no sqlite3
        cid = s.new_chat()
        s.read_reply(cid, s.send(cid, "hello"))
        assert s.post("/api/chats/%s/save" % cid)["path"].startswith("documents/KindleChat/")
    finally:
        s.stop()


# -- documents/ away or read-only --------------------------------------------------------

def a_finished_chat(server):
    cid = server.new_chat()
    server.read_reply(cid, server.send(cid, "hello"))
    return cid


def test_documents_renamed_away_changes_nothing(tmp_path):
    root = kindle_root(tmp_path)
    s = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root)).start()
    try:
        cid = a_finished_chat(s)
        os.rename(str(root / "documents"), str(tmp_path / "documents-away"))   # USB mode
        before, away = tree(root), tree(tmp_path / "documents-away")
        with pytest.raises(HTTPFailure) as failed:
            s.post("/api/chats/%s/save" % cid)
        assert failed.value.status == 503
        message = failed.value.body["error"]["message"]
        assert "USB" in message and "Nothing was saved" in message
        assert tree(root) == before and tree(tmp_path / "documents-away") == away
        assert not (root / "documents").exists()
        highlights = s.get("/api/highlights")                            # the clippings went with it
        assert highlights["total"] == 0 and "Not found" in highlights["message"]
    finally:
        s.stop()


@contextlib.contextmanager
def read_only(folder):
    """folder read-only for the block, as in USB mode: a read-only bind mount (root
    ignores file modes, so chmod would not do; as tests/test_wedges.py does)."""
    if os.geteuid() != 0:
        pytest.skip("needs root for a read-only bind mount (tests/test_library_api.py covers chmod)")
    if subprocess.run(["mount", "--bind", folder, folder], capture_output=True).returncode != 0:
        pytest.skip("can't bind-mount here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
        yield
    finally:
        subprocess.run(["umount", folder], capture_output=True)


def test_documents_read_only_mount_changes_nothing(tmp_path):
    root = kindle_root(tmp_path)
    (root / "documents" / "KindleChat").mkdir()
    s = ServerProcess(tmp_path / "data", "--demo", "--library-dir", str(root)).start()
    try:
        cid = a_finished_chat(s)
        with read_only(str(root / "documents")):
            before = tree(root)
            with pytest.raises(HTTPFailure) as failed:
                s.post("/api/chats/%s/save" % cid)
            assert failed.value.status == 503
            assert "read-only" in failed.value.body["error"]["message"]
            assert tree(root) == before
        assert s.post("/api/chats/%s/save" % cid)["path"].startswith("documents/KindleChat/")   # writable again
    finally:
        s.stop()

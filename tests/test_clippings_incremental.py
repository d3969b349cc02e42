"""My Clippings.txt read quickly as it grows (issue 14.7): only the tail a Kindle
appends is parsed, the parse is kept on disk across restarts, a changed old part or
a damaged cache means a whole parse, and a big file's first answer comes from its
newest entries, marked partial, the whole parse following. Every answer is checked
against a whole parse of the same bytes; real fixtures, real files."""
import json
import os
import zlib

import pytest

from kindlechat.library import clippings, clippings_cache, highlights
from kindlechat.library.kindle import Library

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "clippings")
NAMES = sorted(n for n in os.listdir(FIX) if n.endswith(".txt"))


def entries(name):
    """The fixture's bytes cut after each separator: appending them one at a time
    writes the file as the Kindle did."""
    with open(os.path.join(FIX, name), "rb") as f:
        raw = f.read()
    sep = clippings.SEPARATOR.encode("ascii")
    pieces, at = [], 0
    while True:
        cut = raw.find(sep, at)
        if cut < 0:
            break
        end = cut + len(sep)
        end += 2 if raw[end:end + 2] == b"\r\n" else 1 if raw[end:end + 1] == b"\n" else 0
        pieces.append(raw[at:end])
        at = end
    if at < len(raw):
        pieces.append(raw[at:])
    assert b"".join(pieces) == raw
    return pieces


def reference(path):
    """A whole parse of the file's text, as the API showed it before (clippings.parse)."""
    with open(path, "rb") as f:
        items, skipped = clippings.parse(f.read().decode("utf-8-sig"))
    return json.dumps({"items": items, "books": highlights.books(items), "skipped": skipped}, sort_keys=True)


def shape(v):
    skipped = v.parser.skipped if v.parser else 0
    return json.dumps({"items": v.items, "books": v.books, "skipped": skipped}, sort_keys=True)


def bump(path, by=1):
    """A new mtime (FAT keeps 2 s; the tests don't wait for the clock)."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + by * 10 ** 9))


def now(job):
    job()


def source(tmp_path, start=None):
    return highlights.Highlights(str(tmp_path / "My Clippings.txt"), str(tmp_path / "data" / "cache.json"), start)


@pytest.mark.parametrize("name", NAMES)
def test_appended_entries_parsed_alone_give_the_whole_parse(tmp_path, name):
    path = str(tmp_path / "My Clippings.txt")
    h, parser = source(tmp_path), None
    with open(path, "wb") as f:
        for n, piece in enumerate(entries(name)):
            f.write(piece)
            f.flush()
            bump(path, n)
            v = h.current()
            assert not v.partial and shape(v) == reference(path), "after entry %d" % n
            parser = parser or v.parser
            assert v.head["resume"] is not None and v.parser is parser   # the same state fed the tail


@pytest.mark.parametrize("name", ["georgboe-old-firmware.txt", "hadynz-languages.txt", "hadynz-unordered.txt"])
def test_a_restart_resumes_from_the_cache_on_disk(tmp_path, name):
    path = str(tmp_path / "My Clippings.txt")
    pieces = entries(name)
    half = len(pieces) // 2
    with open(path, "wb") as f:
        f.write(b"".join(pieces[:half]))
    source(tmp_path, start=now).current()   # the job run in the request: its cache written on return
    wait_saved(tmp_path)
    # The cache is what the next start reads: mark one of its texts (a valid cache,
    # its CRC made anew) to see that it, and not a new parse, answers.
    cache = str(tmp_path / "data" / "cache.json")
    rewrite_cache(cache, mark)
    with open(path, "ab") as f:
        f.write(b"".join(pieces[half:]))
    bump(path)
    v = source(tmp_path, start=now).current()
    texts = [c["text"] for c in v.items]
    assert "FROM THE CACHE" in texts
    # Apart from the mark, what a whole parse gives.
    plain = json.loads(reference(path))
    got = json.loads(shape(v))
    assert len(got["items"]) == len(plain["items"]) and got["books"] == plain["books"]
    assert sum(a != b for a, b in zip(got["items"], plain["items"])) == 1


def wait_saved(tmp_path):
    assert os.path.exists(str(tmp_path / "data" / "cache.json"))


def mark(rows):
    """Mark the text of the first highlight shown (kind 0, not replaced)."""
    row = next(r for r in rows if r[1] == 0 and r[10] == 0)
    row[2] = "FROM THE CACHE"


def rewrite_cache(cache, change):
    with open(cache, "rb") as f:
        head, body = f.read().split(b"\n", 1)
    top, data = json.loads(head), json.loads(body)
    change(data["rows"])
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    top["body_crc"] = zlib.crc32(body)
    with open(cache, "wb") as f:
        f.write(json.dumps(top).encode("utf-8") + b"\n" + body)


def grown(tmp_path, name="georgboe-old-firmware.txt"):
    """The fixture's first half written and parsed (the cache saved); the rest to append."""
    path = str(tmp_path / "My Clippings.txt")
    pieces = entries(name)
    half = len(pieces) // 2
    with open(path, "wb") as f:
        f.write(b"".join(pieces[:half]))
    h = source(tmp_path, start=now)
    first = h.current()
    return path, h, first, b"".join(pieces[half:])


def test_an_edited_old_part_is_parsed_whole(tmp_path):
    path, h, first, rest = grown(tmp_path)
    with open(path, "rb") as f:
        raw = f.read()
    edited = raw.replace(b"Antarctica", b"Antarctiqa", 1)   # same size, an old entry changed
    assert edited != raw
    with open(path, "wb") as f:
        f.write(edited + rest)
    bump(path)
    v = h.current()
    assert v.parser is not first.parser and shape(v) == reference(path)
    assert any("Antarctiqa" in c["text"] for c in v.items)


def test_a_truncated_file_is_parsed_whole(tmp_path):
    path, h, first, rest = grown(tmp_path)
    with open(path, "rb") as f:
        raw = f.read()
    with open(path, "wb") as f:
        f.write(raw[:len(raw) // 2])
    bump(path)
    v = h.current()
    assert v.parser is not first.parser and shape(v) == reference(path)
    # Then grown past the old size again with other bytes: still not the old state.
    with open(path, "ab") as f:
        f.write(rest + rest)
    bump(path, 2)
    assert shape(h.current()) == reference(path)


@pytest.mark.parametrize("damage", ["flip", "cut", "empty", "garbage", "other file", "old version"])
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path, damage):
    path, h, first, rest = grown(tmp_path)
    cache = str(tmp_path / "data" / "cache.json")
    with open(cache, "rb") as f:
        data = f.read()
    head, body = data.split(b"\n", 1)
    top = json.loads(head)
    changed = {
        "flip": lambda: head + b"\n" + body.replace(b"Antarctica", b"Antarctiqa", 1),   # CRC no longer fits
        "cut": lambda: data[:len(data) // 2],
        "empty": lambda: b"",
        "garbage": lambda: b"\x00\xff" * 100,
        "other file": lambda: json.dumps(dict(top, path="/elsewhere")).encode() + b"\n" + body,
        "old version": lambda: json.dumps(dict(top, v=0)).encode() + b"\n" + body,
    }[damage]()
    assert changed != data
    with open(cache, "wb") as f:
        f.write(changed)
    with open(path, "ab") as f:
        f.write(rest)
    bump(path)
    v = source(tmp_path, start=now).current()   # a restart: only the cache to resume from
    assert shape(v) == reference(path)
    assert not any("Antarctiqa" in c["text"] for c in v.items)
    assert clippings_cache.load(cache, path) is not None   # written anew


def big_file(path, size):
    """Every fixture's entries, each copy under other titles (nothing collapses as a
    re-highlight), until the file holds size bytes."""
    copies, written, copy = [], 0, 0
    pieces = [p for name in NAMES if "languages" not in name for p in entries(name)]
    with open(path, "wb") as f:
        while written < size:
            copy += 1
            for p in pieces:
                data = p.replace(b"\xef\xbb\xbf", b"").replace(b" (", b" [%d] (" % copy, 1)
                f.write(data)
                written += len(data)
    return written


def test_a_big_first_parse_answers_the_newest_marked_partial_then_the_whole(tmp_path):
    path = str(tmp_path / "My Clippings.txt")
    big_file(path, highlights.PARTIAL_OVER + highlights.PARTIAL_BYTES)
    jobs = []
    lib = Library({"library_dir": str(tmp_path), "library_db": "", "demo": False, "translate_to": "",
                   "data_dir": str(tmp_path / "data")}, start=jobs.append)
    os.makedirs(str(tmp_path / "documents"))
    os.rename(path, str(tmp_path / "documents" / "My Clippings.txt"))
    path = str(tmp_path / "documents" / "My Clippings.txt")
    first = lib.highlights(limit=50)
    assert first["partial"] is True and len(jobs) == 1   # the whole parse started, not waited for
    whole = json.loads(reference(path))["items"]
    assert 50 < first["total"] < len(whole) // 4
    assert [c["id"] for c in first["highlights"]] == [c["id"] for c in whole[:50]]
    assert lib.highlights(limit=50)["partial"] is True and len(jobs) == 1   # one job, the same partial
    jobs.pop()()                                                              # the whole parse runs
    after = lib.highlights(limit=len(whole))
    assert "partial" not in after and after["total"] == len(whole)
    assert json.dumps(after["highlights"], sort_keys=True) == json.dumps(whole, sort_keys=True)


def test_a_cut_big_file_answers_partial_while_parsed_again(tmp_path):
    path = str(tmp_path / "My Clippings.txt")
    big_file(path, highlights.PARTIAL_OVER + highlights.PARTIAL_BYTES)
    jobs = []
    h = source(tmp_path, start=jobs.append)
    assert h.current().partial
    jobs.pop()()
    assert not h.current().partial and not jobs        # whole, kept: no new job
    with open(path, "rb+") as f:                      # cut: the kept state can't be resumed
        raw = f.read()
        f.truncate(raw.rfind(clippings.SEPARATOR.encode(), 0, len(raw) - 1000))
    bump(path)
    v = h.current()
    assert v.partial and len(jobs) == 1
    jobs.pop()()
    assert not h.current().partial and shape(h.current()) == reference(path)

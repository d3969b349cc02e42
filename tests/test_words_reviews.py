"""The review journal (words/reviews.py) on real files: kept across restarts, a
kill -9 mid-write, a full disk (a real 1 MB tmpfs), lines it never wrote."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tinyfs import fill, tiny_tmpfs

from kindlechat.words import fsrs, reviews

NOW = 1_780_000_000


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_ratings_and_cards_are_kept_across_a_restart(tmp_path):
    journal = reviews.Journal(str(tmp_path))
    first = journal.rate("w1", "good", NOW)
    second = journal.rate("w1", "good", NOW + 600)
    journal.rate("w2", "again", NOW + 5)
    journal.add_cards({"w1": {"word": "grapple", "lang": "en", "meaning": "ringen", "example": "We grapple."}})
    again = reviews.Journal(str(tmp_path))
    assert again.load() == {"w1": second, "w2": journal.load()["w2"]}
    assert second["state"] == "review" and second["first"] == NOW == first["first"]
    assert again.cards()["w1"]["meaning"] == "ringen"
    assert second == dict(fsrs.review(fsrs.review(fsrs.new_card(), fsrs.GOOD, NOW), fsrs.GOOD, NOW + 600), first=NOW)


def test_a_torn_last_line_is_skipped_and_the_next_rating_starts_a_line_of_its_own(tmp_path):
    journal = reviews.Journal(str(tmp_path))
    journal.rate("w1", "good", NOW)
    with open(journal.path, "ab") as f:
        f.write(b'{"t":"rate","id":"w2","r":"go')   # a kill -9 mid-write
    again = reviews.Journal(str(tmp_path))
    assert list(again.load()) == ["w1"] and again.foreign == 0
    again.rate("w3", "easy", NOW + 1)
    assert sorted(reviews.Journal(str(tmp_path)).load()) == ["w1", "w3"]


CHILD = textwrap.dedent("""
    import sys
    from kindlechat.words import reviews
    journal = reviews.Journal(sys.argv[1])
    n = 0
    while True:
        journal.rate("w%d" % (n % 40), ("again", "hard", "good", "easy")[n % 4], 1780000000 + n)
        print(n, flush=True)   # only after the rating is on disk
        n += 1
""")


def test_kill_9_loses_no_rating_that_was_answered(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src"))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, env=env)
    done = -1
    for line in child.stdout:
        done = int(line)
        if done >= 700:   # past a compaction (COMPACT_SLACK) too
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    kept = reviews.Journal(str(tmp_path)).load()
    # replay what the child did: every rating it answered is kept, and the ratings it
    # went on to write before the kill landed are kept whole, in order
    expected, n = {}, 0
    while True:
        wid = "w%d" % (n % 40)
        old = expected.get(wid)
        card = fsrs.review(old or fsrs.new_card(), n % 4 + 1, 1780000000 + n)
        card["first"] = old["first"] if old else 1780000000 + n
        expected[wid] = card
        if n >= done and expected == kept:
            break
        n += 1
        assert n < done + 100000, "the journal holds no prefix of the ratings made"
    assert os.listdir(os.path.join(str(tmp_path), "words")) == ["reviews.jsonl"]   # a .tmp is cleared


def test_compaction_keeps_every_schedule_in_one_line_a_word(tmp_path):
    journal = reviews.Journal(str(tmp_path))
    for n in range(reviews.COMPACT_SLACK + 50):
        journal.rate("w%d" % (n % 10), "good", NOW + n * 86400)
    lines = read(journal.path).splitlines()
    assert len(lines) < reviews.COMPACT_SLACK
    assert reviews.Journal(str(tmp_path)).load() == journal.load()


def test_a_line_it_never_wrote_is_kept_and_never_compacted_away(tmp_path):
    journal = reviews.Journal(str(tmp_path))
    journal.rate("w1", "good", NOW)
    foreign = (b'{"t":"rate","id":"w9","r":"good","card":{"state":"nonsense"}}\n' + b"[" * 100000 + b"\n"
               + b'1,{"t":"state","id":"w8","card":{"state":"review","due":1,"s":1,"d":1}}\n')
    with open(journal.path, "ab") as f:
        f.write(foreign)
    again = reviews.Journal(str(tmp_path))
    assert list(again.load()) == ["w1"] and again.foreign == 2   # the third line is torn: not JSON
    for n in range(reviews.COMPACT_SLACK + 10):
        again.rate("w1", "good", NOW + n)
    assert foreign in read(again.path)


@pytest.fixture
def disk(tmp_path):
    with tiny_tmpfs(tmp_path / "disk") as folder:
        yield folder


def test_a_full_disk_refuses_the_new_rating_and_keeps_the_others(disk):
    journal = reviews.Journal(disk)
    journal.add_cards({"w%d" % n: {"word": "w", "lang": "en", "meaning": "m" * 300, "example": ""} for n in range(40)})
    kept = journal.rate("w1", "good", NOW)
    before = read(journal.path)
    filler = fill(disk, leave=0)
    with pytest.raises(reviews.StorageError) as caught:
        for n in range(200):   # whatever room a page had left runs out
            journal.rate("w2", "good", NOW + n)
            before = read(journal.path)
    assert caught.value.error.code == "storage_full"
    assert read(journal.path) == before
    assert reviews.Journal(disk).load()["w1"] == kept == journal.load()["w1"]
    shown = journal.load().get("w2")
    os.remove(filler)
    after = journal.rate("w2", "good", NOW + 1000)
    assert reviews.Journal(disk).load()["w2"] == after
    assert shown is None or after["reps"] == shown["reps"] + 1


def test_a_data_folder_away_is_not_an_empty_journal(tmp_path):
    """USB mode unmounts the data folder: reading then must fail, not start from nothing
    (a later compaction would write that nothing over the real journal)."""
    data = tmp_path / "data"
    data.mkdir()
    reviews.Journal(str(data)).rate("w1", "good", NOW)
    os.rename(str(data), str(tmp_path / "away"))
    journal = reviews.Journal(str(data))
    with pytest.raises(reviews.StorageError) as caught:
        journal.load()
    assert caught.value.error.code == "storage"
    os.rename(str(tmp_path / "away"), str(data))   # back
    assert list(journal.load()) == ["w1"]

"""The .apkg (words/anki.py): its collection against Anki's documented schema 11,
and opened by an independent reader, Anki's own Python package (PyPI `anki`),
where a Python with it is found: KINDLECHAT_ANKI_PYTHON, or the venv that
`python3 tools/ankipython.py` makes once, outside the repo."""
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from kindlechat.words import anki, fsrs

NOW = 1_780_000_000
READER = os.path.join(os.path.dirname(__file__), "anki_reader", "open_apkg.py")
# The columns of schema 11, in order, as AnkiDroid's wiki "Database Structure" lists them.
DOCUMENTED = {
    "col": "id crt mod scm ver dty usn ls conf models decks dconf tags",
    "notes": "id guid mid mod usn tags flds sfld csum flags data",
    "cards": "id nid did ord mod usn type queue due ivl factor reps lapses left odue odid flags data",
    "revlog": "id cid usn ease ivl lastIvl factor time type",
    "graves": "usn oid type",
}


def _words():
    reviewed = fsrs.review(fsrs.review(fsrs.new_card(), fsrs.GOOD, NOW - 900), fsrs.GOOD, NOW - 300)
    learning = fsrs.review(fsrs.new_card(), fsrs.AGAIN, NOW - 60)
    return [
        {"id": "w1", "word": "grapple", "lang": "en", "usage": "To the last I grapple with thee.",
         "book": "Moby-Dick", "meaning": "ringen, kämpfen", "example": "They grapple with it.", "schedule": reviewed},
        {"id": "w2", "word": "Lauf", "lang": "de", "usage": "Der Lauf <der> Dinge.", "book": "Ein Buch",
         "meaning": "course", "example": "", "schedule": learning},
        {"id": "w3", "word": "civility", "lang": "en", "usage": "Civility was alarming.", "book": "Pride and Prejudice",
         "meaning": "", "example": "", "schedule": None},
    ]


@pytest.fixture
def apkg(tmp_path):
    path = tmp_path / "words.apkg"
    path.write_bytes(anki.build(_words(), NOW))
    return path


def test_the_collection_has_the_documented_schema(apkg, tmp_path):
    with zipfile.ZipFile(apkg) as z:
        assert sorted(z.namelist()) == ["collection.anki2", "media"]
        assert json.loads(z.read("media")) == {}
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(str(tmp_path / "c.anki2"))
    for table, columns in DOCUMENTED.items():
        assert [r[1] for r in con.execute("PRAGMA table_info(%s)" % table)] == columns.split()
    ver, models, decks = con.execute("SELECT ver, models, decks FROM col").fetchone()
    assert ver == 11
    model = next(iter(json.loads(models).values()))
    assert [f["name"] for f in model["flds"]] == list(anki.FIELDS)
    assert anki.DECK_NAME in [d["name"] for d in json.loads(decks).values()]
    flds, sfld, csum = con.execute("SELECT flds, sfld, csum FROM notes WHERE guid = 'kc-w2'").fetchone()
    assert flds.split("\x1f")[1] == "Der <b>Lauf</b> &lt;der&gt; Dinge."
    assert sfld == "Lauf" and csum == int(__import__("hashlib").sha1(b"Lauf").hexdigest()[:8], 16)
    types = dict(con.execute("SELECT n.guid, c.type FROM cards c JOIN notes n ON c.nid = n.id"))
    assert types == {"kc-w1": 2, "kc-w2": 1, "kc-w3": 0}
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _anki_python():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
    import ankipython
    for python in (os.environ.get("KINDLECHAT_ANKI_PYTHON"), ankipython.python()):
        if python and os.path.exists(python) and subprocess.run(
                [python, "-c", "import anki.collection"], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return python
    pytest.skip("no Python with Anki's package: run `python3 tools/ankipython.py` once "
                "(or point KINDLECHAT_ANKI_PYTHON at one)")


def test_anki_itself_opens_the_deck(apkg):
    python = _anki_python()
    done = subprocess.run([python, READER, str(apkg)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    notes = {n["fields"]["Word"]: n for n in json.loads(done.stdout)}
    assert sorted(notes) == ["Lauf", "civility", "grapple"]
    grapple = notes["grapple"]
    assert grapple["deck"] == anki.DECK_NAME
    assert grapple["fields"]["Meaning"] == "ringen, kämpfen"
    assert "To the last I <b>grapple</b> with thee." in grapple["question"]
    assert "They grapple with it." in grapple["answer"] and "Moby-Dick" in grapple["answer"]
    # the schedule went across: a review card with its FSRS memory state
    reviewed = _words()[0]["schedule"]
    assert (grapple["type"], grapple["queue"]) == (2, 2)
    assert grapple["ivl"] == fsrs.interval_days(reviewed["s"])
    assert grapple["memory"][0] == pytest.approx(reviewed["s"], rel=1e-3)
    assert grapple["memory"][1] == pytest.approx(reviewed["d"], rel=1e-3)
    assert (notes["Lauf"]["type"], notes["civility"]["type"]) == (1, 0)
    assert "lang::de" in notes["Lauf"]["tags"]


def test_a_deck_of_nothing_is_still_a_deck():
    with zipfile.ZipFile(io.BytesIO(anki.build([], NOW))) as z:
        assert "collection.anki2" in z.namelist()

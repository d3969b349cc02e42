"""An Anki deck (.apkg) of the reader's words: a zip holding collection.anki2, a
SQLite collection in Anki's schema 11, and "media", a JSON map of the media files
(none here: "{}"). Stdlib only (sqlite3, zipfile).

The format, as documented:
  - the tables and columns: Anki's own rslib/src/storage/schema11.sql (ankitects/anki),
    described column by column in AnkiDroid's wiki "Database Structure"
    (github.com/ankidroid/Anki-Android/wiki/Database-Structure);
  - the package: a zip of collection.anki2 + media (the same wiki, and Anki's
    rslib/src/import_export/package/ for "legacy" packages, which Anki 2.1+ imports);
  - FSRS memory state in cards.data: {"s": stability, "d": difficulty, "dr": desired
    retention} (rslib/src/storage/card/data.rs, Anki 23.10+).
tests/test_words_anki.py opens a deck with Anki's own Python package where it installs.

    >>> import io, zipfile
    >>> data = build([{"id": "a", "word": "grapple", "lang": "en", "usage": "I grapple with thee.",
    ...                "book": "Moby-Dick", "meaning": "to fight", "example": "", "schedule": None}], now=1.7e9)
    >>> sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    ['collection.anki2', 'media']
"""
import hashlib
import html
import json
import os
import re
import tempfile
import zipfile

from . import fsrs

SCHEMA = """
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null,
  ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null,
  models text not null, decks text not null, dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null,
  usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null,
  flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null,
  mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null,
  ivl integer not null, factor integer not null, reps integer not null, lapses integer not null,
  left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null,
  ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null,
  type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
"""
DECK_NAME = "KindleChat words"
FIELDS = ("Word", "Sentence", "Meaning", "Example", "Book")
FRONT = '<div class="sentence">{{Sentence}}</div>'
BACK = ('{{FrontSide}}<hr id="answer"><div class="word">{{Word}}</div><div>{{Meaning}}</div>'
        '<div class="example">{{Example}}</div><div class="book">{{Book}}</div>')
CSS = (".card { font-family: serif; font-size: 22px; text-align: left; }\n"
       ".sentence b { text-decoration: underline; }\n.example { font-style: italic; margin-top: 1em; }\n"
       ".book { color: #666; font-size: 16px; margin-top: 1em; }\n")
# cards.type / cards.queue (schema11: 0 new, 1 learning, 2 review, 3 relearning)
TYPES = {"learning": 1, "review": 2, "relearning": 3}


def _id(text, base):
    """A stable 13-digit id (Anki's ids are millisecond times) from text."""
    return base + int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 10 ** 9


def _csum(text):
    """notes.csum: the first 8 hex digits of the SHA-1 of the sort field, as a number."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def marked(usage, word):
    """The sentence as HTML, the word in it in <b>.

        >>> marked("Such <dreadful> harpooneers.", "harpooneers")
        'Such &lt;dreadful&gt; <b>harpooneers</b>.'
    """
    text = html.escape(usage or "", quote=False)
    needle = html.escape(word or "", quote=False)
    if not needle:
        return text
    return re.sub(re.escape(needle), lambda m: "<b>%s</b>" % m.group(0), text, count=1, flags=re.I)


def _model(mid, did, now):
    return {"id": mid, "name": "KindleChat word", "type": 0, "mod": now, "usn": -1, "sortf": 0, "did": did,
            "tmpls": [{"name": "Sentence", "ord": 0, "qfmt": FRONT, "afmt": BACK, "did": None,
                       "bqfmt": "", "bafmt": ""}],
            "flds": [{"name": n, "ord": i, "sticky": False, "rtl": False, "font": "Arial", "size": 20,
                      "media": []} for i, n in enumerate(FIELDS)],
            "css": CSS, "latexPre": "", "latexPost": "", "latexsvg": False, "tags": [], "vers": [],
            "req": [[0, "any", [1]]]}


def _deck(did, name, now):
    return {"id": did, "name": name, "desc": "", "mod": now, "usn": -1, "collapsed": False,
            "browserCollapsed": False, "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0],
            "timeToday": [0, 0], "dyn": 0, "conf": 1, "extendNew": 0, "extendRev": 0}


def _dconf(now):
    return {"1": {"id": 1, "name": "Default", "mod": now, "usn": -1, "maxTaken": 60, "autoplay": True,
                  "timer": 0, "replayq": True, "dyn": False,
                  "new": {"delays": [1, 10], "ints": [1, 4, 0], "initialFactor": 2500, "order": 1, "perDay": 10,
                          "bury": False},
                  "rev": {"perDay": 200, "ease4": 1.3, "ivlFct": 1, "maxIvl": fsrs.MAX_INTERVAL, "bury": False,
                          "hardFactor": 1.2},
                  "lapse": {"delays": [10], "mult": 0, "minInt": 1, "leechFails": 8, "leechAction": 1}}}


def _schedule(card, crt, now):
    """(type, queue, due, ivl, reps, lapses, left, data) of a card's schedule (fsrs.py)."""
    if not card:
        return 0, 0, 0, 0, 0, 0, 0, "{}"
    data = json.dumps({"s": round(card["s"], 4), "d": round(card["d"], 4), "dr": fsrs.RETENTION})
    kind = TYPES.get(card["state"], 1)
    if kind == 2:   # a review card's due is a day number counted from the collection's crt
        ivl = max(1, int(round((card["due"] - (card.get("last") or card["due"])) / fsrs.DAY)))
        return 2, 2, int((card["due"] - crt) // fsrs.DAY), ivl, card.get("reps", 0), card.get("lapses", 0), 0, data
    return kind, 1, int(card["due"]), 0, card.get("reps", 0), card.get("lapses", 0), 1, data   # due: epoch seconds


def build(words, now):
    """The .apkg's bytes for words [{"id", "word", "lang", "usage", "book", "meaning",
    "example", "schedule"}] (schedule: fsrs.py's card, or None for a new one)."""
    import sqlite3   # here: some Kindle Pythons lack it, and the server still starts (kindledb.py)
    now = int(now)
    crt = now - now % fsrs.DAY   # the collection's day 0 (UTC midnight)
    folder = tempfile.mkdtemp(prefix="kindlechat-apkg-")
    path = os.path.join(folder, "collection.anki2")
    try:
        con = sqlite3.connect(path)
        try:
            _fill(con, words, now, crt)
            con.commit()
        finally:
            con.close()
        out = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(path, "collection.anki2")
            z.writestr("media", "{}")
        out.seek(0)
        return out.read()
    finally:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)


def _fill(con, words, now, crt):
    con.executescript(SCHEMA)
    mid, did = _id("KindleChat word model", 1500000000000), _id(DECK_NAME, 1600000000000)
    decks = {"1": _deck(1, "Default", now), str(did): _deck(did, DECK_NAME, now)}
    conf = {"activeDecks": [did], "curDeck": did, "nextPos": len(words) + 1, "sortType": "noteFld",
            "sortBackwards": False, "addToCur": True, "curModel": mid, "newSpread": 0, "collapseTime": 1200,
            "timeLim": 0, "estTimes": True, "dueCounts": True}
    con.execute("INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
                (crt, now * 1000, now * 1000, json.dumps(conf), json.dumps({str(mid): _model(mid, did, now)}),
                 json.dumps(decks), json.dumps(_dconf(now))))
    for pos, word in enumerate(words, 1):
        fields = (html.escape(word["word"], quote=False), marked(word.get("usage"), word["word"]),
                  html.escape(word.get("meaning") or "", quote=False),
                  html.escape(word.get("example") or "", quote=False), html.escape(word.get("book") or "", quote=False))
        nid = _id("note:" + word["id"], 1700000000000)
        tags = " kindlechat lang::%s " % (word.get("lang") or "unknown")
        con.execute("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')",
                    (nid, "kc-" + word["id"], mid, now, tags, "\x1f".join(fields), fields[0], _csum(fields[0])))
        kind, queue, due, ivl, reps, lapses, left, data = _schedule(word.get("schedule"), crt, now)
        if kind == 0:
            due = pos   # a new card's due is its position in the new queue
        con.execute("INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, ?, ?, ?, ?, 2500, ?, ?, ?, 0, 0, 0, ?)",
                    (_id("card:" + word["id"], 1800000000000), nid, did, now, kind, queue, due, ivl, reps, lapses,
                     left, data))

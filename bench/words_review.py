#!/usr/bin/env python3
"""Review with 5,000 looked-up words (issue 26.5) on emulated ARM and on desktop CPython:
how long opening Review (GET /api/reviews) and rating a word (POST /api/reviews/{id})
take, as the routes call them (words/trainer.py), without HTTP.

    python3 bench/words_review.py [--words 5000] [--rated 2000] [--runs 5] [--only desktop,arm]

The vocab.db is built like a Kindle's (WORDS, LOOKUPS, BOOK_INFO; 5,000 words in three
languages, 6,500 lookups in 40 books, some words in several books, 5% marked mastered),
with a review journal of `--rated` words already scheduled (a reader some months in).
Per Python (Debian bullseye's armhf 3.9 under qemu, tools/armpython.py; this machine's
python3), a fresh `python -I -S` with src/ on sys.path, for each run on a copy of that
data folder:
- *open first*: the first reviews() of a new Trainer, the first start ever: vocab.db read
  and grouped, the journal read, what is due listed;
- *restarted*: the same in a second process on the same folder, as after the server was
  started again: the words from the snapshot the first kept (words/snapshot.py), the
  lookup and the 20 ratings the first made since;
- *open*: reviews() again (vocab.db unchanged: its grouping kept);
- *rate*: the median of 20 ratings, each appended and fsynced to the journal;
- *open after*: reviews() after those ratings;
- *new lookup*: reviews() after a word was looked up meanwhile (a row added to vocab.db:
  only the new lookups are read).
Emulation is not the device's speed (see bench/arm_start.py). Prints a table; writes
bench/results/words_review.json.
"""
import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(REPO, "src")]

from common import arm_python, med  # noqa: E402

RESULTS = os.path.join(HERE, "results", "words_review.json")
RUN = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from kindlechat.words.trainer import Trainer
vocab, data = sys.argv[2], sys.argv[3]
def trainer():
    return Trainer(data, {"cards_in_background": False}, lambda: (vocab, False), ask=None,
                   busy=lambda: False, language=lambda: "English")
def timed(fn, *args):
    t0 = time.perf_counter(); out = fn(*args); return time.perf_counter() - t0, out
t = trainer()
cold, out = timed(t.reviews)
warm, out = timed(t.reviews)
rates = []
for n, item in enumerate(out["due"][:20]):
    rates.append(timed(t.rate, item["id"], ("again", "hard", "good", "easy")[n % 4])[0])
after, out2 = timed(t.reviews)
import sqlite3
con = sqlite3.connect(vocab)   # the reader looks a word up meanwhile
con.execute("INSERT INTO LOOKUPS SELECT 'new' || (SELECT count(*) FROM LOOKUPS), word_key, book_key, dict_key, pos, usage, timestamp + 1 "
            "FROM LOOKUPS ORDER BY timestamp DESC LIMIT 1")
con.commit()
con.close()
os.utime(vocab, (time.time() + 5, time.time() + 5))
looked, out3 = timed(t.reviews)
print(json.dumps({"cold": cold, "warm": warm, "rate": sorted(rates)[len(rates) // 2], "rate_max": max(rates),
                  "after": after, "looked": looked, "due_count": out["due_count"], "listed": len(out["due"])}))
"""


def build(folder, words, rated, seed=26):
    """vocab.db and a data folder with `rated` words scheduled; returns their paths."""
    sys.path.insert(0, os.path.join(REPO, "src"))
    from kindlechat.words import deck, fsrs, reviews
    rng = random.Random(seed)
    vocab = os.path.join(folder, "vocab.db")
    con = sqlite3.connect(vocab)
    con.executescript("""
        CREATE TABLE WORDS (id TEXT PRIMARY KEY NOT NULL UNIQUE, word TEXT, stem TEXT, lang TEXT,
                            category INTEGER DEFAULT 0, timestamp INTEGER DEFAULT 0, profileid TEXT);
        CREATE TABLE LOOKUPS (id TEXT PRIMARY KEY NOT NULL, word_key TEXT, book_key TEXT, dict_key TEXT,
                              pos TEXT, usage TEXT, timestamp INTEGER DEFAULT 0);
        CREATE TABLE BOOK_INFO (id TEXT PRIMARY KEY NOT NULL UNIQUE, asin TEXT, guid TEXT, lang TEXT,
                                title TEXT, authors TEXT);""")
    langs = ["en"] * 7 + ["de"] * 2 + ["fr"]
    con.executemany("INSERT INTO BOOK_INFO VALUES (?, '', '', 'en', ?, ?)",
                    [("b%d" % b, "Book number %d" % b, "Author %d" % b) for b in range(40)])
    lookups, ms = [], 1_600_000_000_000
    rows = []
    for w in range(words):
        lang = rng.choice(langs)
        word = "word%05d" % w
        rows.append(("%s:%s" % (lang, word), word, word, lang, 100 if rng.random() < 0.05 else 0, ms, ""))
        for k in range(2 if rng.random() < 0.3 else 1):
            ms += rng.randint(1000, 10 ** 7)
            usage = "In this sentence of a book the reader met %s and looked it up, page %d." % (word, k)
            lookups.append(("l%d-%d" % (w, k), rows[-1][0], "b%d" % rng.randrange(40), "", "0", usage, ms))
    con.executemany("INSERT INTO WORDS VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO LOOKUPS VALUES (?, ?, ?, ?, ?, ?, ?)", lookups)
    con.commit()
    con.close()
    data = os.path.join(folder, "data")
    os.makedirs(data)
    journal = reviews.Journal(data)
    grouped = deck.group([r for r in _rows(vocab)])
    now = 1_780_000_000
    for word in grouped[:rated]:
        card = fsrs.new_card()
        at = now - rng.randint(1, 120) * fsrs.DAY
        for _ in range(rng.randint(1, 6)):
            card = fsrs.review(card, rng.randint(1, 4), at)
            at = max(at + 600, card["due"] - rng.randint(0, 3) * fsrs.DAY)
        journal._read()
        journal._schedules[word["id"]] = dict(card, first=now - 200 * fsrs.DAY)
    os.makedirs(journal.folder, exist_ok=True)
    journal._compact([])   # one line a word, as a long-used journal is after compaction
    return vocab, data


def _rows(vocab):
    sys.path.insert(0, os.path.join(REPO, "src"))
    from kindlechat.library import vocab as vocab_mod
    rows, why = vocab_mod.lookups(vocab)
    assert why is None, why
    return rows


def run(python, vocab, data, runs):
    """Each run twice on its copy: the first start ever, then a start after it (the
    snapshot of the words kept, the ratings and the lookup of the first run since)."""
    out, again = [], []
    for _ in range(runs):
        copy = tempfile.mkdtemp(prefix="kc-words-run-")
        try:
            shutil.copytree(data, os.path.join(copy, "data"))
            shutil.copy(vocab, os.path.join(copy, "vocab.db"))
            for into in (out, again):
                done = subprocess.run(python + ["-I", "-S", "-c", RUN, os.path.join(REPO, "src"),
                                                os.path.join(copy, "vocab.db"), os.path.join(copy, "data")],
                                      capture_output=True, text=True, timeout=900)
                if done.returncode:
                    raise SystemExit(done.stderr)
                into.append(json.loads(done.stdout))
        finally:
            shutil.rmtree(copy)
    return {k: med([r[k] for r in out]) for k in ("cold", "warm", "rate", "rate_max", "after", "looked")} | {
        "restart": med([r["cold"] for r in again]), "due_count": out[0]["due_count"], "listed": out[0]["listed"],
        "runs": runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--rated", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="desktop,arm")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="kc-words-")
    try:
        vocab, data = build(folder, args.words, args.rated)
        results = {}
        for name in args.only.split(","):
            python = [sys.executable] if name == "desktop" else arm_python()
            results[name] = run(python, vocab, data, args.runs)
        print("%-8s %10s %10s %10s %10s %10s %10s %10s  due" % (
            "python", "open first", "restarted", "open", "rate", "rate max", "open after", "new lookup"))
        for name, r in results.items():
            print("%-8s %9.3fs %9.3fs %9.3fs %9.3fs %9.3fs %9.3fs %9.3fs  %d" % (
                name, r["cold"], r["restart"], r["warm"], r["rate"], r["rate_max"], r["after"], r["looked"],
                r["due_count"]))
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "w") as f:
            json.dump(dict(results, words=args.words, rated=args.rated), f, indent=2)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()

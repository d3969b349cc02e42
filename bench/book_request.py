#!/usr/bin/env python3
"""A book chat's request on a 1 MB-text book (issue 24 must 9), on emulated ARM Python
3.9 (tools/armpython.py, the Kindle's kind of Python) and on this machine's python3:

    python3 bench/book_request.py [--paragraphs 50] [--chapters 40] [--filler 80] [--only arm|host]

The book is an AZW3 made by calibre's ebook-convert (testkit/books.py) with about
0.9 MB of text; a fake Kindle library (cc.db listing it at 60%, and the KUAL
launcher opened last) around it. In a fresh process of each Python:
- first: seconds from nothing read to the first question's request text being ready
  (BookChats.books, as the Books view asks, then .first + .request: cc.db, the book
  read record by record into the data folder's cache, the position, BM25, the budget);
- later: the same for a second question (the book held in memory);
- restart: a new process with the data folder's cache: the first question again;
- memory: VmRSS after imports, VmHWM (peak) after the first request, their growth.
Targets on ARM: first <= 5 s, later <= 0.5 s, peak growth <= 30 MiB.
--big: a book of about 10 MB of text, which must be refused in plain words (mobi_text's
8 MB cap) with no memory spent on it. Writes bench/results/book_request[-big].json.
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [REPO, os.path.join(REPO, "src")]
RESULTS = os.path.join(HERE, "results", "book_request.json")
QUESTIONS = ("How many grey gulls did the keeper count at dawn?", "What did the keeper write in his log before the lamp was lit?")


def memory():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    return out


def child(library, data, budget):
    """Runs in the measured Python: prints one JSON line."""
    from kindlechat.reading import bookchat
    before = memory()
    settings = {"data_dir": data, "book_budget": budget}
    chats = bookchat.BookChats(settings, lambda: (library, os.path.join(library, "cc.db"), False))
    out = {"rss_after_imports": before["VmRSS"]}
    times = []
    t = time.monotonic()
    books, _ = chats.books(5)      # the Books view: the book being read is read (or its cache) here
    book_id = books[0]["id"]
    for question in QUESTIONS:
        text, extra = chats.first({"action": "book", "book": book_id, "question": question})
        history = [dict(extra, role="user", text=text, status="done")]
        request, fields = chats.request("c1", history, "gemini", lambda c, i: None)
        times.append(time.monotonic() - t)
        t = time.monotonic()
        if len(times) == 1:
            out["peak_after_first"] = memory()["VmHWM"]
            out["request_chars"] = len(request)
    out["first"], out["later"] = times
    out["growth"] = out["peak_after_first"] - before["VmRSS"]
    out["text"], out["why"] = books[0]["text"], books[0].get("why", "")
    print(json.dumps(out))


def make_library(folder, book):
    docs = os.path.join(folder, "documents")
    os.makedirs(docs)
    shutil.copy(book, os.path.join(docs, "Long.azw3"))
    con = sqlite3.connect(os.path.join(folder, "cc.db"))
    con.execute("CREATE TABLE Entries (p_uuid TEXT, p_type TEXT, p_location TEXT, p_titles_0_nominal TEXT, "
                "j_credits TEXT, p_cdeType TEXT, p_mimeType TEXT, p_percentFinished REAL, p_lastAccess INTEGER)")
    con.execute("INSERT INTO Entries VALUES ('a', 'Entry:Item', '/mnt/us/documents/Long.azw3', 'The Long Lighthouse', "
                "'[]', 'PDOC', 'application/x-mobi8-ebook', 60.0, 1700000000)")
    con.execute("INSERT INTO Entries VALUES ('k', 'Entry:Item', '/mnt/us/documents/KUAL.kual', 'KUAL', "
                "'[]', 'PDOC', 'text/plain', 0, 1700000100)")
    con.commit()
    con.close()


def run(argv, library, data, budget):
    code = ("import sys; sys.path[:0] = [%r]; sys.argv = ['x']; import book_request as b; b.child(%r, %r, %d)"
            % (HERE, library, data, budget))
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "src"))
    done = subprocess.run(argv + ["-c", code], capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chapters", type=int, default=40)
    ap.add_argument("--paragraphs", type=int, default=50)
    ap.add_argument("--filler", type=int, default=80)
    ap.add_argument("--budget", type=int, default=0, help="book_budget tokens (0: Gemini's default)")
    ap.add_argument("--only", choices=("arm", "host"))
    ap.add_argument("--big", action="store_true", help="a ~10 MB-text book instead (refused in plain words)")
    a = ap.parse_args(argv)
    from testkit import books
    if a.big:
        a.chapters, a.paragraphs, a.filler = 100, 100, 180
    spec = books.BookSpec.standard(chapters=a.chapters, paragraphs=a.paragraphs, filler=a.filler,
                                   title="The Long Lighthouse")
    book = books.make("azw3", spec)
    pythons = []
    if a.only != "host":
        sys.path.insert(0, HERE)
        from common import arm_python
        pythons.append(("arm", arm_python()))
    if a.only != "arm":
        pythons.append(("host", [sys.executable]))
    results = {"book_bytes": os.path.getsize(book), "text_chars": sum(len(p) + 2 for p in spec.paragraphs())}
    for name, python in pythons:
        work = tempfile.mkdtemp(prefix="book-bench-")
        try:
            library, data = os.path.join(work, "us"), os.path.join(work, "data")
            make_library(library, book)
            fresh = run(python, library, data, a.budget)
            again = run(python, library, data, a.budget)
            results[name] = {"first": fresh["first"], "later": fresh["later"], "restart_first": again["first"],
                             "rss_after_imports": fresh["rss_after_imports"], "peak_growth": fresh["growth"],
                             "request_chars": fresh["request_chars"], "text": fresh["text"], "why": fresh["why"]}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        r = results[name]
        print("%-5s first %.2f s  later %.3f s  after restart %.2f s  peak growth %.1f MiB  request %d chars  text %s %s"
              % (name, r["first"], r["later"], r["restart_first"], r["peak_growth"], r["request_chars"], r["text"],
                 r["why"][:90]))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS.replace(".json", "-big.json") if a.big else RESULTS, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

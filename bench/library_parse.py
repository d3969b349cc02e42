#!/usr/bin/env python3
"""A 20 MB My Clippings.txt (issue 14.7) on emulated ARM and on desktop CPython: how
long the first GET /api/highlights takes, how long until the whole file is in, after a
restart (the parse kept on disk) and after one appended entry (its tail alone).

    python3 bench/library_parse.py [--mib 20] [--runs 3] [--only desktop,arm] [--zip Z]

The file is built from the real fixtures (tests/fixtures/clippings/, every UI
language, old firmware, Japanese, Chinese) repeated, each copy under other book
titles so nothing collapses as a re-highlight: BOM, CRLF, as a Kindle writes it.
Per Python (Debian bullseye's armhf 3.9 under qemu, tools/armpython.py; this machine's
python3):
- library: a fresh `python -I -S` with src/ on sys.path, no cache on disk, runs
  Library.highlights(limit=50) as the route does: *first* (the newest entries, marked
  partial, while the whole parse runs in the background), *whole* (until an answer is
  no longer partial), *cached* (the same version again), *restart* (a new Library:
  the parse read back from the data folder and checked), *append* (one entry appended:
  only its tail parsed); the process's peak RSS.
- HTTP: the built zip in an emulated Kindle (testkit/kindle_fakes.py, as
  bench/arm_start.py does), started by its KUAL action; the file goes in its
  documents/; wall seconds of the first GET /api/highlights?limit=50, then of a second.
Emulation is not the device's speed (see bench/arm_start.py). Prints a table; writes
bench/results/library_parse.json.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.path.join(REPO, "tools"), REPO, os.path.join(REPO, "src")]

import kindle_box  # noqa: E402
from common import arm_python, med  # noqa: E402
from testkit.fixtures import CLIPPINGS as FIX  # noqa: E402
from testkit.kindle_fakes import Kindle, http  # noqa: E402

RESULTS = os.path.join(HERE, "results", "library_parse.json")
SEP = "=========="
PARSE = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
from kindlechat.library.kindle import Library
def lib():
    return Library({"library_dir": sys.argv[2], "library_db": "", "demo": False, "translate_to": "", "data_dir": sys.argv[3]})
def timed(l):
    t0 = time.perf_counter(); out = l.highlights(limit=50); return time.perf_counter() - t0, out
cache = os.path.join(sys.argv[3], "clippings-cache.json")
if os.path.exists(cache):
    os.remove(cache)
l = lib()
first, answer = timed(l)
t0 = time.perf_counter()
while timed(l)[1].get("partial"):   # the whole parse runs in the background
    time.sleep(0.05)
whole = first + time.perf_counter() - t0
cached = timed(l)[0]
while not os.path.exists(cache):
    time.sleep(0.05)
time.sleep(0.5)                     # the cache's write ends the job (the next call waits for it)
timed(l)
restart, after = timed(lib())       # a restart: the parse from the cache on disk
clip = os.path.join(sys.argv[2], "documents", "My Clippings.txt")
with open(clip, "ab") as f:
    f.write(sys.argv[4].encode("utf-8"))
grown, last = timed(l)              # one entry appended: its tail alone
print(json.dumps({"first": first, "first_partial": bool(answer.get("partial")), "whole": whole, "cached": cached,
                  "restart": restart, "appended": grown, "total": last["total"],
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))
"""
APPENDED = ("Appended Book (A. Writer)\r\n- Your Highlight on page 1 | Location 1-2 | Added on "
            "Friday, March 14, 2025 9:00:00 AM\r\n\r\nA freshly appended line.\r\n==========\r\n")


def entries():
    """Every entry of the fixtures: (title line, rest of the entry)."""
    out = []
    for name in sorted(os.listdir(FIX)):
        if name.endswith(".txt"):
            with open(os.path.join(FIX, name), "rb") as f:
                text = f.read().decode("utf-8-sig").replace("\r\n", "\n")
            for chunk in text.split(SEP):
                chunk = chunk.strip("\n")
                if chunk:
                    head, _, rest = chunk.partition("\n")
                    out.append((head, rest))
    return out


def retitled(head, copy):
    """The book title of copy N: "Title [N] (Author)" (the author stays in the last parentheses)."""
    cut = head.rfind(" (")
    return "%s [%d]%s" % (head[:cut], copy, head[cut:]) if cut > 0 else "%s [%d]" % (head, copy)


def make_clippings(path, size):
    """Write at least size bytes; returns (bytes, entries written)."""
    items, written, count, copy = entries(), 3, 0, 0
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf")
        while written < size:
            copy += 1
            block = "".join("%s\n%s\n%s\n" % (retitled(h, copy), r, SEP) for h, r in items).replace("\n", "\r\n")
            data = block.encode("utf-8")
            f.write(data)
            written += len(data)
            count += len(items)
    return written, count


def parse_run(argv, root, tmp, clippings):
    keep = clippings + ".orig"
    shutil.copy(clippings, keep)
    try:
        out = subprocess.run(argv + ["-I", "-S", "-c", PARSE, os.path.join(REPO, "src"), root, tmp, APPENDED],
                             stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    finally:
        os.replace(keep, clippings)
    return json.loads(out)


def first_answer(kind, base, zip_path, clippings, arm_argv):
    k = kindle_box.ArmKindle(base, zip_path, arm_argv=arm_argv) if kind == "arm" else Kindle(base, zip_path)
    try:
        os.makedirs(os.path.join(k.root, "documents"))
        shutil.copy(clippings, os.path.join(k.root, "documents", "My Clippings.txt"))
        result = k.run_menu(kindle_box.START_LOCAL)
        if result.returncode != 0:
            raise SystemExit("start failed:\n" + k.explain(result))
        url = "http://127.0.0.1:%d/api/highlights?limit=50" % k.port
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            status, _, body = http(url, timeout=600)
            times.append(time.perf_counter() - t0)
            assert status == 200 and json.loads(body.decode("utf-8"))["total"] > 0, body[:300]
        return times
    finally:
        k.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mib", type=float, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="desktop,arm")
    ap.add_argument("--zip", help="a built zip (default: build one)")
    a = ap.parse_args()
    kinds = a.only.split(",")
    arm_argv = None
    if "arm" in kinds:
        arm_argv = arm_python()
    tmp = tempfile.mkdtemp(prefix="kc-library-bench-")
    results = {"mib": a.mib, "runs": a.runs}
    try:
        root = os.path.join(tmp, "us")
        os.makedirs(os.path.join(root, "documents"))
        clippings = os.path.join(root, "documents", "My Clippings.txt")
        size, count = make_clippings(clippings, int(a.mib * 2 ** 20))
        results.update(bytes=size, entries=count)
        zip_path = os.path.abspath(a.zip) if a.zip else kindle_box.build_zip(os.path.join(tmp, "zip"))
        for kind in kinds:
            argv = list(arm_argv) if kind == "arm" else [sys.executable]
            parses = [parse_run(argv, root, tmp, clippings) for _ in range(a.runs)]
            answers = [first_answer(kind, os.path.join(tmp, "%s-%d" % (kind, i)), zip_path, clippings, arm_argv)
                       for i in range(a.runs)]
            results[kind] = {"first_s": med([p["first"] for p in parses]), "first_partial": parses[0]["first_partial"],
                             "whole_s": med([p["whole"] for p in parses]), "cached_s": med([p["cached"] for p in parses]),
                             "restart_s": med([p["restart"] for p in parses]),
                             "appended_s": med([p["appended"] for p in parses]),
                             "rss_mib": med([p["rss_mib"] for p in parses]), "highlights": parses[0]["total"],
                             "first_answer_s": med([t[0] for t in answers]), "second_answer_s": med([t[1] for t in answers])}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("My Clippings.txt: %.1f MiB, %d entries; median of %d runs" % (results["bytes"] / 2 ** 20, results["entries"], a.runs))
    print("%-8s %8s %8s %8s %9s %9s %8s %9s %9s" % ("python", "first s", "whole s", "cached s", "restart s",
                                                     "append s", "peak MiB", "HTTP 1st", "HTTP 2nd"))
    for kind in kinds:
        r = results[kind]
        print("%-8s %8.2f %8.2f %8.4f %9.2f %9.2f %8.0f %9.2f %9.3f" % (
            kind, r["first_s"], r["whole_s"], r["cached_s"], r["restart_s"], r["appended_s"], r["rss_mib"],
            r["first_answer_s"], r["second_answer_s"]))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()

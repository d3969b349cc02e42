#!/usr/bin/env python3
"""Reproduce docs/RELIABILITY.md's table: run the reliability tests, count what
was tried and what was lost, and print the table (Markdown).

    python3 bench/reliability.py                 # as in CI: 54 kill -9 rounds, 150 hypothesis examples
    python3 bench/reliability.py --scale 4       # 4x the randomised tries (216 kills, 600 examples)
    python3 bench/reliability.py --write         # also put the table into docs/RELIABILITY.md

The tests record their rows through testkit/faultkit.tally() when KINDLECHAT_TALLY
names a file; KINDLECHAT_SCALE multiplies the randomised tries. A row's "lost" is
the count of finished messages, text or requests that did not come back as they
went in, and "wedged" how often the server or a chat was left unusable (the goal:
0 for both); a failing test is shown as such.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOC = os.path.join(ROOT, "docs", "RELIABILITY.md")
TESTS = ["tests/test_upstream_faults.py", "tests/page/test_browser_faults.py", "tests/test_durability.py",
         "tests/test_disk_full.py", "tests/test_damaged_chats.py", "tests/test_wedges.py",
         "tests/test_bad_input.py", "tests/test_oversized_bodies.py", "tests/test_hostile_clients.py",
         "tests/test_security.py", "tests/page/test_page_settings.py", "tests/page/test_page_polling.py",
         "tests/test_load.py"]
BEGIN, END = "<!-- table: bench/reliability.py -->", "<!-- end of table -->"


def run(scale, extra):
    tally = tempfile.NamedTemporaryFile(prefix="kc-tally-", suffix=".jsonl", delete=False).name
    env = dict(os.environ, KINDLECHAT_TALLY=tally, KINDLECHAT_SCALE=str(scale),
               PYTHONPATH=os.path.join(ROOT, "src"))
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"] + TESTS + extra,
                           cwd=ROOT, env=env)
    took = time.monotonic() - started
    rows = collections.OrderedDict()
    with open(tally, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            row = rows.setdefault(rec["scenario"], {"tries": 0, "lost": 0, "wedged": 0, "notes": []})
            row["tries"] += rec["tries"]
            row["lost"] += rec["lost"]
            row["wedged"] += rec.get("wedged", 0)
            if rec["note"]:
                row["notes"].append(rec["note"])
    os.unlink(tally)
    return code, took, rows


def table(rows):
    out = ["| what was tried | times | lost | wedged | notes |", "|---|---:|---:|---:|---|"]
    for scenario, row in rows.items():
        out.append("| %s | %d | %d | %d | %s |" % (scenario, row["tries"], row["lost"], row["wedged"],
                                                  "; ".join(row["notes"])))
    out.append("| **total** | **%d** | **%d** | **%d** | |" % tuple(sum(r[k] for r in rows.values())
                                                                 for k in ("tries", "lost", "wedged")))
    return "\n".join(out)


def write(text):
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(head + BEGIN + "\n" + text + "\n" + END + tail)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the randomised tries")
    parser.add_argument("--write", action="store_true", help="update the table in docs/RELIABILITY.md")
    args, extra = parser.parse_known_args(argv)
    code, took, rows = run(args.scale, extra)
    text = table(rows)
    print()
    print(text)
    print("\npytest exit code %d, %.0f s, scale %g" % (code, took, args.scale))
    if args.write and code == 0:
        write(text)
        print("written to", os.path.relpath(DOC, ROOT))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

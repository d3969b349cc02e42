"""Instructions to relay one fixed stream, counted by valgrind's callgrind: a
figure that does not drift with machine noise, to compare a change's cost commit
to commit.

    python3 bench/run.py callgrind [--kib 256] [--runs 2]

Runs bench/relay_once.py (the server's own code relaying a fixed 256 KiB reply in
one thread, no clock, no network; see its docstring) under
`valgrind --tool=callgrind`, and the same with --dry (start-up, imports and set-up
only); the relay's cost is the difference. PYTHONHASHSEED=0 and no address
randomisation (setarch -R), since hashes of objects follow their addresses; a native run first
writes the .pyc files, so that no run compiles. --runs > 1 shows that the count
repeats.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BENCH, ROOT, save, table  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), PYTHONHASHSEED="0")


def count(extra, tmp, kib):
    out = os.path.join(tmp, "callgrind.out")
    cmd = ["setarch", os.uname().machine, "-R", "valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, sys.executable,
           os.path.join(BENCH, "relay_once.py"), "--kib", str(kib)] + extra
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit("callgrind run failed:\n" + proc.stderr[-3000:])
    with open(out) as f:
        for line in f:
            m = re.match(r"(?:summary|totals): (\d+)", line)
            if m:
                return int(m.group(1)), json.loads(proc.stdout.strip().splitlines()[-1])
    raise SystemExit("no total in callgrind's output")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kib", type=int, default=256)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    subprocess.run([sys.executable, os.path.join(BENCH, "relay_once.py"), "--kib", str(args.kib)],
                   cwd=ROOT, env=ENV, check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        relays, drys, info = [], [], None
        for _ in range(args.runs):
            total, info = count([], tmp, args.kib)
            relays.append(total)
            drys.append(count(["--dry"], tmp, args.kib)[0])
    relay = relays[0] - drys[0]
    rows = [["whole run (start, imports, relay)"] + relays, ["--dry (start, imports, set-up)"] + drys,
            ["the relay"] + [r - d for r, d in zip(relays, drys)]]
    print("\nInstructions (callgrind Ir) to relay %d KiB of text in %d events, %d page polls\n"
          % (args.kib, info["events"], info["polls"]))
    table(["", ] + ["run %d" % (n + 1) for n in range(args.runs)], [[r[0]] + ["{:,}".format(x) for x in r[1:]]
                                                                    for r in rows])
    print("\nper event: {:,.0f} instructions; per KiB of text: {:,.0f}".format(
        relay / info["events"], relay / (info["text_chars"] / 1024.0)))
    save("callgrind", {"args": vars(args), "relay_instructions": relay, "runs": relays, "dry_runs": drys,
                       "per_event": relay / info["events"], "stream": info})


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Run one benchmark in bench/.venv (made and filled from bench/requirements.txt
on first use, so a fresh clone needs nothing but python3):

    python3 bench/run.py relay_cpu        # CPU per MiB: server vs google-genai vs bare requests
    python3 bench/run.py latency          # added latency p50/p99, chunked and close-delimited
    python3 bench/run.py memory_start     # idle RSS, growth over 50 replies, start time, importtime
    python3 bench/run.py page             # page bytes, repaints; at 20x CPU throttle: script per update,
                                          #   busy share, load -> ready; www/ gzipped (Chromium)
    python3 bench/run.py connection_reuse # HTTPS upstream: 2nd reply's first text, connections per 3 replies
    python3 bench/run.py callgrind        # instructions to relay one fixed stream (valgrind)
    python3 bench/run.py profile_relay    # where the relay CPU goes (py-spy)
    python3 bench/run.py all              # relay_cpu, latency, memory_start, page, connection_reuse,
                                          #   callgrind, one after the other

Arguments after the name go to the script (--help lists them); relay_cpu,
memory_start, page, page_cpu and connection_reuse take --tree DIR. Each prints a table and writes
bench/results/<name>.json. Before/after: `git worktree add /tmp/kc-before 698c671`,
then `python3 bench/run.py NAME --tree /tmp/kc-before`.
"""
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
VENV = os.path.join(BENCH, ".venv")
ALL = ("relay_cpu", "latency", "memory_start", "page", "connection_reuse", "callgrind")

sys.path.insert(0, ROOT)
from dev import ensure_venv  # noqa: E402  -- one venv maker for dev.py and the benchmarks


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    names = ALL if argv[0] == "all" else [argv[0]]
    for name in names:
        if not os.path.isfile(os.path.join(BENCH, name + ".py")):
            print("bench/run.py: no benchmark %r\n%s" % (name, __doc__))
            return 2
    py = ensure_venv(VENV, os.path.join(BENCH, "requirements.txt"))
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    status = 0
    for name in names:
        print("=== %s ===" % name, flush=True)
        status |= subprocess.call([py, os.path.join(BENCH, name + ".py")] + argv[1:], cwd=ROOT, env=env)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

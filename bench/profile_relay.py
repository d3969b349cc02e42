"""Where the server's relay CPU goes: py-spy samples the whole server process
(every thread) while it relays a few long replies, then prints the hottest
lines, by own time and with what they call.

    python3 bench/run.py profile_relay [--mib 4] [--replies 3] [--seconds 4] [--throttle-ms 500]

Needs py-spy (bench/requirements.txt) and permission to ptrace the server
(root, or kernel.yama.ptrace_scope = 0). The raw samples stay in
bench/results/profile_relay.txt (py-spy's "raw" format: stack;stack;... count).
"""
import argparse
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MIB, RESULTS, KindleChat, table  # noqa: E402
from testkit.upstream import UpstreamProcess  # noqa: E402

IDLE = ("select (selectors.py", "wait (threading.py", "serve_forever", "_wait_for_tstate_lock",
        "accept (socket.py", "poll (selectors.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=float, default=4.0)
    ap.add_argument("--replies", type=int, default=3)
    ap.add_argument("--throttle-ms", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=4.0, help="pace one reply over this long (0: no pacing)")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    spy_bin = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    os.makedirs(RESULTS, exist_ok=True)
    out = os.path.join(RESULTS, "profile_relay.txt")
    events = len(UpstreamProcess(int(args.mib * MIB)).texts)
    up = UpstreamProcess(int(args.mib * MIB), delay=args.seconds / events).start()
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        kc = KindleChat(up.url, os.path.join(tmp, "data"), args.throttle_ms)
        try:
            kc.run()   # warm up: requests imported, session made
            spy = subprocess.Popen([spy_bin, "record", "--pid", str(kc.pid), "--rate", "1000", "--nonblocking", "--format", "raw",
                                    "-o", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            cpu = [kc.run()["cpu"] for _ in range(args.replies)]
            time.sleep(0.3)
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        finally:
            kc.stop()
            up.stop()
    own, incl, busy = collections.Counter(), collections.Counter(), 0
    with open(out) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            frames = stack.split(";")
            if any(mark in frames[-1] for mark in IDLE):
                continue
            busy += int(n)
            own[frames[-1]] += int(n)
            for frame in set(frames):
                incl[frame] += int(n)
    print("\nserver CPU per reply: %s s; %d busy samples\n" % (", ".join("%.2f" % c for c in cpu), busy))
    table(["own time: line", "%"], [[f, 100.0 * n / busy] for f, n in own.most_common(args.top)])
    print()
    interesting = [(f, n) for f, n in incl.most_common() if "threading.py" not in f and "socketserver.py" not in f]
    table(["with callees: line", "%"], [[f, 100.0 * n / busy] for f, n in interesting[:args.top]])
    print("\nraw samples: %s" % os.path.relpath(out, os.getcwd()))


if __name__ == "__main__":
    main()

"""Relay cost: CPU seconds per MiB of reply text, KindleChat's whole server process
beside google-genai's generate_content_stream and a bare requests iter_lines +
json.loads loop, all reading the same synthetic Gemini stream from the same
loopback upstream (its own process), in alternating order, several rounds.

    python3 bench/run.py relay_cpu [--mib 1] [--runs 5] [--seconds 4,0] [--tree /tmp/kc-before]

KindleChat's figure is the CPU of the server process from the message being sent
to the page client's last answer: upstream -> SSE decoding -> JSON -> the reply's
text -> the journal on disk -> long-poll answers (default throttle, as the page
runs it). The others' figure is their own process's CPU over the same stream.
--seconds lists the pacings to run, one after the other in the same run: 4 (a MiB
over 4 s, paced like a fast Gemini) and 0 (the upstream as fast as it can); the
target (issue 12) is kindlechat <= 1.3x bare in each. `--only kindlechat,stream,bare`
adds KindleChat's reading alone (bench/contenders.py stream): kindlechat minus stream is
what the server adds (the journal, the page's answers, the reply's bookkeeping).
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (MIB, KindleChat, Worker, add_tree_option, median, save, table, tree_info,  # noqa: E402
                    tree_label)
from testkit.upstream import UpstreamProcess  # noqa: E402


TARGET = 1.3


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=float, default=1.0, help="reply text per run, MiB")
    ap.add_argument("--runs", type=int, default=5, help="measured rounds (after one warm-up round)")
    ap.add_argument("--throttle-ms", type=int, default=500, help="the server's throttle (page updates)")
    ap.add_argument("--seconds", default="4,0",
                    help="pacings, comma-separated: one reply takes about this long (0: as fast as it can)")
    ap.add_argument("--only", default="kindlechat,bare,genai")
    add_tree_option(ap)
    args = ap.parse_args()
    info = tree_info(args.tree)
    print("measuring %s" % tree_label(info), flush=True)
    out = dict(args=vars(args), **info)
    out["settings"] = [run_setting(args, float(s)) for s in args.seconds.split(",")]
    print("\nSummary: kindlechat CPU / bare requests loop CPU, per MiB of reply text (target <= %.1fx each)\n"
          % TARGET)
    rows = [[("paced over %.0f s" % s["seconds"]) if s["seconds"] else "unpaced", s["ratio"],
             "MET" if s["ratio"] <= TARGET else "MISSED"] for s in out["settings"] if s.get("ratio")]
    table(["upstream", "x bare", ""], rows)
    save("relay_cpu", out)


def run_setting(args, seconds):
    events = len(UpstreamProcess(int(args.mib * MIB)).texts)
    up = UpstreamProcess(int(args.mib * MIB), delay=seconds / events).start()
    text_mib = len(up.text.encode("utf-8")) / MIB
    contenders = []
    try:
        with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
            for name in args.only.split(","):
                if name == "kindlechat":
                    contenders.append(KindleChat(up.url, os.path.join(tmp, "data"), args.throttle_ms, tree=args.tree))
                else:
                    contenders.append(Worker(name, up.url, tree=args.tree))
            results = {c.name: [] for c in contenders}
            polls = []
            for rnd in range(args.runs + 1):
                order = contenders[rnd % len(contenders):] + contenders[:rnd % len(contenders)]
                for c in order:
                    r = c.run()
                    if r["chars"] != len(up.text):
                        raise SystemExit("%s received %d characters of %d" % (c.name, r["chars"], len(up.text)))
                    if rnd:   # round 0 warms every contender up
                        results[c.name].append({"cpu_per_mib": r["cpu"] / text_mib, "wall": r["wall"]})
                        if "polls" in r:
                            polls.append(r["polls"])
                print("round %d/%d: %s" % (rnd, args.runs, "  ".join(
                    "%s %.3f" % (n, v[-1]["cpu_per_mib"]) for n, v in results.items() if v and rnd)), flush=True)
    finally:
        for c in contenders:
            c.stop()
        up.stop()

    med = {n: median([x["cpu_per_mib"] for x in v]) for n, v in results.items()}
    rows = []
    for n, v in results.items():
        cpus = [x["cpu_per_mib"] for x in v]
        rows.append([n, med[n], min(cpus), max(cpus), median([x["wall"] for x in v]) / text_mib,
                     med[n] / med["bare"] if "bare" in med else float("nan"),
                     med[n] / med["genai"] if "genai" in med else float("nan")])
    print("\nRelay CPU per MiB of reply text (%.2f MiB in %d events over ~%.1f s, %d rounds; "
          "median polls per reply %s)\n" % (text_mib, len(up.texts), seconds, args.runs,
                                             median(polls) if polls else "-"))
    table(["contender", "CPU s/MiB", "min", "max", "wall s/MiB", "x bare", "x genai"], rows)
    ratio = med["kindlechat"] / med["bare"] if "kindlechat" in med and "bare" in med else None
    return {"seconds": seconds, "text_mib": text_mib, "events": len(up.texts),
            "polls_median": median(polls) if polls else None, "runs": results, "median_cpu_per_mib": med,
            "ratio": ratio}


if __name__ == "__main__":
    main()

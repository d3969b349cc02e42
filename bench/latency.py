"""Added latency: from the upstream writing an event to a client holding its text,
for KindleChat's whole server (throttle off, read by a long-polling page client),
a bare requests iter_lines + json.loads loop and google-genai, with the upstream
body chunked (as Gemini sends it) and close-delimited (no chunking, no
Content-Length), in alternating order, several rounds.

    python3 bench/run.py latency [--events 300] [--gap-ms 10] [--runs 5]

Times are CLOCK_MONOTONIC, one clock for every process on the machine: the
upstream (its own process) notes when each event's send returned; each client
notes when the text of each event is in its hands. requests' iter_lines() reads
512 bytes at a time, so on a close-delimited body it holds an event back until
the next ones make up 512 bytes (here: until the next event, gap-ms later).
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import KindleChat, Worker, median, percentile, save, table  # noqa: E402
from testkit.upstream import UpstreamProcess  # noqa: E402


def latencies(texts, sent, marks):
    """Milliseconds from each event's send to the first mark that holds its text."""
    ends, total = [], 0
    for text in texts:
        total += len(text)
        ends.append(total)
    if len(sent) != len(texts):
        raise RuntimeError("upstream sent %d pieces for %d events" % (len(sent), len(texts)))
    out, m = [], 0
    for end, t_sent in zip(ends, sent):
        while m < len(marks) and marks[m][1] < end:
            m += 1
        if m == len(marks):
            raise RuntimeError("an event's text never arrived")
        out.append((marks[m][0] - t_sent) * 1000.0)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=300, help="events per reply (about)")
    ap.add_argument("--gap-ms", type=float, default=10.0, help="time between two events")
    ap.add_argument("--runs", type=int, default=5, help="measured rounds per framing (after a warm-up round)")
    ap.add_argument("--only", default="kindlechat,bare,genai")
    args = ap.parse_args()

    summary, raw = {}, {}
    rows = []
    for framing in ("chunked", "close"):
        up = UpstreamProcess(args.events * 170, framing=framing, delay=args.gap_ms / 1000.0).start()
        contenders = []
        try:
            with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
                for name in args.only.split(","):
                    if name == "kindlechat":
                        contenders.append(KindleChat(up.url, os.path.join(tmp, "data"), 0, marks=True))
                    else:
                        contenders.append(Worker(name, up.url, marks=True))
                lat = {c.name: [] for c in contenders}
                rounds = {c.name: [] for c in contenders}
                for rnd in range(args.runs + 1):
                    order = contenders[rnd % len(contenders):] + contenders[:rnd % len(contenders)]
                    for c in order:
                        up.sent()
                        r = c.run()
                        sent = up.sent()
                        if rnd:
                            values = latencies(up.texts, sent, r["marks"])
                            lat[c.name] += values
                            rounds[c.name].append(percentile(values, 99))
        finally:
            for c in contenders:
                c.stop()
            up.stop()
        raw[framing] = lat
        summary[framing] = {}
        for name, values in lat.items():
            summary[framing][name] = {"p50": percentile(values, 50), "p99": percentile(values, 99),
                                      "p99_rounds": rounds[name], "p99_median_round": median(rounds[name]),
                                      "max": max(values), "n": len(values)}
        for name, s in summary[framing].items():
            base = summary[framing].get("bare")
            rows.append(["%s, %s" % (name, framing), s["p50"], s["p99"], s["p99_median_round"], s["max"],
                         s["n"], s["p99_median_round"] - base["p99_median_round"] if base else float("nan")])
        print("%s done" % framing, flush=True)

    print("\nAdded latency, upstream send -> text in the client's hands, ms (%d events %.0f ms apart, "
          "%d rounds; KindleChat throttle off)\n" % (len(up.texts), args.gap_ms, args.runs))
    table(["contender, upstream body", "p50 ms", "p99 ms", "p99 of a round (median)", "max ms", "events",
           "round p99 - bare"], rows)
    print("\n(p50 and p99 pool every round; a round's p99 is taken per round, and the median over the\n"
          " rounds is the figure compared, so that one round disturbed by other work on the machine\n"
          " does not decide it)")
    verdicts = {}
    for framing in summary:
        if "kindlechat" in summary[framing] and "bare" in summary[framing]:
            extra = summary[framing]["kindlechat"]["p99_median_round"] - summary[framing]["bare"]["p99_median_round"]
            verdicts[framing] = extra
            print("target (%s): kindlechat p99 <= bare p99 + 2 ms (median of rounds): %+.2f ms %s"
                  % (framing, extra, "MET" if extra <= 2.0 else "MISSED"))
    save("latency", {"args": vars(args), "events": len(up.texts), "summary": summary,
                     "p99_minus_bare": verdicts,
                     "latencies_ms": {f: {n: [round(x, 3) for x in v] for n, v in c.items()} for f, c in raw.items()}})


if __name__ == "__main__":
    main()

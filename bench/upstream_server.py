"""The benchmarks' upstream: tests/upstream.py in a process of its own, repeating
one synthetic Gemini reply (bench/common.py gemini_stream), one event per send.

    python bench/upstream_server.py --text-bytes 1048576 --framing chunked
    -> prints its URL; on stdin, "sent" prints the send times since the last
       "sent" as a JSON list; end of stdin stops it.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import gemini_stream  # noqa: E402
from upstream import Reply, Upstream  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text-bytes", type=int, default=1 << 20)
    ap.add_argument("--framing", default="chunked", choices=("chunked", "close", "length"))
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between events")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default="20,300")
    args = ap.parse_args()
    sizes = tuple(int(x) for x in args.sizes.split(","))
    events, _ = gemini_stream(args.text_bytes, args.seed, sizes)
    up = Upstream().start()
    up.script(Reply(body=b"".join(events), pieces=events, framing=args.framing, delay=args.delay))
    print(up.url, flush=True)
    for line in sys.stdin:
        if line.strip() == "sent":
            sent, up.sent[:] = list(up.sent), []
            print(json.dumps(sent), flush=True)
    up.stop()


if __name__ == "__main__":
    main()

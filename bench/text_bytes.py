"""Bytes held per byte of reply text while it streams: the tree's own reply-text
class (kindlechat.text.Text; at 698c671 it was kindlechat.replies.Text, a list of
the pieces) filled with a reply in tiny events, measured with tracemalloc in a
process of its own with only that tree's src/ on sys.path.

    python3 bench/text_bytes.py [--tree DIR] [--kib 512] [--sizes 1,7]

Prints JSON: the reply's UTF-8 bytes, what the Text held (traced, current and peak)
and their ratio. Each piece is cut (allocated) after tracing starts, as the decoder
allocates each event's text, so a class that keeps the pieces is charged for them.
Run by memory_start.py; useful alone.
"""
import argparse
import json
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)

CHILD = r"""
import json, sys, tracemalloc
try:
    from kindlechat.text import Text
except ImportError:          # 698c671: the list of pieces lived in replies.py
    from kindlechat.text import Text
import kindlechat, os
text, cuts = json.loads(sys.stdin.read())
tracemalloc.start()
held = Text()
base = tracemalloc.get_traced_memory()[0]
i = 0
for n in cuts:
    held.append(text[i:i + n])   # a new str per event, as json.loads makes one
    i += n
current, peak = tracemalloc.get_traced_memory()
print(json.dumps({"module": Text.__module__, "src": os.path.dirname(kindlechat.__file__),
                  "held": current - base, "peak": peak - base, "chars": i}))
"""


def measure(tree, kib=512, sizes=(1, 7), seed=1):
    sys.path.insert(0, BENCH)
    from common import tiny_stream
    texts = tiny_stream(kib * 1024, seed, sizes)[1]
    text = "".join(texts)
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.abspath(tree), "src"))
    out = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps([text, [len(t) for t in texts]]),
                         capture_output=True, text=True, env=env, cwd="/", check=True).stdout
    r = json.loads(out)
    r["text_bytes"] = len(text.encode("utf-8"))
    r["events"] = len(texts)
    r["held_per_byte"] = r["held"] / r["text_bytes"]
    r["peak_per_byte"] = r["peak"] / r["text_bytes"]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", default=ROOT)
    ap.add_argument("--kib", type=int, default=512)
    ap.add_argument("--sizes", default="1,7")
    args = ap.parse_args()
    print(json.dumps(measure(args.tree, args.kib, tuple(int(x) for x in args.sizes.split(","))), indent=1))


if __name__ == "__main__":
    main()

"""What the benchmarks share: CPU and memory readings of a process, medians, the
table and the JSON file, the contenders. The synthetic Gemini stream, the upstream
process and the server process are testkit's (gemini_chunks, upstream, serverproc),
the same the tests use; importing this module puts the repo root and src/ on sys.path.

Not a test helper: nothing here asserts. Every script in bench/ prints a table
and writes bench/results/<name>.json (gitignored).

Before and after: --tree DIR (add_tree_option) runs the server and page of another
checkout of the project, e.g. `git worktree add /tmp/kc-before 698c671` and
`--tree /tmp/kc-before`: its src/ goes on the server's PYTHONPATH (the server finds
its www/ beside its src/); the bench, testkit and the upstream stay this checkout's.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
RESULTS = os.path.join(BENCH, "results")
for _p in (ROOT, os.path.join(ROOT, "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from testkit.serverproc import ServerProcess  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024
MODEL = "gemini-2.5-flash"

###############################################################################
# Readings ####################################################################
###############################################################################


def add_tree_option(ap):
    ap.add_argument("--tree", default=ROOT,
                    help="checkout whose src/ and www/ are measured (default: this working tree); "
                         "e.g. `git worktree add /tmp/kc-before 698c671` then --tree /tmp/kc-before")


def tree_info(tree):
    """{'tree', 'tree_commit', 'tree_dirty'}: what a run measured."""
    def git(*args):
        try:
            return subprocess.run(["git"] + list(args), cwd=tree, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    dirty = git("status", "--porcelain", "--", "src", "www")
    return {"tree": os.path.abspath(tree), "tree_commit": git("rev-parse", "--short", "HEAD"),
            "tree_dirty": bool(dirty)}


def tree_label(info):
    return "%s%s (%s)" % (info["tree_commit"], "+uncommitted" if info["tree_dirty"] else "", info["tree"])


def cpu_seconds(pid):
    """User + system CPU of a whole process (every thread, the ended ones too)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory(pid):
    """{'rss', 'peak'} of a process in MiB (VmRSS, VmHWM)."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                out["peak"] = int(line.split()[1]) / 1024
    return out


def median(values):
    return statistics.median(values) if values else float("nan")


def med(values):
    """The median, rounded for a results table."""
    return round(median(values), 3)


def arm_python():
    """The argv that runs Debian's armhf Python 3.9 under qemu (tools/armpython.py),
    fetched on first use; exits with the reason when this machine can't have it."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import armpython
    try:
        armpython.ensure(log=lambda m: print(m, file=sys.stderr))
    except armpython.Unavailable as e:
        raise SystemExit("no ARM Python: %s" % e)
    return armpython.command()


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def recut(texts, sizes, seed=1):
    """The same text re-cut into pieces of sizes[0]..sizes[1] characters (tiny events,
    as OpenAI-style providers and some relays send).

    >>> "".join(recut(["Hello, ", "world."], (1, 3)))
    'Hello, world.'
    >>> max(len(p) for p in recut(["x" * 100], (1, 7)))
    7
    """
    import random
    text, rng, out, i = "".join(texts), random.Random(seed), [], 0
    while i < len(text):
        n = rng.randint(*sizes)
        out.append(text[i:i + n])
        i += n
    return out


def tiny_stream(text_bytes, seed=1, sizes=(1, 7)):
    """gemini_stream's text in events of sizes[0]..sizes[1] characters each
    (testkit.gemini_chunks' chunk and event framing), the last one carrying
    finishReason STOP. Returns (events as bytes, texts), as gemini_stream does."""
    from testkit.gemini_chunks import chunk, event, gemini_stream
    texts = recut(gemini_stream(text_bytes, seed)[1], sizes, seed)
    last = len(texts) - 1
    return [event(chunk(t, finish="STOP" if n == last else None)) for n, t in enumerate(texts)], texts


###############################################################################
# Output ######################################################################
###############################################################################


def versions():
    out = {"python": platform.python_version(), "implementation": platform.python_implementation()}
    for name in ("requests", "urllib3", "bottle", "google.genai", "httpx", "pydantic", "playwright"):
        try:
            from importlib import metadata
            dist = {"google.genai": "google-genai"}.get(name, name)
            out[name] = metadata.version(dist)
        except Exception:  # noqa: BLE001 -- not installed: not a contender here
            pass
    return out


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(), "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"), "versions": versions()}


def table(headers, rows):
    """Print rows (lists) under headers, columns aligned."""
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def fmt(value):
    if isinstance(value, float):
        if value != value:
            return "-"
        return "%.3f" % value if abs(value) < 10 else "%.1f" % value
    return str(value)


def save(name, data):
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name + ".json")
    with open(path, "w") as f:
        json.dump(dict(data, machine=machine()), f, indent=1, ensure_ascii=False)
    print("\nwrote %s" % os.path.relpath(path, os.getcwd()))
    return path


###############################################################################
# Contenders ##################################################################
###############################################################################


class Worker:
    """One of bench/contenders.py's workers (bare, stream, genai): run() streams one
    reply. tree: whose src/ the stream worker reads with."""

    def __init__(self, kind, url, marks=False, tree=ROOT):
        self.name = kind
        args = [sys.executable, os.path.join(BENCH, "contenders.py"), kind, url] + (["--marks"] if marks else [])
        env = dict(os.environ, KINDLECHAT_SRC=os.path.join(tree, "src"))
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                     env=env)

    def run(self):
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("%s worker died" % self.name)
        return json.loads(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(10)


class KindleChat:
    """The whole server process (python -m kindlechat) relaying from the upstream,
    read by a page client that long-polls as www/app.js does (from=offset&wait=).
    run() measures the server process's CPU from the message being sent to the
    reply's last answer."""

    name = "kindlechat"

    def __init__(self, url, data_dir, throttle_ms=500, marks=False, flags=(), tree=ROOT, env=None):
        env = dict({"GEMINI_API_KEY": "x", "PYTHONPATH": os.path.join(tree, "src")}, **(env or {}))
        self.server = ServerProcess(data_dir, "--gemini-url", url, "--throttle-ms", str(throttle_ms), *flags,
                                    env=env, fast=False).start()
        self.keep_marks = marks
        self.polls = 0

    @property
    def pid(self):
        return self.server.proc.pid

    def _get(self, path):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def run(self):
        srv = self.server
        cid = srv.new_chat()
        cpu0, wall0 = cpu_seconds(self.pid), time.monotonic()
        index = srv.send(cid, "Write at length.")
        offset, marks, polls = 0, [], 0
        while True:
            answer = self._get("/api/chats/%s/messages/%d?from=%d&wait=30" % (cid, index, offset))
            polls += 1
            if answer["text"]:
                offset = answer["next"]
                if self.keep_marks:
                    marks.append((time.monotonic(), offset))
            if answer["status"] != "streaming":
                break
        wall = time.monotonic() - wall0
        cpu = cpu_seconds(self.pid) - cpu0
        if answer["status"] != "done":
            raise RuntimeError("reply ended %s: %s" % (answer["status"], answer.get("error")))
        return {"cpu": cpu, "wall": wall, "chars": offset, "marks": marks, "polls": polls}

    def stop(self):
        self.server.stop()

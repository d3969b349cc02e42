"""What the benchmarks share: the synthetic Gemini stream, the upstream process,
CPU and memory readings of a process, medians, the table and the JSON file.

Not a test helper: nothing here asserts. Every script in bench/ prints a table
and writes bench/results/<name>.json (gitignored).
"""
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
RESULTS = os.path.join(BENCH, "results")
for _p in (os.path.join(ROOT, "tests"), os.path.join(ROOT, "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

CLK_TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024
MODEL = "gemini-2.5-flash"

###############################################################################
# The stream ##################################################################
###############################################################################

# Words of an ordinary English answer with Markdown, a few non-ASCII characters
# (about 1 in 50 words), as Gemini writes them raw inside its JSON.
_WORDS = ("the of and to a in is that for it as with on was be by this are or from at "
          "an which have not but can more one all their also has will were been each "
          "model reply text stream Kindle screen page battery network server answer "
          "**bold** *italic* `code` ## 1. - > | café naïve — “quoted” 日本語 über").split()
# One event as Gemini 2.5 Flash sends it (the layout of a real capture:
# tests/fixtures/gemini/pai_usage_each_chunk_gemini25flash.sse).
_EVENT = ('data: {"candidates": [{"content": {"parts": [{"text": %s}],"role": "model"},%s"index": 0}],'
          '"usageMetadata": {"promptTokenCount": 18,"candidatesTokenCount": %d,"totalTokenCount": %d,'
          '"promptTokensDetails": [{"modality": "TEXT","tokenCount": 18}],"thoughtsTokenCount": 35},'
          '"modelVersion": "gemini-2.5-flash","responseId": "ru1garvBEoOiqtsP2fznmQw"}\r\n\r\n')


def gemini_stream(text_bytes, seed=1, sizes=(20, 300)):
    """A deterministic reply of about text_bytes bytes of UTF-8 text, in events of
    sizes[0]..sizes[1] characters (real Gemini 2.5 chunks carry 4..440, mostly
    100..300). Returns (events as bytes, texts as str), one text per event."""
    rng = random.Random(seed)
    events, texts, total, tokens = [], [], 0, 0
    while total < text_bytes:
        want = rng.randint(*sizes)
        words = []
        length = 0
        while length < want:
            w = rng.choice(_WORDS)
            if rng.random() < 0.08:
                w += ".\n\n" if rng.random() < 0.3 else ","
            words.append(w)
            length += len(w) + 1
        text = " ".join(words) + " "
        texts.append(text)
        total += len(text.encode("utf-8"))
        tokens += len(words)
        events.append(text)
    out = []
    for n, text in enumerate(events):
        finish = '"finishReason": "STOP",' if n == len(events) - 1 else ""
        out.append((_EVENT % (json.dumps(text, ensure_ascii=False), finish, n * 5 + 5, n * 5 + 58))
                   .encode("utf-8"))
    return out, texts


class UpstreamProcess:
    """tests/upstream.py in a process of its own (so that its sending costs no CPU
    in the process measured), repeating one scripted reply, one event per send."""

    def __init__(self, text_bytes, framing="chunked", delay=0.0, seed=1, sizes=(20, 300)):
        self.args = [sys.executable, os.path.join(BENCH, "upstream_server.py"),
                     "--text-bytes", str(text_bytes), "--framing", framing, "--delay", str(delay),
                     "--seed", str(seed), "--sizes", "%d,%d" % sizes]
        self.events, self.texts = gemini_stream(text_bytes, seed, sizes)
        self.text = "".join(self.texts)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     cwd=ROOT, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError("upstream did not start")
        return self

    def sent(self):
        """Monotonic times of the pieces sent since the last call (CLOCK_MONOTONIC
        is one clock for every process of the machine)."""
        self.proc.stdin.write("sent\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


###############################################################################
# Readings ####################################################################
###############################################################################


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


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


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
    """One of bench/contenders.py's workers (bare, genai): run() streams one reply."""

    def __init__(self, kind, url, marks=False):
        self.name = kind
        args = [sys.executable, os.path.join(BENCH, "contenders.py"), kind, url] + (["--marks"] if marks else [])
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)

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

    def __init__(self, url, data_dir, throttle_ms=500, marks=False, flags=()):
        from serverproc import ServerProcess
        self.server = ServerProcess(data_dir, "--gemini-url", url, "--throttle-ms", str(throttle_ms), *flags,
                                    env={"GEMINI_API_KEY": "x"}, fast=False).start()
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

#!/usr/bin/env python3
"""Emulated ARM beside desktop CPython: the built zip started by its own KUAL action
in a fake /mnt/us (tools/kindle_box.py), once with Debian bullseye's armhf Python 3.9
under qemu (the Kindle's kind of Python) and once with this machine's python3.

    python3 bench/arm_start.py [--runs 5] [--kib 64] [--zip dist/kindlechat-X.zip]

Per Python, each run in a fresh box:
- start -> health: wall seconds from running the start action (`/bin/sh -c` from the
  extension folder, as KUAL does) to the first 200 from GET /api/health, polled every
  20 ms from outside; for the first start after unzipping (the zip has no .pyc, so
  Python compiles the app and the libraries on the way) and for a second start
  (warm). Also kept: seconds until the action returns (it has opened the page).
- imports: wall seconds of a whole `python -I -S -c "import kindlechat.web.routes"` with the
  zip's app/ and vendor/ on sys.path (bottle, requests, urllib3, ... and the server),
  .pyc present: interpreter start-up plus imports.
- reply CPU: user+system CPU seconds of the server process (from /proc) for one reply
  of KIB KiB, from POST .../messages to the long poll (as the page does it, default
  500 ms throttle) that reports `done`. The upstream is a Gemini-format stream in
  this process (the built-in emulator's wire format and chunking, no pacing), so
  the figure is the server's own work: HTTP client, SSE, JSON, journal, long polls.

Emulation is not the device's speed: the ratio ARM/desktop shows what imports and
per-token work cost on an interpreter like the Kindle's, not seconds on a Kindle.
Prints a table; writes bench/results/arm_start.json.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.path.join(REPO, "tools"), REPO, os.path.join(REPO, "src")]

import armpython  # noqa: E402
import kindle_box  # noqa: E402
from common import arm_python, med  # noqa: E402
from testkit.kindle_fakes import Kindle, http, http_json  # noqa: E402
from testkit.ports import free_port  # noqa: E402
from kindlechat.demo import emulator as emu_mod  # noqa: E402

RESULTS = os.path.join(HERE, "results", "arm_start.json")


def reply_text(size):
    """size bytes of plain Markdown prose (ASCII), deterministic."""
    words = ("the kindle reads a long reply in pieces while the server keeps every word "
             "on its storage and answers the page twice a second").split()
    out, n, i = [], 0, 0
    while n < size:
        w = words[i % len(words)] + ("\n\n" if i % 97 == 96 else " ")
        out.append(w)
        n += len(w)
        i += 1
    return "".join(out)[:size]


class FixedReplyHandler(emu_mod.Handler):
    """The built-in emulator's wire format and chunking, always with the bench's text."""

    def _answer(self, question, emu, model="", request=None):   # the emulator passes both
        self._stream(self._chunks(emu.bench_text, "", emu), emu)


class Upstream(object):
    def __init__(self, text):
        from http.server import ThreadingHTTPServer
        self.emu = emu_mod.Emulator(tokens_per_second=0, first_delay=0)
        self.emu.bench_text = text
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), FixedReplyHandler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = self.emu
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.emu._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def make_box(kind, base, zip_path, arm_argv):
    if kind == "arm":
        return kindle_box.ArmKindle(base, zip_path, arm_argv=arm_argv)
    return Kindle(base, zip_path, python=sys.executable)


def time_start(k, env):
    """(seconds to the first health answer, seconds until the action returned,
    CPU seconds the server process had used by its first health answer)."""
    url = "http://127.0.0.1:%d/api/health" % k.port
    done = {}

    def action():
        done["result"] = k.run_menu(kindle_box.START_LOCAL, **env)
        done["t"] = time.perf_counter()

    t0 = time.perf_counter()
    th = threading.Thread(target=action)
    th.start()
    health = None
    while health is None:
        finished = not th.is_alive()
        try:
            if http(url, timeout=2)[0] == 200:
                health = time.perf_counter() - t0
        except OSError:
            pass
        if finished:
            break
        time.sleep(0.02)
    pid = k.server_pid()
    cpu = cpu_of(pid) if pid else float("nan")
    th.join()
    r = done["result"]
    if r.returncode != 0 or health is None:
        raise SystemExit("start failed:\n" + k.explain(r))
    return health, done["t"] - t0, cpu


def reply_cpu(k, size):
    """(server CPU seconds, wall seconds) for one reply of the upstream's text."""
    base = "http://127.0.0.1:%d/" % k.port
    status, chat = http_json(base + "api/chats", "POST", {})
    assert status in (200, 201), chat
    pid = k.server_pid()
    cpu0, t0 = cpu_of(pid), time.perf_counter()
    status, sent = http_json(base + "api/chats/%s/messages" % chat["id"], "POST", {"text": "a long one, please"})
    assert status == 202, sent
    got, offset, body = 0, 0, {"status": "streaming"}
    while body["status"] == "streaming":
        status, body = http_json(base + "api/chats/%s/messages/%d?from=%d&wait=20"
                                 % (chat["id"], sent["index"], offset), timeout=60)
        assert status == 200, body
        got += len(body["text"])
        offset = body["next"]
    wall = time.perf_counter() - t0
    cpu = cpu_of(pid) - cpu0
    assert body["status"] == "done" and got == size, (body.get("status"), got, size)
    return cpu, wall


def cpu_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def import_seconds(kind, ext, arm_argv):
    code = ("import sys, time; t = time.perf_counter(); sys.path[:0] = [%r, %r]; "
            "import kindlechat.web.routes, kindlechat.providers.gemini; print(time.perf_counter() - t)"
            % (os.path.join(ext, "app"), os.path.join(ext, "vendor")))
    argv = (list(arm_argv) if kind == "arm" else [sys.executable]) + ["-I", "-S", "-c", code]
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, float(out.strip())


def python_label(kind, arm_argv):
    argv = (list(arm_argv) if kind == "arm" else [sys.executable]) + [
        "-I", "-S", "-c", "import sys, platform; print(sys.version.split()[0], platform.machine())"]
    return subprocess.run(argv, stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kib", type=int, default=64)
    ap.add_argument("--zip", help="a built zip (default: build one)")
    ap.add_argument("--only", default="desktop,arm")
    a = ap.parse_args()

    arm_argv = arm_python()
    size = a.kib * 1024
    up = Upstream(reply_text(size))
    tmp = tempfile.mkdtemp(prefix="kc-arm-bench-")
    results = {}
    try:
        zip_path = os.path.abspath(a.zip) if a.zip else kindle_box.build_zip(os.path.join(tmp, "zip"))
        env = {"KINDLECHAT_DEMO": "0", "GEMINI_API_KEY": "bench-key", "KINDLECHAT_GEMINI_URL": up.url}
        for kind in a.only.split(","):
            keys = ("cold_health_s", "cold_action_s", "cold_server_cpu_s",
                    "warm_health_s", "warm_action_s", "warm_server_cpu_s",
                    "reply_cpu_s", "reply_wall_s", "import_wall_s", "import_cpu_s", "import_inner_s")
            rows = {key: [] for key in keys}
            for n in range(a.runs + 1):          # run 0 warms the file cache, not counted
                base = os.path.join(tmp, "%s-%d" % (kind, n))
                os.makedirs(base)
                k = make_box(kind, base, zip_path, arm_argv)
                k.port = free_port()
                try:
                    # First start after unzipping: the app's and libraries' .py compile.
                    cold = time_start(k, env)
                    cpu, wall = reply_cpu(k, size)
                    r = k.run_menu(kindle_box.STOP)
                    assert r.returncode == 0, k.explain(r)
                    # Any later start: their .pyc are there (the zip ships none).
                    warm = time_start(k, env)
                    r = k.run_menu(kindle_box.STOP)
                    assert r.returncode == 0, k.explain(r)
                    imports = import_seconds(kind, k.ext, arm_argv)
                finally:
                    k.cleanup()
                if n == 0:
                    continue
                for key, v in zip(keys, cold + warm + (cpu, wall) + imports):
                    rows[key].append(round(v, 3))
                print("%-8s run %d: health cold %.2f s (server CPU %.2f s), warm %.2f s (%.2f s); "
                      "%d KiB reply %.2f CPU s (%.2f s wall); imports %.2f s (%.2f CPU s)"
                      % (kind, n, cold[0], cold[2], warm[0], warm[2], a.kib, cpu, wall,
                         imports[0], imports[1]), file=sys.stderr)
            results[kind] = {"python": python_label(kind, arm_argv), "runs": rows,
                             "median": {key: med(v) for key, v in rows.items()}}
    finally:
        up.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    headers = ("Python", "first start -> /api/health", "later start -> /api/health",
               "python + imports", "server CPU, one %d KiB reply" % a.kib)
    print("Wall seconds (server CPU seconds by then); medians of %d runs.\n" % a.runs)
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for kind, r in results.items():
        m = r["median"]
        label = ("emulated ARM: %s (Debian 11 armhf, qemu-arm %s)" % (r["python"], qemu_version(arm_argv[0]))
                 if kind == "arm" else "desktop CPython %s" % r["python"])
        print("| %s | %.2f s (%.2f) | %.2f s (%.2f) | %.2f s (%.2f) | %.2f s |" % (
            label, m["cold_health_s"], m["cold_server_cpu_s"], m["warm_health_s"], m["warm_server_cpu_s"],
            m["import_wall_s"], m["import_cpu_s"], m["reply_cpu_s"]))
    if "arm" in results and "desktop" in results:
        ratio = {key: round(results["arm"]["median"][key] / results["desktop"]["median"][key], 1)
                 for key in ("cold_health_s", "cold_server_cpu_s", "warm_health_s", "warm_server_cpu_s",
                             "import_cpu_s", "reply_cpu_s") if results["desktop"]["median"][key]}
        print("\nARM / desktop (median of %d runs): %s" % (a.runs, ", ".join(
            "%s x%s" % (k, v) for k, v in ratio.items())))
        results["ratio_arm_over_desktop"] = ratio
    results["meta"] = {"runs": a.runs, "reply_bytes": size, "machine": platform.machine(),
                       "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M:%S"),
                       "arm_packages": json.load(open(os.path.join(armpython.cache_dir(), "manifest.json")))["packages"]}
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print("\nwritten: %s" % os.path.relpath(RESULTS))


def qemu_version(qemu):
    try:
        out = subprocess.run([qemu, "--version"], stdout=subprocess.PIPE, universal_newlines=True).stdout
        return out.split()[2]
    except (OSError, IndexError):
        return "?"


if __name__ == "__main__":
    main()

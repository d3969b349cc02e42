"""Memory and start: the server's RSS idle and over 50 long replies, the time from
starting the process to its first /api/health answer, and `python -X importtime`
of a start.

    python3 bench/run.py memory_start [--starts 10] [--replies 50] [--reply-kib 32]
    python3 bench/run.py memory_start --only tiny [--tree /tmp/kc-before]   # issue 12's target

Start: `python -m kindlechat` with an API key (no emulator) and in demo mode (the
built-in emulator starts too), each --starts times, alternating, beside a bare
`python -c pass`; the clock runs from just before the process is spawned to the
first answer of /api/health (polled every 2 ms). Memory: VmRSS and VmHWM (peak)
of the server process, idle after its start, after the first reply, then after
--replies replies of --reply-kib KiB each (5 per chat, read to the end by a
long-polling client, as the page does).

Tiny events (issue 12): RSS growth over --tiny-replies - 1 more replies of
--tiny-kib KiB after the first, each in events of 1-7 characters (OpenAI-style;
common.tiny_stream), target <= 8 MiB; and the bytes the tree's reply-text class
holds per byte of text while streaming (text_bytes.py, tracemalloc).
"""
import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (ROOT, KindleChat, add_tree_option, median, memory, save, table, tiny_stream,  # noqa: E402
                    tree_info, tree_label)
import text_bytes  # noqa: E402
from testkit.upstream import Reply, Upstream, UpstreamProcess  # noqa: E402
from testkit.ports import free_port  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), PYTHONUNBUFFERED="1")
TINY_TARGET_MIB = 8.0


def health(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    finally:
        conn.close()


def start_time(args_extra, env_extra, tmp):
    """Seconds from spawn to the first /api/health answer."""
    port = free_port()
    env = dict(ENV, **env_extra)
    cmd = [sys.executable, "-m", "kindlechat", "--port", str(port),
           "--data-dir", tempfile.mkdtemp(dir=tmp)] + args_extra
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if health(port):
                    return time.monotonic() - t0
            except OSError:
                pass
            if proc.poll() is not None:
                raise RuntimeError("server exited")
            if time.monotonic() - t0 > 20:
                raise RuntimeError("no health answer in 20 s")
            time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait(10)


def python_alone():
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.monotonic() - t0


def importtime(tmp):
    """`-X importtime` of a real start (until it serves), top-level imports by their
    cumulative microseconds."""
    port = free_port()
    cmd = [sys.executable, "-X", "importtime", "-m", "kindlechat", "--port", str(port),
           "--data-dir", tempfile.mkdtemp(dir=tmp)]
    err = os.path.join(tmp, "importtime.txt")
    with open(err, "wb") as f:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(ENV, GEMINI_API_KEY="x"), stdout=subprocess.DEVNULL,
                                stderr=f)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20:
            try:
                if health(port):
                    break
            except OSError:
                time.sleep(0.01)
        proc.terminate()
        proc.wait(10)
    top, total, children, inside = [], 0, [], {}
    with open(err) as f:
        for line in f:   # children come before their parent, one level = 2 more spaces
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if m and len(m.group(3)) == 1:   # a top-level import
                top.append((m.group(4), int(m.group(2))))
                total += int(m.group(2))
                inside[m.group(4)], children = children, []
            elif m and len(m.group(3)) == 3:
                children.append((m.group(4), int(m.group(2))))
    top.sort(key=lambda x: -x[1])
    return total, top, sorted(inside.get("kindlechat.web.routes", []), key=lambda x: -x[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--replies", type=int, default=50)
    ap.add_argument("--reply-kib", type=int, default=32)
    ap.add_argument("--tiny-replies", type=int, default=6)
    ap.add_argument("--tiny-kib", type=int, default=512)
    ap.add_argument("--only", default="start,memory,tiny", help="sections to run: start,memory,tiny")
    add_tree_option(ap)
    args = ap.parse_args()
    ENV["PYTHONPATH"] = os.path.join(os.path.abspath(args.tree), "src")
    info = tree_info(args.tree)
    print("measuring %s" % tree_label(info), flush=True)
    out = dict(args=vars(args), **info)
    only = args.only.split(",")
    if "start" in only or "memory" in only:
        start_and_memory(args, out, only)
    if "tiny" in only:
        tiny(args, out)
    save("memory_start" if only == ["start", "memory", "tiny"] else "memory_start_" + "_".join(only), out)


def tiny(args, out):
    """RSS growth over tiny-event replies, after the first; bytes held per byte."""
    events, texts = tiny_stream(args.tiny_kib * 1024)
    want = "".join(texts)
    up = Upstream().start()
    up.script(Reply(body=b"".join(events), pieces=events))
    mem = []
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        kc = KindleChat(up.url, os.path.join(tmp, "data"), 500, tree=args.tree)
        try:
            mem.append(dict(memory(kc.pid), after=0))
            cid = kc.server.new_chat()
            for n in range(1, args.tiny_replies + 1):
                index = kc.server.send(cid, "Write at length, part %d." % n)
                answer = kc.server.read_reply(cid, index, wait=20, limit=600)
                if answer["status"] != "done" or answer["text"] != want:
                    raise SystemExit("tiny reply %d ended %s" % (n, answer["status"]))
                mem.append(dict(memory(kc.pid), after=n))
                print("tiny reply %d: RSS %.1f MiB" % (n, mem[-1]["rss"]), flush=True)
        finally:
            kc.stop()
            up.stop()
    growth = mem[-1]["rss"] - mem[1]["rss"]
    held = text_bytes.measure(args.tree, args.tiny_kib)
    out["tiny"] = {"events_per_reply": len(texts), "text_bytes": len(want.encode("utf-8")), "rss_mib": mem,
                   "growth_after_first_mib": growth, "text_held": held}
    print("\nTiny events: %d replies of %d B of text in %d events of 1-7 characters (one chat)\n"
          % (args.tiny_replies, len(want.encode("utf-8")), len(texts)))
    table(["after reply", "RSS MiB", "peak RSS MiB"], [[m["after"], m["rss"], m["peak"]] for m in mem])
    print("\nreply text held while streaming (%s, tracemalloc): %.2f bytes per byte of UTF-8 text (peak %.2f)"
          % (held["module"], held["held_per_byte"], held["peak_per_byte"]))
    print("\ntarget: RSS growth over the %d replies after the first <= %.0f MiB: %+.1f MiB %s"
          % (args.tiny_replies - 1, TINY_TARGET_MIB, growth, "MET" if growth <= TINY_TARGET_MIB else "MISSED"))


def start_and_memory(args, out, only):
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        up = UpstreamProcess(args.reply_kib * 1024).start()
        try:
            # -- start ------------------------------------------------------
            kinds = {"python -c pass": None,
                     "server, API key set": (["--gemini-url", up.url], {"GEMINI_API_KEY": "x"}),
                     "server, demo (emulator too)": (["--demo"], {})}
            starts = {k: [] for k in kinds}
            for n in range(args.starts + 1 if "start" in only else 0):
                for kind, how in kinds.items():
                    t = python_alone() if how is None else start_time(how[0], how[1], tmp)
                    if n:
                        starts[kind].append(t)
            out["start_seconds"] = starts
            total_us, top, server_parts = importtime(tmp) if "start" in only else (0, [], [])
            out["importtime_us"] = {"total_top_level": total_us, "top": top[:15],
                                    "kindlechat.web.routes": server_parts[:15]}

            # -- memory -----------------------------------------------------
            kc = KindleChat(up.url, os.path.join(tmp, "data"), 500, tree=args.tree)
            try:
                time.sleep(0.5)
                mem = {"idle": memory(kc.pid)}
                srv = kc.server
                done = 0
                cid = None
                while done < (args.replies if "memory" in only else 0):
                    if done % 5 == 0:
                        cid = srv.new_chat()
                    index = srv.send(cid, "Write at length, part %d." % done)
                    answer = srv.read_reply(cid, index, wait=20)
                    if answer["status"] != "done" or answer["text"] != up.text:
                        raise SystemExit("reply %d ended %s" % (done, answer["status"]))
                    done += 1
                    if done in (1, 10, args.replies):
                        mem["after %d" % done] = memory(kc.pid)
            finally:
                kc.stop()
            out["memory_mib"] = mem
        finally:
            up.stop()

    if "start" in only:
        print_start(args, starts, total_us, top, server_parts)
    if "memory" not in only:
        return
    print("\nMemory of the server process, MiB (%d replies of %d KiB)\n" % (args.replies, args.reply_kib))
    table(["when", "RSS", "peak RSS"], [[k, v["rss"], v["peak"]] for k, v in mem.items()])
    last = mem["after %d" % args.replies]
    growth = last["rss"] - mem["after 1"]["rss"]
    out["growth_mib"] = {"after_1_to_last": growth, "idle_to_last": last["rss"] - mem["idle"]["rss"]}
    print("\ntargets: idle peak RSS <= 30 MiB: %.1f %s; growth over %d replies (after the first) <= 5 MiB: %.1f %s"
          % (mem["idle"]["peak"], "MET" if mem["idle"]["peak"] <= 30 else "MISSED", args.replies, growth,
             "MET" if growth <= 5 else "MISSED"))


def print_start(args, starts, total_us, top, server_parts):
    print("\nStart: spawn -> first /api/health answer, seconds (%d starts each, alternating)\n" % args.starts)
    table(["process", "median s", "min", "max"],
          [[k, median(v), min(v), max(v)] for k, v in starts.items()])
    print("\n`python -X importtime` of a start: %.1f ms in top-level imports; the largest:\n" % (total_us / 1000.0))
    table(["module", "cumulative ms"], [[name, us / 1000.0] for name, us in top[:8]])
    print("\nof which kindlechat.web.routes imports:\n")
    table(["module", "cumulative ms"], [[name, us / 1000.0] for name, us in server_parts[:8]])
    first = median(starts["server, API key set"])
    print("\ntarget: first health answer <= 0.3 s: %.3f %s" % (first, "MET" if first <= 0.3 else "MISSED"))


if __name__ == "__main__":
    main()

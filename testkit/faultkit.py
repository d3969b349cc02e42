"""Helpers for the reliability tests (test_upstream_faults, test_browser_faults,
test_durability, test_bad_input, test_security, test_load) and bench/reliability.py.
Gemini bodies are built by testkit.gemini_chunks.

    before = snapshot(data_dir); ...; assert snapshot(data_dir) == before
    tally("kill -9 while streaming", tries=50, lost=0)  # a row of docs/RELIABILITY.md

tally() writes nothing unless KINDLECHAT_TALLY names a file (bench/reliability.py
sets it), so the tests run the same either way. KINDLECHAT_SCALE multiplies the
number of tries of the randomised tests (kill -9 rounds, hypothesis examples).
"""
import json
import os
import socket
import time

KEY = "AIzaTEST-never-shown-0123456789abcdef"   # a fake API key that tests scan for


def scale(n):
    """n tries, times KINDLECHAT_SCALE (bench/reliability.py raises it)."""
    try:
        factor = float(os.environ.get("KINDLECHAT_SCALE", "1"))
    except ValueError:
        factor = 1.0
    return max(1, int(round(n * factor)))


def tally(scenario, tries, lost=0, note="", wedged=0):
    """Record a row of the reliability table: what was tried, how often, what was lost,
    and how often the server or a chat was left unusable (wedged). A test tallies
    after its checks, so a row's figures are those of tries that were checked."""
    path = os.environ.get("KINDLECHAT_TALLY")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"scenario": scenario, "tries": tries, "lost": lost, "wedged": wedged,
                            "note": note}) + "\n")


def snapshot(data_dir):
    """{relative path: bytes} of every file under data_dir (the server's logs live
    beside it, not in it)."""
    out = {}
    for root, _, files in os.walk(str(data_dir)):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    out[os.path.relpath(path, str(data_dir))] = f.read()
            except OSError:
                out[os.path.relpath(path, str(data_dir))] = None
    return out


def proc_stats(pid):
    """(threads, open fds, resident KB) of a process, from /proc."""
    threads = rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return threads, len(os.listdir("/proc/%d/fd" % pid)), rss


def wait_until(check, timeout, step=0.05):
    """check()'s first true value within timeout seconds, else its last value."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = check()
    return value


def exchange(port, data, timeout=10, half_close=False):
    """Send request bytes exactly as given; (status, {lowercase header: value}, body).
    half_close: shut our side after sending, as a client that is done writing."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            got = s.recv(65536)
            if not got:
                break
            out += got
    head, _, payload = out.partition(b"\r\n\r\n")
    first, *rest = head.decode("latin-1").split("\r\n")
    return int(first.split()[1]), {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in rest)}, payload

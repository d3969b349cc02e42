"""Hostile clients on the Wi-Fi (issue 10, item 7): without the token, anyone who
reaches the port can open connections and send half a request. Huge heads, heads or
bodies trickled a byte at a time, more half-requests than the server keeps, more
whole requests than it has workers for, and the open-files limit reached: the page's
own requests must still get through, and memory and CPU stay small.
Every client here is on loopback, every loop is bounded, every socket is closed.
"""
import json
import os
import resource
import select
import socket
import threading
import time

import pytest

from testkit.faultkit import exchange, proc_stats, tally, wait_until
from testkit.serverproc import ServerProcess
from kindlechat.web import httpd, routes as server
from kindlechat import settings

LINE = b"X-Pad: " + b"a" * (64 * 1024 - 10) + b"\r\n"    # a header line of 64 KB


def connect(port, timeout=5):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def closed_by_server(sock, timeout=5):
    """True once the server has closed (or answered and closed) this connection."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def health_seconds(srv):
    started = time.monotonic()
    assert srv.get("/api/health", timeout=10)["ok"]
    return time.monotonic() - started


def test_30_floods_of_huge_headers_keep_memory_small(tmp_path):
    """30 connections, each 99 header lines of 64 KB and then silence, took RSS from 25
    to 211 MB (each head was read whole, in its own thread). Now a head is cut at 32 KiB."""
    srv = ServerProcess(tmp_path / "data", "--demo").start()
    socks = []
    try:
        for _ in range(30):
            sock = connect(srv.port)
            socks.append(sock)
            try:
                sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                for _ in range(99):
                    sock.sendall(LINE)
            except OSError:     # refused part way: the server answered 431 and closed
                pass
        rss_mib = proc_stats(srv.proc.pid)[2] / 1024.0
        took = health_seconds(srv)
        assert rss_mib < 60, rss_mib
        assert took < 2, took
        tally("hostile: 30 floods of 99 x 64 KB header lines", 30,
              note="RSS %.0f MiB, /api/health in %.2f s" % (rss_mib, took))
    finally:
        for sock in socks:
            sock.close()
        srv.stop()


def test_a_trickled_head_ends_at_its_deadline(tmp_path):
    """A byte every so often used to keep a thread for ever (the timeout was per read).
    The head has a deadline as a whole (KINDLECHAT_HEAD_TIMEOUT, 15 s by default)."""
    srv = ServerProcess(tmp_path / "data", "--demo", env={"KINDLECHAT_HEAD_TIMEOUT": "2"}).start()
    try:
        sock = connect(srv.port)
        started, ended = time.monotonic(), False
        with sock:
            sock.sendall(b"GET /api/health HTTP/1.1\r\n")
            for _ in range(120):                 # at most 60 s of trickling
                try:
                    sock.sendall(b"X")
                except OSError:
                    ended = True
                    break
                if closed_by_server(sock, 0.5):
                    ended = True
                    break
        took = time.monotonic() - started
        assert ended and took < 30, took
        assert srv.get("/api/health")["ok"]
        tally("hostile: a head trickled a byte at a time", 1, note="cut after %.1f s (deadline 2 s)" % took)
    finally:
        srv.stop()


def test_a_trickled_body_gets_408_at_its_deadline(tmp_path):
    srv = ServerProcess(tmp_path / "data", "--demo", env={"KINDLECHAT_BODY_TIMEOUT": "2"}).start()
    try:
        started, answer = time.monotonic(), b""
        with connect(srv.port) as sock:
            sock.sendall(b"POST /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{")
            for _ in range(120):                 # at most 60 s of trickling
                if select.select([sock], [], [], 0.5)[0]:
                    answer = exchange_rest(sock)
                    break
                sock.sendall(b" ")
        took = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.0 408"), answer[:200]
        assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["code"] == "timeout"
        assert took < 30, took
        assert srv.get("/api/chats")["chats"] == []
    finally:
        srv.stop()


def test_half_requests_past_the_cap_drop_the_oldest(tmp_path):
    """200 half-requests, more than the 128 the server keeps: the oldest are dropped,
    the server's open files stay bounded, and the page's requests get through."""
    srv = ServerProcess(tmp_path / "data", "--demo").start()
    socks = []
    try:
        base_fds = proc_stats(srv.proc.pid)[1]
        for n in range(200):
            sock = connect(srv.port)
            socks.append(sock)
            sock.sendall(b"GET /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-N: %d\r\n" % n)
        assert wait_until(lambda: proc_stats(srv.proc.pid)[1] <= base_fds + httpd.DEFAULTS.max_pending, 10)
        assert health_seconds(srv) < 2
        assert closed_by_server(socks[0]) and closed_by_server(socks[50])
        socks[-1].sendall(b"\r\n")          # the newest still waits, and is served when it ends
        assert exchange_rest(socks[-1]).startswith(b"HTTP/1.0 200")
        tally("hostile: 200 half-requests held at once", 200, note="oldest dropped past 128")
    finally:
        for sock in socks:
            sock.close()
        srv.stop()


def exchange_rest(sock):
    sock.settimeout(10)
    out = b""
    for _ in range(1000):
        got = sock.recv(65536)
        if not got:
            break
        out += got
    return out


@pytest.fixture
def small_server(tmp_path):
    """An in-process server with 2 workers and long deadlines."""
    chat = server.ChatServer(settings.load(["--data-dir", str(tmp_path), "--port", "0"], environ={}))
    limits = httpd.DEFAULTS._replace(max_workers=2, body_timeout=60.0)
    srv = server.make_server(chat, limits)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_whole_requests_past_the_workers_get_503_at_once(small_server):
    port = small_server.server_address[1]
    health = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    held = [connect(port) for _ in range(2)]
    try:
        for sock in held:     # a whole head, then a body that never comes: a worker waits
            sock.sendall(b"POST /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 10\r\n\r\n{")
        assert wait_until(lambda: small_server.workers._value == 0, 10)
        status, headers, body = exchange(port, health)
        assert status == 503 and headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["code"] == "busy"
    finally:
        for sock in held:
            sock.close()
    assert wait_until(lambda: small_server.workers._value == 2, 10)
    assert exchange(port, health)[0] == 200


def fds_of(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def test_out_of_open_files_accept_backs_off(tmp_path):
    """At the open-files limit, accept fails while the listening socket stays readable:
    retrying at once spun at 100% CPU. Now the loop waits a little between tries."""
    srv = ServerProcess(tmp_path / "data", "--demo").start()
    held = []
    try:
        pid = srv.proc.pid
        limit = fds_of(pid) + 12
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
        # Whole heads whose bodies never come: each holds a worker and a descriptor, so
        # there is no waiting head to drop; the rest wait in the listen queue.
        for _ in range(30):
            sock = connect(srv.port)
            held.append(sock)
            sock.sendall(b"POST /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 10\r\n\r\n{")
        assert wait_until(lambda: fds_of(pid) >= limit - 1, 10), (fds_of(pid), limit)
        time.sleep(0.5)      # the queued connections now meet accept's EMFILE
        before, started = cpu_seconds(pid), time.monotonic()
        time.sleep(3)
        used = cpu_seconds(pid) - before
        assert used < 0.5, (used, time.monotonic() - started)   # a spin takes most of a core
        for sock in held:
            sock.close()
        held = []
        assert wait_until(lambda: fds_of(pid) < limit - 4, 10)
        assert srv.get("/api/health")["ok"]
        tally("hostile: open-files limit reached", 1, note="%.2f s of CPU in 3 s" % used)
    finally:
        for sock in held:
            sock.close()
        srv.stop()

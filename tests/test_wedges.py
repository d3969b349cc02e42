"""Nothing wedged (issue 10): a reply left `streaming` on disk, a reply thread that
can't start, Stop while the upstream is still connecting, replies that never end,
readers that never read, and the API key in upstream text. Each runs a real server
process against a real loopback upstream.
"""
import contextlib
import json
import os
import socket
import subprocess
import threading
import time

import pytest

from kindlechat.records import parse_journal
from kindlechat.replies import MAX_REPLY
from testkit.faultkit import KEY, proc_stats, tally, wait_until
from testkit.gemini_chunks import chunk, event, pieces_of, sse_body
from testkit.serverproc import HTTPFailure, ServerProcess
from testkit.upstream import Reply

CID = "0123456789ab"
# A chat as a kill -9 mid-reply leaves it (the journal format of store.py): the
# reply's message still says "streaming".
STALE_JOURNAL = (
    '{"t":"chat","id":"%s","created":1}\n'
    '{"t":"msg","role":"user","text":"Tell me a story","status":"done"}\n'
    '{"t":"msg","role":"model","text":"Once upon a","status":"streaming"}\n' % CID)


def rss_mib(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise AssertionError("no %s for %d" % (field, pid))


@contextlib.contextmanager
def read_only(folder):
    """folder read-only for the block, as in USB mode: a read-only bind mount (root
    ignores file modes, so chmod would not do)."""
    if os.geteuid() != 0:
        pytest.skip("needs root for a read-only bind mount")
    if subprocess.run(["mount", "--bind", folder, folder], capture_output=True).returncode != 0:
        pytest.skip("can't bind-mount here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
        yield lambda: subprocess.run(["umount", folder], check=True)
    finally:
        subprocess.run(["umount", folder], capture_output=True)


def test_a_reply_left_streaming_on_a_read_only_disk_reads_as_interrupted(tmp_path):
    data = tmp_path / "data"
    (data / "chats").mkdir(parents=True)
    journal = data / "chats" / (CID + ".jsonl")
    journal.write_text(STALE_JOURNAL)
    srv = ServerProcess(data, "--demo")
    with read_only(str(data)) as writable:
        srv.start()
        try:
            message = srv.get("/api/chats/" + CID)["messages"][1]
            assert message["status"] == "interrupted" and message["text"] == "Once upon a"
            started = time.monotonic()
            answer = srv.get("/api/chats/%s/messages/1?from=0&wait=20" % CID)
            assert answer["status"] == "interrupted" and answer["error"]["code"] == "interrupted"
            assert time.monotonic() - started < 15   # answered, not held for the whole wait
            assert srv.post("/api/chats/%s/messages/1/stop" % CID)["stopped"] is True
            writable()
            # the disk is back: the next send marks the old reply on disk, then goes on
            index = srv.send(CID, "echo: and then?")
            assert srv.read_reply(CID, index)["text"] == "and then?"
        finally:
            srv.stop()
    statuses = [m["status"] for m in parse_journal(journal.read_bytes(), CID)["messages"]]
    assert "streaming" not in statuses and statuses[1] == "interrupted"
    tally("wedge: a reply left streaming, data folder read-only at start, then writable", 1,
          note="polled: interrupted at once (was: streaming, 7,504 polls in 5 s)")


@contextlib.contextmanager
def thread_limit(pid):
    """A pids cgroup around the process: set(n) allows n more tasks than it has now."""
    base = "/sys/fs/cgroup/pids"
    if os.geteuid() != 0 or not os.path.isdir(base):
        pytest.skip("needs root and the pids cgroup to limit a process's threads")
    group = os.path.join(base, "kindlechat-test-%d" % os.getpid())
    os.makedirs(group, exist_ok=True)
    try:
        with open(os.path.join(group, "cgroup.procs"), "w") as f:
            f.write(str(pid))

        def current():
            with open(os.path.join(group, "pids.current")) as f:
                return int(f.read())

        def allow(more):
            with open(os.path.join(group, "pids.max"), "w") as f:
                f.write("max" if more is None else str(current() + more))
        yield allow, current
    finally:
        if os.path.exists("/proc/%d" % pid):
            with open(os.path.join(base, "cgroup.procs"), "w") as f:
                f.write(str(pid))   # back to the root group, so ours can go
        os.rmdir(group)


def test_a_reply_thread_that_cannot_start_leaves_the_chat_usable(tmp_path):
    srv = ServerProcess(tmp_path / "data", "--demo").start()
    try:
        cid = srv.new_chat()
        with thread_limit(srv.proc.pid) as (allow, current):
            idle = current()
            allow(1)   # the request's own thread may start; the reply's may not
            with pytest.raises(HTTPFailure) as failed:
                srv.send(cid, "echo: first")
            assert failed.value.status == 503 and failed.value.body["error"]["code"] == "no_thread"
            assert wait_until(lambda: current() <= idle, 10)
            allow(None)
            assert [m["role"] for m in srv.get("/api/chats/" + cid)["messages"]] == ["user"]
            index = srv.send(cid, "echo: second")
            assert srv.read_reply(cid, index)["text"] == "second"
        srv.request("DELETE", "/api/chats/" + cid, {})
    finally:
        srv.stop()
    tally("wedge: a reply's thread can't start (pids cgroup limit)", 1, note="503 no_thread; the chat goes on")


@pytest.fixture
def syn_drop():
    """A loopback port whose accept queue is full, so a connect's SYNs are dropped
    and connect() hangs, as on a half-up Wi-Fi."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = socket.create_connection(listener.getsockname())   # fills the queue of 0 (+1)
    yield "http://127.0.0.1:%d" % listener.getsockname()[1]
    filler.close()
    listener.close()


def test_stop_while_connecting_ends_at_once_and_holds_no_lock(tmp_path, syn_drop):
    srv = ServerProcess(tmp_path / "data", "--gemini-url", syn_drop, "--connect-timeout", "40",
                        env={"GEMINI_API_KEY": KEY}).start()
    try:
        stuck, other = srv.new_chat(), srv.new_chat()
        index = srv.send(stuck, "Hello?")
        time.sleep(0.5)   # the reply's thread is in connect() now
        started = time.monotonic()
        assert srv.post("/api/chats/%s/messages/%d/stop" % (stuck, index))["stopped"] is True
        took = time.monotonic() - started
        assert took < 10      # not the 40 s connect timeout
        assert srv.get("/api/chats/%s/messages/%d?from=0" % (stuck, index))["status"] == "stopped"
        # Delete stops a second connecting reply; a send to another chat meanwhile
        # does not wait for it (no lock is held across the stop).
        index = srv.send(stuck, "Hello again?")
        time.sleep(0.5)
        order = []
        deleting = threading.Thread(target=lambda: (srv.request("DELETE", "/api/chats/" + stuck, {}),
                                                    order.append("deleted")))
        deleting.start()
        time.sleep(0.3)
        srv.send(other, "Anyone?")
        order.append("sent")
        deleting.join(30)
        assert order == ["sent", "deleted"]
    finally:
        srv.stop()
    tally("wedge: Stop and Delete while Gemini is still connecting (SYNs dropped)", 2,
          note="Stop took %.1f s (was 10 s, left streaming); another chat's send not held" % took)


def test_slow_readers_of_a_long_reply_hold_bounded_memory(tmp_path, upstream):
    text = "".join("line %07d of a long reply\n" % i for i in range(2000000 // 26 + 1))[:2000000]
    upstream.script(Reply(body=sse_body(pieces_of(text, 800))))
    srv = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url, env={"GEMINI_API_KEY": KEY}).start()
    readers = []
    try:
        cid = srv.new_chat()
        index = srv.send(cid, "Write a lot")
        answer = srv.read_reply(cid, index, wait=20)   # a reader that reads: all of it, in order
        assert answer["status"] == "done" and answer["text"] == text
        before = rss_mib(srv.proc.pid)
        for n in range(20):   # ask for all of it, then never read a byte
            path = "/api/chats/%s/messages/%d%s" % (cid, index, "/events" if n % 2 else "?from=0")
            sock = socket.create_connection(("127.0.0.1", srv.port))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
            readers.append(sock)
        peak = max(rss_mib(srv.proc.pid) for _ in range(30) if time.sleep(0.1) is None)
        assert peak - before <= 40, (before, peak)
        grew = peak - before
        assert srv.get("/api/health")["ok"]
    finally:
        for sock in readers:
            sock.close()
        srv.stop()
    tally("memory: 20 clients that never read a finished 2 M-character reply", 20,
          note="RSS +%.1f MiB (bound 40; was +105)" % grew)


def test_an_upstream_that_never_ends_is_cut_at_the_size_cap(tmp_path, upstream):
    text = "all work and no play makes a reply never end. " * 120000   # 5.6 M characters
    upstream.script(Reply(body=sse_body(pieces_of(text, 18000), finish=None)))
    srv = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url, env={"GEMINI_API_KEY": KEY}).start()
    try:
        cid = srv.new_chat()
        index = srv.send(cid, "Go on")
        answer = srv.read_reply(cid, index, wait=20, limit=120)
        assert answer["status"] == "error" and answer["error"]["code"] == "reply_too_long"
        assert MAX_REPLY < len(answer["text"]) < MAX_REPLY + 400 and text.startswith(answer["text"])
        peak = rss_mib(srv.proc.pid, "VmHWM")
        assert peak < 150, peak
        stored = srv.get("/api/chats/" + cid)["messages"][index]
        assert stored["text"] == answer["text"] and stored["error"]["code"] == "reply_too_long"
    finally:
        srv.stop()
    tally("memory: an upstream that never ends (5.6 M characters, no finishReason)", 1,
          note="ended at the 5 M cap, peak RSS %.0f MiB (bound 150)" % peak)


def test_the_key_in_finish_message_or_usage_is_masked_before_stored_or_shown(tmp_path, upstream):
    last = chunk("", finish="SAFETY")
    last["candidates"][0]["finishMessage"] = "Request with key %s stopped" % KEY
    last["usageMetadata"] = {"promptTokenCount": 3, "note": "key=" + KEY}
    upstream.script(Reply(body=event(chunk("Some text")) + event(last)))
    srv = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url, env={"GEMINI_API_KEY": KEY}).start()
    try:
        cid = srv.new_chat()
        index = srv.send(cid, "hi")
        answer = srv.read_reply(cid, index)
        shown = json.dumps([answer, srv.get("/api/chats/" + cid)])
        assert "stopped" in answer["finish"]["message"] and answer["usage"]["promptTokenCount"] == 3
    finally:
        srv.stop()
    on_disk = (tmp_path / "data" / "chats" / (cid + ".jsonl")).read_text()
    assert KEY not in shown and KEY not in on_disk and KEY not in srv.output()
    assert "(your API key)" in shown
    tally("security: the API key inside finishMessage and usageMetadata", 1, note="masked before stored or shown")

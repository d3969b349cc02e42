"""sleepwatch.py (issue 25, must 3): a reply waiting for the network is woken by the
Kindle's connectionAvailable, heard through a real lipc-wait-event (here a script on
PATH that records its arguments and returns as the event comes). The watch's sleep
check itself runs in tests/test_continuation.py, on a server process stopped with
SIGSTOP."""
import os
import time

from kindlechat.replies import Reply
from kindlechat.device.sleepwatch import LATE, Watch, boottime


def test_the_boot_clock_runs_with_the_monotonic_one_while_awake():
    # each boot reading sandwiched between two monotonic ones: a busy core that parks the
    # test between two calls widens the window instead of failing the test
    m0a, b0, m0b = time.monotonic(), boottime(), time.monotonic()
    time.sleep(0.2)
    m1a, b1, m1b = time.monotonic(), boottime(), time.monotonic()
    assert (m1a - m0b) - 0.05 <= b1 - b0 <= (m1b - m0a) + 0.05
    assert LATE >= 2   # a late look is a sleep, not a busy core


def test_a_waiting_reply_is_woken_by_connection_available(tmp_path, monkeypatch):
    seen = tmp_path / "args"
    tool = tmp_path / "lipc-wait-event"
    tool.write_text('#!/bin/sh\necho "$*" >%s\nsleep 0.3\n' % seen)   # the event comes 0.3 s later
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    reply = Reply("c", 1, None)
    watch = Watch()
    watch.waiting(reply)
    assert reply.wake.wait(10), "connectionAvailable did not wake the waiting reply"
    assert seen.read_text().split() == ["com.lab126.cmd", "connectionAvailable"]
    watch.waiting(reply, False)


def test_without_lipc_wait_event_nothing_is_started(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    reply = Reply("c", 1, None)
    watch = Watch()
    watch.waiting(reply)
    assert watch._lipc is None and not reply.wake.wait(0.2)


def test_a_failing_lipc_wait_event_wakes_nobody(tmp_path, monkeypatch):
    tool = tmp_path / "lipc-wait-event"
    tool.write_text('#!/bin/sh\necho "no such publisher" >&2\nexit 1\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    reply = Reply("c", 1, None)
    watch = Watch()
    watch.waiting(reply)
    assert not reply.wake.wait(1.0)   # the probes' backoff goes on, not a loop of failing tools
    watch.waiting(reply, False)

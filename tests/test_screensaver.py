"""screensaver.py (issue 25, must 1): the screensaver is kept away while a reply
streams or a phone types, counted, and given back a grace after the last; the
command is run for real (a lipc-set-prop script on PATH that records its calls)."""
import os
import time

from kindlechat.device.screensaver import Guard, lipc_runner
from kindlechat.web.link import Phone


def until(check, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.01)
    return check()


def test_counted_holds_call_once_and_give_back_after_the_grace():
    calls = []
    guard = Guard(grace=0.05, run=calls.append)
    guard.clear()
    guard.hold()            # a reply streams
    guard.hold()            # and another
    guard.release()
    assert calls == [0, 1]  # one still streams
    guard.release()
    assert calls == [0, 1]  # the grace has not passed
    assert until(lambda: calls == [0, 1, 0])


def test_a_hold_within_the_grace_calls_nothing():
    calls = []
    guard = Guard(grace=0.5, run=calls.append)
    guard.hold()
    guard.release()
    guard.hold()            # the continuation, or the next question, comes at once
    guard.release()
    guard.settle()
    assert calls == [1, 0]


def test_a_phone_keeps_it_away_while_it_types_then_gives_it_back():
    calls = []
    guard = Guard(grace=0.0, run=calls.append)
    phone = Phone({"host": "192.168.1.23", "port": 8642, "token": "t"},
                  typing=lambda: guard.touch("phone", 0.2))
    phone.seen_request("/api/chats", "1")
    phone.seen_request("/api/chats/ab/messages", "1")    # a second request renews, calls nothing
    phone.seen_request("/api/chats", None)               # the Kindle's own page is no phone
    assert calls == [1]
    assert until(lambda: calls == [1, 0])


def test_the_command_is_lipc_set_prop_on_powerd_without_our_library_path(tmp_path, monkeypatch):
    log = tmp_path / "calls"
    tool = tmp_path / "bin" / "lipc-set-prop"
    tool.parent.mkdir()
    tool.write_text('#!/bin/sh\nprintf "%%s|%%s\\n" "$*" "${LD_LIBRARY_PATH-}" >>%s\n' % log)
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tool.parent) + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("LD_LIBRARY_PATH", "/mnt/us/python3/lib")
    out = tmp_path / "log"
    with open(out, "w") as f:
        run = lipc_runner("/mnt/us", f)
        run(1)
        run(0)
    assert log.read_text().splitlines() == ["com.lab126.powerd preventScreenSaver 1|",
                                            "com.lab126.powerd preventScreenSaver 0|"]
    assert "lipc-set-prop com.lab126.powerd preventScreenSaver 1" in out.read_text()


def test_without_lipc_set_prop_nothing_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "log"
    with open(out, "w") as f:
        lipc_runner("/mnt/us", f)(1)
    assert out.read_text() == ""

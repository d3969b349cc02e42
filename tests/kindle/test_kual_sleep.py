"""Sleep like a Kindle (issue 25), in the emulated Kindle of the KUAL tests
(testkit/kindle_fakes.py): the fake lipc-set-prop records every call, so the
screensaver's calls are seen across a reply, a Stop and a kill -9; and a question
whose reply is cut twice (demo:sleep) comes back whole, with no tap."""
import os
import signal
import time

import pytest

from kindlechat.demo.emulator import answer_for
from testkit.kindle_fakes import Kindle, built_zip, http_json
from test_kual_extension import wait_reply

SCREENSAVER = ["lipc-set-prop", "com.lab126.powerd", "preventScreenSaver"]
FAST = {"KINDLECHAT_SCREENSAVER_GRACE": "0.2", "KINDLECHAT_RECONNECT_WAIT": "0.05",
        "KINDLECHAT_FOLLOW_UPS": "0"}


@pytest.fixture(scope="module")
def kindle_zip(tmp_path_factory):
    return built_zip(tmp_path_factory)


@pytest.fixture
def kindle(tmp_path, kindle_zip):
    k = Kindle(tmp_path, kindle_zip)
    yield k
    k.cleanup()


def screensaver(kindle):
    """The values given to preventScreenSaver so far, in order."""
    return [c[3] for c in kindle.calls("lipc-set-prop") if c[:3] == SCREENSAVER]


def ask(kindle, text):
    base = "http://127.0.0.1:%d" % kindle.port
    status, chat = http_json(base + "/api/chats", "POST", {})
    assert status in (200, 201), chat
    status, posted = http_json(base + "/api/chats/%s/messages" % chat["id"], "POST", {"text": text})
    assert status == 202, posted
    return base, chat["id"], posted["index"]


def settled(kindle, count, timeout=10):
    """The screensaver calls once there are count of them (the grace's 0 comes late)."""
    deadline = time.time() + timeout
    while time.time() < deadline and len(screensaver(kindle)) < count:
        time.sleep(0.05)
    return screensaver(kindle)


def prop_becomes(kindle, value, timeout=10):
    """True once the fake powerd holds value (the fake writes it after recording its call)."""
    deadline = time.time() + timeout
    while time.time() < deadline and kindle.prop("com.lab126.powerd", "preventScreenSaver") != value:
        time.sleep(0.05)
    return kindle.prop("com.lab126.powerd", "preventScreenSaver") == value


def test_the_screensaver_is_kept_away_only_while_a_reply_streams(kindle):
    kindle.start(**FAST)
    # Start: the script gives back what a killed run left, then the server does too.
    assert screensaver(kindle) == ["0", "0"]
    base, cid, index = ask(kindle, "Hello Kindle")
    assert wait_reply(base, cid, index)[0] == "done"
    assert settled(kindle, 4) == ["0", "0", "1", "0"]
    assert prop_becomes(kindle, "0")
    log = open(os.path.join(kindle.data, "kindlechat.log")).read()
    assert "kindlechat: lipc-set-prop com.lab126.powerd preventScreenSaver 1" in log
    kindle.stop()
    assert screensaver(kindle)[-1] == "0"


def test_a_reply_cut_twice_by_sleep_comes_back_whole_with_no_tap(kindle):
    kindle.start(**FAST)
    before = screensaver(kindle)
    assert set(before) == {"0"} and prop_becomes(kindle, "0")            # allowed before the question
    question = "demo:sleep Why is the sea salty?"
    base, cid, index = ask(kindle, question)
    status, text = wait_reply(base, cid, index)
    assert status == "done"
    assert text == answer_for(question)        # the same text as with no cut: nothing lost or repeated
    calls = settled(kindle, len(before) + 2)
    assert calls[len(before)] == "1" and calls[-1] == "0"   # allowed again after the reply
    assert prop_becomes(kindle, "0")


def test_a_kill_mid_reply_is_cleared_by_the_next_start_and_by_stop(kindle):
    slow = dict(FAST, KINDLECHAT_DEMO_TPS="3")
    kindle.start(**slow)
    pid = kindle.server_pid()
    ask(kindle, "demo:long")
    assert settled(kindle, 3)[-1] == "1"                                   # a reply streams
    os.kill(pid, signal.SIGKILL)
    assert kindle.wait_gone(pid)
    assert screensaver(kindle)[-1] == "1"                                  # nobody gave it back
    assert prop_becomes(kindle, "1")
    kindle.start(**FAST)
    assert screensaver(kindle)[-2:] == ["0", "0"]                          # the next start did
    assert prop_becomes(kindle, "0")
    kindle.stop()
    assert screensaver(kindle)[-1] == "0"

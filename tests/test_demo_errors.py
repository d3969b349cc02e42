"""Every error case reaches the API as a clear message with the partial text kept,
shown with the built-in emulator's trigger messages (README "Demo mode")."""
import re

import pytest

from kindlechat import errors
from testkit.serverproc import ServerProcess


def sentences(note):
    return [s.strip() for s in re.split(r"(?<=[.!?;])\s+", note) if s.strip()]


def assert_says_each_thing_once(note):
    said = sentences(note)
    assert len(said) == len(set(said)), "a sentence repeats in: %r" % note

CASES = {
    "demo:429": ("error", "rate_limited", "26 seconds", False),
    "demo:badkey": ("error", "api_key_invalid", "API key", False),
    "demo:404": ("error", "model_unavailable", "model", False),
    "demo:503": ("error", "overloaded", "overloaded", False),
    "demo:blocked": ("error", "blocked", "SAFETY", False),
    "demo:drop": ("error", "dropped", "text so far is kept", True),
    "demo:midstream": ("error", "overloaded", "overloaded", True),
    "demo:portal": ("error", "not_event_stream", "Wi-Fi logged in", False),
    "demo:stall": ("error", "stalled", "sent nothing for 1 seconds", True),
}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """A demo server with a 1 s read timeout, so demo:stall ends quickly."""
    s = ServerProcess(tmp_path_factory.mktemp("demo") / "data", "--demo", "--read-timeout", "1",
                      "--throttle-ms", "0").start()
    yield s
    s.stop()


@pytest.mark.parametrize("trigger", sorted(CASES))
def test_error_case(srv, trigger):
    status, code, words, partial = CASES[trigger]
    cid = srv.new_chat()
    answer = srv.read_reply(cid, srv.send(cid, trigger + " please"))
    assert (answer["status"], answer["error"]["code"]) == (status, code)
    assert words in answer["error"]["message"]
    assert_says_each_thing_once(answer["error"]["message"] + " " + answer.get("finish", {}).get("message", ""))
    assert bool(answer["text"]) == partial
    stored = srv.get("/api/chats/" + cid)["messages"]
    assert stored[0]["text"] == trigger + " please"          # the user's message is never lost
    assert stored[1]["text"] == answer["text"] and stored[1]["error"]["code"] == code
    assert srv.get("/api/health")["ok"]


def test_finish_notes_and_thoughts(srv):
    cid = srv.new_chat()
    answer = srv.read_reply(cid, srv.send(cid, "demo:maxtokens"))
    assert answer["status"] == "done" and answer["finish"]["reason"] == "MAX_TOKENS" and answer["text"]
    index = srv.send(cid, "demo:thoughts")
    srv.read_reply(cid, index)
    a = srv.get("/api/chats/%s/messages/%d?from=0&tfrom=0" % (cid, index))
    assert a["thoughts"].startswith("**Thinking") and "Thinking" not in a["text"]


def test_long_reply(srv):
    cid = srv.new_chat()
    answer = srv.read_reply(cid, srv.send(cid, "demo:long"))
    assert answer["status"] == "done" and answer["text"].count("### Part") == 40


def test_no_error_note_of_errors_py_repeats_a_sentence():
    """Every note errors.py can make, with the notes that go beside it (a finish note
    and the damaged-reply note), says each sentence once."""
    notes = [errors.for_status(code, "Detail here.", mid_stream=mid).message
             for code in (400, 401, 403, 404, 429, 499, 500, 503, 504, 418) for mid in (False, True)]
    notes += [e.message for e in (errors.dropped(), errors.unreadable(), errors.stalled(30),
                                  errors.interrupted(), errors.reply_too_long(2000000), errors.internal("KeyError"),
                                  errors.no_thread(), errors.damaged_chat(), errors.blocked("SAFETY", "why"),
                                  errors.not_event_stream(200, "<html>"),
                                  errors.storage(OSError(28, "No space left on device")),
                                  errors.storage(OSError(2, "No such file or directory")))]
    notes += [errors.damaged_note(errors.finish_note(r, "A message."))["message"]
              for r in ("MAX_TOKENS", "SAFETY", "RECITATION", "OTHER")]
    for note in notes:
        assert_says_each_thing_once(note)

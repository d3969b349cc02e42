"""A reply cut by sleep or a network drop completes by itself (issue 25, musts 2, 3
and 5): a real server process against a scripted loopback Gemini (testkit/upstream.py)
that cuts the stream at every kind of point, answers continuations that repeat the
last words, fails some of them, goes away and comes back, and a server process
stopped (SIGSTOP) for longer than its sleep window while its connection went dead.
Each must end with the stored text the partial text followed by the rest, nothing
lost or repeated, and no tap."""
import json
import os
import signal
import time

import pytest

from kindlechat.providers.resume_turns import CONTINUE
from testkit.faultkit import KEY
from testkit.gemini_chunks import chunk, event, event_split, numbered_text, sse_body
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream

FULL = numbered_text(60)                  # "w1 w2 ... w60."
WORDS = FULL.split(" ")
PIECES = [w + " " for w in WORDS[:-1]] + [WORDS[-1]]   # one event a word
CUT = 25                                  # words sent before a cut
SAID = "".join(PIECES[:CUT])              # the partial text a cut leaves
REPEAT = 4                                # words a continuation says again


def continuing(repeat=REPEAT, then=None):
    """A continuation made from the request, as a model makes it: the rest of FULL
    after the partial reply the request carries, started repeat words back (what the
    server really got: a reset may lose what was in flight). then(pieces): the Reply
    to send instead of the whole rest (cut again)."""
    def reply(request):
        turns = sent_turns(request)
        partial = turns[-2][1] if len(turns) > 1 and turns[-1] == ("user", CONTINUE) else ""
        assert FULL.startswith(partial), partial
        done = len(partial.split())
        pieces = PIECES[max(0, done - repeat):] if partial else PIECES
        return then(pieces) if then else Reply(body=sse_body(pieces))
    return reply


CONTINUED = continuing()
# Tests shrink the windows: the waits between continuations and the sleep check.
CONTINUING = {"GEMINI_API_KEY": KEY, "KINDLECHAT_RECONNECT_TRIES": "4", "KINDLECHAT_RECONNECT_WAIT": "0.05",
              "KINDLECHAT_NETWORK_WAIT": "60", "KINDLECHAT_SLEEP_CHECK": "0.2", "KINDLECHAT_FOLLOW_UPS": "0"}


@pytest.fixture(scope="module")
def up():
    server = Upstream().start()
    yield server
    server.stop()


def serve(path, up, **env):
    return ServerProcess(path, "--gemini-url", up.url, "--throttle-ms", "0",
                         env=dict(CONTINUING, **env)).start()


@pytest.fixture(scope="module")
def srv(up, tmp_path_factory):
    server = serve(tmp_path_factory.mktemp("continuation") / "data", up)
    yield server
    server.stop()


def ask(srv, up, *replies):
    up._replies.clear()
    del up.requests[:]
    up.script(*replies)
    cid = srv.new_chat()
    index = srv.send(cid, "Count for me")
    return cid, index, srv.read_reply(cid, index, limit=60)


def sent_turns(request):
    return [(c["role"], c["parts"][0]["text"]) for c in json.loads(request["body"])["contents"]]


def wait_for(server, cid, index, ready, limit=30):
    """The first poll answer (text from 0) for which ready() holds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        polled = server.get("/api/chats/%s/messages/%d?from=0&wait=1" % (cid, index))
        if ready(polled):
            return polled
        time.sleep(0.05)
    raise AssertionError("not reached in %ss: %r" % (limit, polled))


def check_whole(srv, cid, index, answer):
    assert answer["status"] == "done", answer
    assert answer["text"] == FULL
    assert srv.get("/api/chats/%s" % cid)["messages"][index]["text"] == FULL


EVENTS = [event(chunk(p)) for p in PIECES]


def cut_mid_event():
    """The first CUT events whole, then half of the next one, then a reset."""
    body = b"".join(EVENTS[:CUT + 1])
    cut = len(b"".join(EVENTS[:CUT])) + len(EVENTS[CUT]) // 2
    return Reply(body=body, pieces=[body[:cut], body[cut:]], drop_after=1)


CUTS = {
    "between events": lambda: Reply(body=b"".join(EVENTS), pieces=event_split(b"".join(EVENTS)), drop_after=CUT),
    "mid-event": cut_mid_event,
    "closed cleanly mid-stream": lambda: Reply(body=b"".join(EVENTS[:CUT]), framing="close"),
}


@pytest.mark.parametrize("how", sorted(CUTS))
def test_a_cut_reply_completes_with_the_repeat_dropped(srv, up, how):
    cid, index, answer = ask(srv, up, CUTS[how](), CONTINUED)
    check_whole(srv, cid, index, answer)
    assert len(up.requests) == 2
    # The continuation carries the partial reply as the model's turn, then asks to go on
    # (a reset may lose what was still in flight: the partial text is what arrived).
    turns = sent_turns(up.requests[1])
    if len(turns) > 1:
        assert turns[0] == ("user", "Count for me") and turns[2] == ("user", CONTINUE)
        assert turns[1][0] == "model" and SAID.startswith(turns[1][1])
    else:
        assert turns == [("user", "Count for me")]   # nothing arrived: asked again as it was
    assert "error" not in answer


def test_a_cut_after_the_headers_asks_again_as_it_was(srv, up):
    cid, index, answer = ask(srv, up, Reply(body=b"".join(EVENTS), pieces=[b"".join(EVENTS)], drop_after=0),
                             Reply(body=sse_body(PIECES)))
    check_whole(srv, cid, index, answer)
    assert sent_turns(up.requests[1]) == [("user", "Count for me")]


def test_a_cut_before_the_first_byte_asks_again(srv, up):
    cid, index, answer = ask(srv, up, Reply(drop_before_head=True), Reply(body=sse_body(PIECES)))
    check_whole(srv, cid, index, answer)
    assert len(up.requests) == 2


def test_a_cut_after_a_thought_keeps_the_thought_and_completes(srv, up):
    thought = event(chunk("Counting slowly.", thought=True))
    body = thought + b"".join(EVENTS)
    cid, index, answer = ask(srv, up, Reply(body=body, pieces=[thought, b"".join(EVENTS)], drop_after=1),
                             Reply(body=sse_body(PIECES)))
    check_whole(srv, cid, index, answer)


def test_a_continuation_that_repeats_nothing_joins_as_it_is(srv, up):
    cid, index, answer = ask(srv, up, CUTS["between events"](), continuing(repeat=0))
    check_whole(srv, cid, index, answer)


def test_a_continuation_that_restarts_the_sentence_with_other_spacing(srv, up):
    def again(pieces):   # the whole text so far again, spaced otherwise
        return Reply(body=sse_body(["  ".join(WORDS[:-len(pieces)]) + "\n" + "".join(pieces)]))
    cid, index, answer = ask(srv, up, CUTS["between events"](), continuing(repeat=0, then=again))
    check_whole(srv, cid, index, answer)


def test_a_continuation_that_fails_twice_then_works(srv, up):
    cid, index, answer = ask(srv, up, CUTS["between events"](),
                             Reply(drop_before_head=True),                                        # no answer
                             Reply(status=503, body=b'{"error": {"code": 503, "message": "overloaded",'
                                   b' "status": "UNAVAILABLE"}}', content_type="application/json"),
                             CONTINUED)
    check_whole(srv, cid, index, answer)
    assert len(up.requests) == 4
    assert "reconnecting" in answer["statuses"] or answer["statuses"] == ["streaming", "done"]


def test_after_the_tries_it_ends_as_cut_with_the_text_kept(srv, up):
    # a clean close, not a reset: a reset may lose every byte still in flight, and then
    # there would be no text to keep (what this test is about)
    cid, index, answer = ask(srv, up, CUTS["closed cleanly mid-stream"](), Reply(drop_before_head=True))
    assert answer["status"] == "error" and answer["error"]["code"] == "dropped"
    assert SAID.startswith(answer["text"]) and answer["text"]
    assert len(up.requests) == 1 + 4                       # reconnect_tries continuations, no more
    stored = srv.get("/api/chats/%s" % cid)["messages"][index]
    assert stored["text"] == answer["text"] and stored["error"]["code"] == "dropped"


def test_it_waits_for_the_network_and_goes_on_when_it_is_back(tmp_path):
    first = Upstream().start()
    port = first._server.server_address[1]
    server = serve(tmp_path / "data", first, KINDLECHAT_RECONNECT_WAIT="0.2")
    try:
        first.script(Reply(body=b"".join(EVENTS), pieces=event_split(b"".join(EVENTS)), stall_after=CUT))
        cid = server.new_chat()
        index = server.send(cid, "Count for me")
        wait_for(server, cid, index, lambda polled: polled["text"] == SAID)
        first.stop()                          # the Wi-Fi goes: the connection drops, connections are refused
        polled = wait_for(server, cid, index, lambda polled: polled["status"] == "reconnecting")
        assert polled["text"] == SAID
        back = Upstream(port=port).start()    # the network comes back
        try:
            back.script(CONTINUED)
            answer = server.read_reply(cid, index, limit=60)
            check_whole(server, cid, index, answer)
            assert sent_turns(back.requests[0]) == [("user", "Count for me"), ("model", SAID), ("user", CONTINUE)]
        finally:
            back.stop()
    finally:
        server.stop()


def test_stop_while_it_waits_ends_it_stopped_with_the_text_kept(tmp_path):
    gone = Upstream().start()
    server = serve(tmp_path / "data", gone, KINDLECHAT_RECONNECT_WAIT="5")
    try:
        gone.script(Reply(body=b"".join(EVENTS), pieces=event_split(b"".join(EVENTS)), stall_after=CUT))
        cid = server.new_chat()
        index = server.send(cid, "Count for me")
        wait_for(server, cid, index, lambda polled: polled["text"] == SAID)
        gone.stop()
        wait_for(server, cid, index, lambda polled: polled["status"] == "reconnecting")
        server.post("/api/chats/%s/messages/%d/stop" % (cid, index))
        answer = server.read_reply(cid, index, limit=10)
        assert answer["status"] == "stopped" and answer["text"] == SAID
    finally:
        server.stop()


def test_a_server_stopped_past_its_sleep_window_drops_the_dead_connection(tmp_path, up):
    """The simulated suspend: the upstream goes silent mid-reply (a socket whose Wi-Fi
    went away sends no reset), the server process is stopped for longer than its sleep
    window, then continued. It must notice at once, not after the 120 s read timeout."""
    server = serve(tmp_path / "data", up)
    try:
        up._replies.clear()
        up.script(Reply(body=b"".join(EVENTS), pieces=event_split(b"".join(EVENTS)), stall_after=CUT,
                        stall_seconds=300), CONTINUED)
        cid = server.new_chat()
        index = server.send(cid, "Count for me")
        polled = wait_for(server, cid, index, lambda polled: polled["text"] == SAID)
        assert polled["status"] == "streaming"
        os.kill(server.proc.pid, signal.SIGSTOP)   # the Kindle sleeps
        try:
            time.sleep(3)                            # > sleep_check x 4 (0.8 s here; 8 s on a Kindle)
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        # read_timeout is 120 s: an answer well before it means the watch cut the stale read.
        answer = server.read_reply(cid, index, limit=30)
        check_whole(server, cid, index, answer)
    finally:
        server.stop()


@pytest.mark.parametrize("kind,last_role", [("gemini", "user"), ("openai", "user"),
                                            ("anthropic", "assistant"), ("ollama", "assistant")])
def test_every_kind_continues_a_cut_reply_its_own_way(tmp_path, kind, last_role):
    """Through the demo emulator, which speaks each kind's wire format: Gemini and
    OpenAI are asked by instruction, Anthropic and Ollama by prefill (resume_turns.py)."""
    from kindlechat import settings
    from kindlechat.demo.emulator import Emulator, answer_for
    from kindlechat.service import ChatServer
    emu = Emulator(tokens_per_second=0, first_delay=0).start()
    try:
        s = settings.load(["--data-dir", str(tmp_path), "--demo"], environ={})
        s.update(follow_ups=False, reconnect_wait=0.05)
        if kind != "gemini":
            s.update(profile="P", profiles={"P": {"kind": kind, "base_url": "http://x", "model": "m",
                                                  "api_key": "k", "options": {}}})
        chat = ChatServer(s, emu)
        cid = chat.store.create()
        reply = chat.replies.get(cid, chat.send(cid, "demo:sleep the whale"))
        assert reply.finished.wait(30)
        assert reply.status == "done" and reply.tries == (2 if kind == "gemini" else 1)
        assert reply.text.since(0) == answer_for("demo:sleep the whale")
        sent = emu.requests[-1]
        turns = sent.get("contents") or sent["messages"]
        assert turns[-1]["role"] == last_role
    finally:
        emu.stop()


def test_demo_drop_keeps_failing_and_ends_in_its_error(tmp_path):
    """demo:drop shows how a cut that never recovers looks: tries, then the error."""
    from kindlechat import settings
    from kindlechat.demo.emulator import Emulator
    from kindlechat.service import ChatServer
    emu = Emulator(tokens_per_second=0, first_delay=0).start()
    try:
        s = settings.load(["--data-dir", str(tmp_path), "--demo"], environ={})
        s.update(follow_ups=False, reconnect_wait=0.01)
        chat = ChatServer(s, emu)
        cid = chat.store.create()
        reply = chat.replies.get(cid, chat.send(cid, "demo:drop"))
        assert reply.finished.wait(30)
        assert reply.status == "error" and reply.error["code"] == "dropped" and reply.tries == 4
        assert reply.text.length > 0
    finally:
        emu.stop()


def test_the_status_shown_changes_at_most_once_a_throttle_interval():
    """e-ink: streaming <-> reconnecting is shown at most once per throttle interval
    (a reply that is back at once never flickers); its end is shown at once."""
    from kindlechat.replies import Reply
    slow = Reply("c", 1, None, throttle=3600.0)
    slow.status = "reconnecting"
    assert slow.state()["status"] == "streaming"      # changed within the interval: not shown yet
    slow.status = "streaming"
    assert slow.state()["status"] == "streaming"
    slow.status = "done"
    assert slow.state()["status"] == "done"            # an end is never held
    quick = Reply("c", 2, None, throttle=0.0)
    quick.status = "reconnecting"
    assert quick.state()["status"] == "reconnecting"

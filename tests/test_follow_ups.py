"""Follow-ups (issue 15.2, src/kindlechat/follow_ups.py): cut out of the reply's text at
every split point, by character (the text deltas) and by byte (the HTTP chunks, through
a real loopback server in Gemini's and OpenAI's wire formats, the transport, the
decoder and the replies), never changing or holding up the reply's own text; stored
with the message, and old journals still load; end to end in demo mode."""
import json
import os

import pytest

from kindlechat.demo import emulator
from kindlechat import follow_ups, records
from kindlechat.providers import gemini, openai_chat, transport
from kindlechat.follow_ups import MARKER, Splitter
from kindlechat.replies import Replies
from kindlechat.store import Store
from kindlechat.providers.stream import ReplyStream
from testkit.gemini_chunks import sse_body
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream, split

ANSWER = "Light scatters: **blue** more than red — Rayleigh [1]. See [[notes]] too.\n\n"
QUESTIONS = ["Why is the sunset red?", "Does this happen on Mars?", "What is Rayleigh's law?"]
TAIL = MARKER + "\n" + "\n".join(QUESTIONS) + "\n"
WHOLE = ANSWER + TAIL
AROUND = range(len(ANSWER) - 3, len(ANSWER) + len(MARKER) + 3)   # each character of the marker, and its edges


def run(pieces, enabled=True):
    """(shown text, what each feed returned, questions) for deltas fed one by one."""
    cut = Splitter(enabled)
    out = [cut.feed(p) for p in pieces]
    out.append(cut.end())
    return "".join(out), out, cut.questions


def test_the_follow_ups_are_cut_out_at_every_split_point():
    for i in range(len(WHOLE) + 1):
        text, _, questions = run([WHOLE[:i], WHOLE[i:]])
        assert (text, questions) == (ANSWER, QUESTIONS), i
    for i in AROUND:          # three deltas: the marker cut twice
        for j in range(i, len(ANSWER) + len(MARKER) + 3):
            assert run([WHOLE[:i], WHOLE[i:j], WHOLE[j:]])[::2] == (ANSWER, QUESTIONS), (i, j)
    assert run(list(WHOLE))[::2] == (ANSWER, QUESTIONS), "one character a delta"


def test_only_a_possible_start_of_the_marker_is_held_and_only_until_the_next_delta():
    for i in range(len(WHOLE) + 1):
        _, out, _ = run([WHOLE[:i], WHOLE[i:]])
        held = WHOLE[:min(i, len(ANSWER))][len(out[0]):]
        assert WHOLE.startswith(out[0]) and MARKER.startswith(held), i
        assert len(held) < len(MARKER)
        if i <= len(ANSWER) - 2:   # "[[notes]]" and "[1]" held at most one delta, then let go
            assert out[0] == WHOLE[:i] or WHOLE[:i].endswith(("[", "[[")), i


def test_a_reply_without_the_marker_comes_out_exactly_as_it_went_in():
    for text in ("A [[follow", "ends with [[follow-ups]", "[[follow-ups] is not it [", "[[[[follow-up",
                 "Grüße 🙂 [[", ""):
        for i in range(len(text) + 1):
            assert run([text[:i], text[i:]])[::2] == (text, None), (text, i)
    assert run(["no marker asked: " + TAIL], enabled=False)[::2] == ("no marker asked: " + TAIL, None)


def test_questions_are_cleaned_and_a_tail_that_is_no_list_of_questions_is_given_back():
    assert run([ANSWER + MARKER + "\n1. One?\n- **Two?**\n* Three?\n4. Four?\n"])[::2] == (
        ANSWER, ["One?", "Two?", "Three?"])
    assert run([ANSWER + MARKER + "\n\n"])[::2] == (ANSWER, None), "a marker and nothing: none, and no marker shown"
    prose = MARKER + "\n" + "The model went on writing its answer after all. " * 5
    assert run([ANSWER, prose])[::2] == (ANSWER + prose, None), "a line too long for a question"
    endless = MARKER + "\nMore?\n" * 200
    text, out, _ = run([ANSWER] + list(endless))
    assert text == ANSWER + endless and len(out[-1]) == 0, "past MAX_TAIL it flows on as text at once"


def test_the_instruction_is_added_to_the_users_own_and_recognised():
    asked = follow_ups.asking({"system_instruction": "Answer in German.", "model": "m"})
    assert asked["system_instruction"].startswith("Answer in German.\n\n") and follow_ups.asked(asked["system_instruction"])
    assert follow_ups.asking({})["system_instruction"] == follow_ups.INSTRUCTION
    body = gemini.build_body([("user", "Hi")], asked)
    assert MARKER in body["systemInstruction"]["parts"][0]["text"]


# -- through a real HTTP server, the transport, a decoder and the replies --

@pytest.fixture(scope="module")
def upstream():
    up = Upstream().start()
    yield up
    up.stop()


def openai_body(pieces):
    events = [b"data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]},
                                     ensure_ascii=False).encode("utf-8") + b"\n\n" for p in pieces]
    end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    return b"".join(events) + b"data: " + json.dumps(end).encode() + b"\n\ndata: [DONE]\n\n"


KINDS = {"gemini": (gemini, sse_body, "", "text/event-stream"),
         "openai": (openai_chat, openai_body, "/v1", "text/event-stream; charset=utf-8")}


def reply_through(up, store, body, kind="gemini", follow=True, **options):
    module, _, prefix, content_type = KINDS[kind]
    up.script(Reply(body=body, content_type=content_type, **options))
    url, headers, data = module.request([("user", "Why is the sky blue?")], {"model": "m"}, up.url + prefix, "k" * 20)
    stream = ReplyStream(transport.Transport().exchange(url, headers, data, {"connect": 5, "read": 30}),
                         module.Decoder(), "k" * 20)
    cid = store.create()
    index = store.add_message(cid, "model", "", "streaming")
    reply = Replies(store).start(cid, index, stream, follow_ups=follow)
    assert reply.finished.wait(30)
    return cid, index, reply


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_split_of_the_marker_by_event_and_by_byte_through_the_relay(upstream, tmp_path, kind):
    store, make_body = Store(str(tmp_path)), KINDS[kind][1]
    for i in AROUND:
        body = make_body([WHOLE[:i], WHOLE[i:]])
        cid, index, reply = reply_through(upstream, store, body, kind, pieces=split(body, "bytes"))
        assert (reply.status, reply.text.since(0), reply.follow_ups) == ("done", ANSWER, QUESTIONS), i
        stored = store.get(cid)["messages"][index]
        assert (stored["text"], stored["follow_ups"]) == (ANSWER, QUESTIONS)
    again = Store(str(tmp_path)).get(cid)["messages"][index]    # read back from the disk
    assert (again["text"], again["follow_ups"], again["status"]) == (ANSWER, QUESTIONS, "done")


def test_none_are_shown_after_a_drop_or_without_asking_and_the_text_is_kept(upstream, tmp_path):
    store = Store(str(tmp_path))
    cut = sse_body([ANSWER, TAIL], finish=None)           # the stream ends with no finishReason
    _, _, reply = reply_through(upstream, store, cut)
    assert (reply.status, reply.text.since(0), reply.follow_ups) == ("error", ANSWER, None)
    assert "follow_ups" not in reply.state()
    held = sse_body([ANSWER + MARKER[:5]], finish=None)   # cut while a marker's start was held
    _, _, reply = reply_through(upstream, store, held)
    assert (reply.status, reply.text.since(0)) == ("error", ANSWER + MARKER[:5])
    cid, index, reply = reply_through(upstream, store, sse_body([WHOLE]), follow=False)
    assert (reply.text.since(0), reply.follow_ups) == (WHOLE, None), "not asked for: nothing cut"
    assert "follow_ups" not in store.get(cid)["messages"][index]


def test_a_stopped_reply_shows_none_and_keeps_what_was_held(upstream, tmp_path):
    store = Store(str(tmp_path))
    body = sse_body([ANSWER + MARKER[:3], MARKER[3:] + "\nWhy?\n"])
    up_reply = Reply(body=body, pieces=[body[:body.index(b"\r\n\r\n") + 4], body[body.index(b"\r\n\r\n") + 4:]],
                     stall_after=1, stall_seconds=30)
    upstream.script(up_reply)
    url, headers, data = gemini.request([("user", "Hi")], {"model": "m"}, upstream.url, "k" * 20)
    stream = ReplyStream(transport.Transport().exchange(url, headers, data, {"connect": 5, "read": 30}),
                         gemini.Decoder(), "k" * 20)
    cid = store.create()
    index = store.add_message(cid, "model", "", "streaming")
    replies = Replies(store)
    reply = replies.start(cid, index, stream, follow_ups=True)
    assert reply.wait(lambda: reply.text.length == len(ANSWER), 30)
    replies.stop(cid, index)
    assert reply.finished.wait(30)
    assert (reply.status, reply.text.since(0), reply.follow_ups) == ("stopped", ANSWER + MARKER[:3], None)
    assert store.get(cid)["messages"][index]["text"] == ANSWER + MARKER[:3]


# -- the journal --

def journal(*recs):
    return b"".join(records.line(r) for r in recs)


def test_follow_ups_are_kept_in_the_journal_and_old_journals_still_load():
    chat, user = {"t": "chat", "id": "x", "created": 1}, {"t": "msg", "role": "user", "text": "Hi", "status": "done"}
    model = {"t": "msg", "role": "model", "text": "", "status": "streaming"}
    old = records.parse_journal(journal(chat, user, model, {"t": "add", "i": 1, "text": "Hello"},
                                        {"t": "end", "i": 1, "status": "done"}), "x")
    assert old["messages"][1] == {"role": "model", "text": "Hello", "status": "done"} and "damaged" not in old
    new = records.parse_journal(journal(chat, user, model, {"t": "end", "i": 1, "status": "done",
                                                            "follow_ups": QUESTIONS}), "x")
    assert new["messages"][1]["follow_ups"] == QUESTIONS
    assert records.parse_journal(records.compact_journal(new), "x")["messages"] == new["messages"]
    bad = records.parse_journal(journal(chat, user, model, {"t": "end", "i": 1, "status": "done",
                                                            "follow_ups": [1]}), "x")
    assert bad["damaged"] is True, "a record KindleChat never wrote"


def test_an_old_journal_on_disk_opens_and_continues(tmp_path):
    os.makedirs(str(tmp_path / "chats"))
    cid = "0123456789ab"
    with open(str(tmp_path / "chats" / (cid + ".jsonl")), "wb") as f:
        f.write(journal({"t": "chat", "id": cid, "created": 1},
                        {"t": "msg", "role": "user", "text": "Hi", "status": "done"},
                        {"t": "msg", "role": "model", "text": "Hello", "status": "done", "usage": {}}))
    store = Store(str(tmp_path))
    assert [m["text"] for m in store.get(cid)["messages"]] == ["Hi", "Hello"]
    store.add_message(cid, "user", "More?", "done")
    index = store.add_message(cid, "model", "", "streaming")
    store.end_message(cid, index, "done", "Sure.", follow_ups=QUESTIONS[:2])
    assert Store(str(tmp_path)).get(cid)["messages"][index]["follow_ups"] == QUESTIONS[:2]


# -- end to end: demo mode --

@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("follow-ups") / "data", "--demo").start()
    yield s
    s.request("PUT", "/api/settings", {"follow_ups": True})
    s.stop()


def test_the_demo_sends_them_and_the_api_shows_them_with_the_finished_reply(srv):
    assert srv.get("/api/settings")["follow_ups"] is True, "on by default"
    cid = srv.new_chat()
    index = srv.send(cid, "Why is the sky blue?")
    answer = srv.read_reply(cid, index)
    wanted = ["Can you explain that more simply?", "What is a good example?",
              'What else should I know about "Why is the sky blue"?']
    assert answer["status"] == "done" and answer["follow_ups"] == wanted
    assert answer["text"] == emulator.answer_for("Why is the sky blue?") + "\n\n", "the answer, all of it, no marker"
    message = srv.get("/api/chats/" + cid)["messages"][index]
    assert (message["follow_ups"], message["text"]) == (wanted, answer["text"])
    early = srv.get("/api/chats/%s/messages/%d?from=0&wait=0" % (cid, index))
    assert early["follow_ups"] == wanted, "a late poll of an ended reply has them too"


def test_with_the_setting_off_none_are_asked_for(srv):
    srv.request("PUT", "/api/settings", {"follow_ups": False})
    cid = srv.new_chat()
    answer = srv.read_reply(cid, srv.send(cid, "Why is the sky blue?"))
    assert answer["status"] == "done" and "follow_ups" not in answer and MARKER not in answer["text"]
    srv.request("PUT", "/api/settings", {"follow_ups": True})

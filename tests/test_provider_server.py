"""Every provider kind through the whole server: a real `python -m kindlechat`
whose profiles point at real loopback servers (testkit.upstream) speaking each
kind's wire format. Every capture of tests/fixtures/{openai,anthropic,ollama}
replays under every chunking (whole, 1-byte, CRLF split, inside UTF-8, random)
to the reply the pure decoder gives the whole body, as the API shows it; and each
profile's key reaches only its own base URL, only in its kind's header."""
import json
import os

import pytest

from kindlechat.providers import anthropic_messages, ollama_chat, openai_chat
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream, split
from test_provider_decoders import CAPTURES, FIXTURES, decode, wire_body

KIND = {openai_chat: ("openai", "/v1", "text/event-stream; charset=utf-8"),
        anthropic_messages: ("anthropic", "", "text/event-stream; charset=utf-8"),
        ollama_chat: ("ollama", "", "application/x-ndjson")}
KEYS = {"openai": "sk-openai-0123456789", "anthropic": "sk-ant-0123456789", "ollama": "ollama-0123456789"}
GEMINI_KEY = "AIza-gemini-0123456789"
HEADERS = {"openai": ("authorization", "Bearer "), "anthropic": ("x-api-key", ""), "ollama": ("authorization", "Bearer ")}


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    """One server; one upstream per kind; a profile per kind, each on its own upstream."""
    ups = {kind: Upstream().start() for kind in KEYS}
    srv = ServerProcess(tmp_path_factory.mktemp("providers") / "data").start()
    profiles = {kind: {"kind": kind, "base_url": ups[kind].url + KIND_PATH[kind], "model": "m-" + kind,
                       "api_key": KEYS[kind]} for kind in KEYS}
    srv.request("PUT", "/api/settings", {"api_key": GEMINI_KEY, "profiles": profiles})
    yield srv, ups
    srv.stop()
    for up in ups.values():
        up.stop()


KIND_PATH = {kind: path for kind, path, _ in KIND.values()}


def ask(srv, kind, text="Hi"):
    """The stored reply of one message sent with profile `kind` current."""
    srv.request("PUT", "/api/settings", {"profile": kind})
    cid = srv.new_chat()
    srv.read_reply(cid, srv.send(cid, text))
    return srv.get("/api/chats/" + cid)


@pytest.mark.parametrize("case", CAPTURES, ids=lambda case: case[1])
def test_each_capture_replays_through_the_server_under_every_chunking(rig, case):
    srv, ups = rig
    module, body = case[0], wire_body(os.path.join(FIXTURES, case[1]))
    kind, _, content_type = KIND[module]
    pure = decode(module, [body])
    want = (pure.text, pure.thoughts, pure.finish, pure.usage, pure.error or (None if pure.ended else "dropped"))
    for how in ("whole", "crlf", "utf8", "random") + (("bytes",) if len(body) <= 8192 else ()):
        ups[kind].script(Reply(body=body, pieces=split(body, how), content_type=content_type))
        reply = ask(srv, kind)["messages"][-1]
        got = (reply["text"], reply.get("thoughts", ""), (reply.get("finish") or {}).get("reason"),
               reply.get("usage"), (reply.get("error") or {}).get("code"))
        assert got == want, how


@pytest.mark.parametrize("kind", list(KEYS))
def test_a_profiles_key_goes_only_to_its_base_url_in_its_kinds_header(rig, kind):
    srv, ups = rig
    module = [m for m, k in KIND.items() if k[0] == kind][0]
    body = wire_body(os.path.join(FIXTURES, [c[1] for c in CAPTURES if c[0] is module][0]))
    seen = {k: len(up.requests) for k, up in ups.items()}
    ups[kind].script(Reply(body=body, content_type=KIND[module][2]))
    chat = ask(srv, kind)
    assert (chat["profile"], chat["model"]) == (kind, "m-" + kind)
    got = ups[kind].requests[seen[kind]:]
    assert len(got) == 1 and got[0]["method"] == "POST" and json.loads(got[0]["body"])["model"] == "m-" + kind
    header, prefix = HEADERS[kind]
    assert [(n, v) for n, v in got[0]["headers"].items() if KEYS[kind] in v] == [(header, prefix + KEYS[kind])]
    if kind == "anthropic":
        assert got[0]["headers"]["anthropic-version"] == anthropic_messages.VERSION
    for other, up in ups.items():   # no other upstream was asked, and no other key went anywhere
        assert len(up.requests) == seen[other] + (other == kind)
    wire = json.dumps(got[0]["headers"]) + got[0]["path"] + got[0]["body"].decode("utf-8", "replace")
    assert not [k for k in list(KEYS.values()) + [GEMINI_KEY] if k in wire and k != KEYS[kind]]
    assert KEYS[kind] not in got[0]["path"] and KEYS[kind].encode() not in got[0]["body"]


@pytest.mark.parametrize("kind, status, body, code, words", [
    ("openai", 429, '{"error": {"code": 429, "message": "Rate limit exceeded"}}', "rate_limited", "in 7 seconds"),
    ("anthropic", 429, '{"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}',
     "rate_limited", "in 7 seconds"),
    ("openai", 402, '{"error": {"code": 402, "message": "Insufficient credits"}}', "no_credits", "no credit"),
    ("anthropic", 529, '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
     "overloaded", "overloaded"),
])
def test_errors_before_the_stream_reach_the_page_in_plain_words(rig, kind, status, body, code, words):
    """Retry-After is a header, not in the body: the seam hands it to the decoder."""
    srv, ups = rig
    ups[kind].script(Reply(body=body.encode(), status=status, content_type="application/json",
                           headers={"Retry-After": "7"}))
    error = ask(srv, kind)["messages"][-1]["error"]
    assert error["code"] == code and words in error["message"] and kind in error["message"]


def test_an_ndjson_body_whose_last_line_has_no_line_break_still_ends(rig):
    srv, ups = rig
    body = (b'{"message": {"role": "assistant", "content": "Four."}, "done": false}\n'
            b'{"message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop", '
            b'"prompt_eval_count": 3, "eval_count": 2}')
    ups["ollama"].script(Reply(body=body, content_type="application/x-ndjson"))
    reply = ask(srv, "ollama")["messages"][-1]
    assert (reply["status"], reply["text"], reply["usage"]["totalTokenCount"]) == ("done", "Four.", 5)


def test_a_chat_keeps_the_profile_it_started_with(rig):
    srv, ups = rig
    body = wire_body(os.path.join(FIXTURES, "ollama/docs_chat_stream.ndjson"))
    ups["ollama"].script(Reply(body=body, content_type="application/x-ndjson"))
    srv.request("PUT", "/api/settings", {"profile": "ollama"})
    cid = srv.new_chat()
    srv.read_reply(cid, srv.send(cid, "Hi"))
    srv.request("PUT", "/api/settings", {"profile": "openai"})   # the current profile changes
    before = len(ups["ollama"].requests), len(ups["openai"].requests)
    srv.read_reply(cid, srv.send(cid, "And again"))
    assert (len(ups["ollama"].requests), len(ups["openai"].requests)) == (before[0] + 1, before[1])
    chat = srv.get("/api/chats/" + cid)
    assert (chat["profile"], chat["model"]) == ("ollama", "m-ollama")
    assert srv.get("/api/chats/" + srv.new_chat())["profile"] == "openai"   # a new chat: the current one

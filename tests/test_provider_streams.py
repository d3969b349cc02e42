"""The new providers' decoders behind the seam as it is: a real loopback server
(testkit.upstream) sends each capture of tests/fixtures/{openai,anthropic,ollama}
under each chunking, transport.py reads it, stream.ReplyStream joins it with the
decoder, and the reply must be what the pure decoder gives the whole body
(test_provider_decoders.py states those). Plus the request as the server got it:
the key only in that kind's header, and the answers that are not a stream."""
import json
import os

import pytest

from kindlechat.providers import anthropic_messages, ollama_chat, openai_chat, stream, transport
from testkit.upstream import Reply, Upstream, split
from test_provider_decoders import CAPTURES, FIXTURES, decode, wire_body

KEY = "key-0123456789-secret"
KINDS = {openai_chat: ("/v1", "text/event-stream; charset=utf-8"),
         anthropic_messages: ("", "text/event-stream; charset=utf-8"),
         ollama_chat: ("", "application/x-ndjson")}
SETTINGS = {"model": "m", "max_output_tokens": 100}


@pytest.fixture(scope="module")
def upstream():
    up = Upstream().start()
    yield up
    up.stop()


def replay(module, up, reply, key=KEY):
    """(text, thoughts, finish reason, usage, error) of one reply read through the seam."""
    up.script(reply)
    url, headers, body = module.request([("user", "Hi")], SETTINGS, up.url + KINDS[module][0], key)
    exchange = transport.Transport().exchange(url, headers, body, {"connect": 5, "read": 30})
    reply_stream = stream.ReplyStream(exchange, module.Decoder(), key)
    deltas = list(reply_stream)
    return ("".join(d.text for d in deltas if not d.thought), "".join(d.text for d in deltas if d.thought),
            (reply_stream.finish or {}).get("reason"), reply_stream.usage,
            reply_stream.error.code if reply_stream.error else None)


@pytest.mark.parametrize("case", CAPTURES, ids=lambda case: case[1])
def test_each_capture_replays_through_the_seam_under_every_chunking(upstream, case):
    module, body = case[0], wire_body(os.path.join(FIXTURES, case[1]))
    pure = decode(module, [body])
    want = (pure.text, pure.thoughts, pure.finish, pure.usage, pure.error or (None if pure.ended else "dropped"))
    hows = ("whole", "crlf", "utf8", "random") + (("bytes",) if len(body) <= 8192 else ())
    for how in hows:
        got = replay(module, upstream, Reply(body=body, pieces=split(body, how), content_type=KINDS[module][1]))
        assert got == want, how


@pytest.mark.parametrize("module,path,header", [
    (openai_chat, "/v1/chat/completions", "authorization"),
    (anthropic_messages, "/v1/messages", "x-api-key"),
    (ollama_chat, "/api/chat", "authorization")], ids=lambda x: getattr(x, "__name__", None))
def test_the_server_gets_the_key_only_in_that_kinds_header(upstream, module, path, header):
    body = wire_body(os.path.join(FIXTURES, [c[1] for c in CAPTURES if c[0] is module][0]))
    replay(module, upstream, Reply(body=body, content_type=KINDS[module][1]))
    got = upstream.requests[-1]
    assert (got["method"], got["path"]) == ("POST", path)
    assert [name for name, value in got["headers"].items() if KEY in value] == [header]
    assert KEY.encode() not in got["body"] and json.loads(got["body"])["model"] == "m"


@pytest.mark.parametrize("module,status,body,code", [
    (openai_chat, 401, '{"error": {"message": "Incorrect API key provided: %s" }}' % KEY, "api_key_invalid"),
    (openai_chat, 402, '{"error": {"code": 402, "message": "Insufficient credits"}}', "no_credits"),
    (openai_chat, 429, '{"error": {"code": 429, "message": "Rate limit exceeded"}}', "rate_limited"),
    (anthropic_messages, 529, '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
     "overloaded"),
    (ollama_chat, 404, '{"error": "model \'m\' not found, try pulling it first"}', "model_unavailable"),
], ids=lambda x: getattr(x, "__name__", None))
def test_errors_before_the_stream_through_the_seam(upstream, module, status, body, code):
    got = replay(module, upstream, Reply(body=body.encode(), status=status, content_type="application/json",
                                         headers={"Retry-After": "5"}))
    assert got[4] == code


@pytest.mark.parametrize("module", list(KINDS), ids=lambda m: m.__name__)
def test_a_login_page_is_not_a_stream_through_the_seam(upstream, module):
    page = b"<html><body>Log in to Hotel Wi-Fi</body></html>"
    assert replay(module, upstream, Reply(body=page, content_type="text/html"))[4] == "not_event_stream"

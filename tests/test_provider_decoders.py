"""The other providers' wire formats, pure halves only: openai_chat,
anthropic_messages and ollama_chat. Every capture (tests/fixtures/{openai,
anthropic,ollama}, provenance in each README) is cut in two at every byte (at a
sample and around both ends, for the long ones), in three at sampled pairs, and
with CRLF line ends, fed through sse.LineDecoder and the decoder as
stream.ReplyStream feeds it, and must give the reply stated here: text,
thoughts, finish, usage and error. Then each request builder's URL, headers and
body, and the errors of answers that are not a stream."""
import json
import os
import random
from collections import namedtuple

import pytest

from kindlechat.providers import anthropic_messages, ollama_chat, openai_chat, sse
from testkit import ROOT
from testkit.decoding import feed, texts

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
Reply = namedtuple("Reply", "text thoughts ended finish usage error damaged")


def wire_body(path):
    """The bytes on the wire. vercel/ai's .chunks.txt hold one JSON chunk a line:
    each becomes an SSE event, and [DONE] closes them as OpenAI does. A .txtar
    (coder/aibridge) holds the stream in its "-- streaming --" section."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".chunks.txt"):
        return b"".join(b"data: " + line + b"\n\n" for line in data.splitlines()) + b"data: [DONE]\n\n"
    if path.endswith(".txtar"):
        return data.split(b"\n-- streaming --\n", 1)[1].split(b"\n-- ", 1)[0] + b"\n"
    return data


def decode(module, pieces):
    """The Reply the pieces give, fed as stream.ReplyStream feeds them."""
    deltas, decoder = feed(module.Decoder(), pieces)
    return Reply(*texts(deltas), decoder.ended, (decoder.finish or {}).get("reason"), decoder.usage,
                 decoder.error.code if decoder.error else None, decoder.damaged)


def total(n):
    return lambda usage: (usage or {}).get("totalTokenCount") == n


# (module, capture, text, thoughts, ended, finish, usage check, error code). A text
# or thoughts given as (start, end, length) is a long one.
CAPTURES = [
    (openai_chat, "openai/vercel_openai_text.chunks.txt", ("**Holiday Name:** Harmony Day\n",
     "ences and mutual respect.", 1724), "", True, None, total(316), None),
    (openai_chat, "openai/vercel_deepseek_reasoning.chunks.txt", 'The word "strawberry" contains three "r"s.',
     ("We need to count the number of", ".\n\nThus, the answer is 3.", 606), True, None,
     lambda u: u["thoughtsTokenCount"] == 205 and u["totalTokenCount"] == 237, None),
    (openai_chat, "openai/aibridge_error.txtar", 'The question "', "", False, None, total(None), "gemini_error"),
    (openai_chat, "openai/pai_openrouter_stream_error.sse", "", "We need to respond to a greeting. The user",
     True, "MAX_TOKENS", total(None), "gemini_error"),
    (openai_chat, "openai/pai_openrouter_streaming_reasoning.sse", "2 + 2 = 4",
     "This is a simple arithmetic question. 2+2 equals 4.", True, None, total(79), None),
    (openai_chat, "openai/pai_openrouter_stream_with_reasoning.sse", ("I\u2019m ChatGPT, a large-language-",
     "p with, just let me know!", 446), "", True, None, total(113), None),
    (anthropic_messages, "anthropic/pai_anthropic_thinking_part_stream.sse", ("Here are the basic steps for s",
     "ed when crossing streets.", 1021), ("This is a straightforward ques", "d help prevent accidents.", 202),
     True, None, total(325), None),
    (anthropic_messages, "anthropic/aibridge_error.txtar", "", "", False, None, total(19), "gemini_error"),
    (anthropic_messages, "anthropic/sdk_basic_response.sse", "Hello there!", "", True, None, total(17), None),
    (anthropic_messages, "anthropic/sdk_compaction_response.sse", "Hello there!", "", True, None, total(38), None),
    (anthropic_messages, "anthropic/sdk_fallback_response.sse", "Hello there!", "", True, None, total(33), None),
    (anthropic_messages, "anthropic/sdk_refusal_response.sse", "", "", True, "REFUSAL", total(20), None),
    (anthropic_messages, "anthropic/sdk_tool_use_response.sse", "I'll check the current weather in Paris for you.",
     "", True, None, total(442), None),
    (anthropic_messages, "anthropic/sdk_incomplete_partial_json_response.sse", ("I'll create a comprehensive ta",
     "t me do that for you now.", 135), "", True, "MAX_TOKENS", total(574), None),
    (ollama_chat, "ollama/docs_chat_stream.ndjson", "The", "", True, None, total(308), None),
    (ollama_chat, "ollama/docs_streaming_done_reason.ndjson", "That's a fantastic question!", "", True, None,
     lambda u: u is None, None),
    (ollama_chat, "ollama/docs_error_mid_stream.ndjson", " Yes.Ican", "", False, None, lambda u: u is None,
     "gemini_error"),
    (ollama_chat, "ollama/built_thinking_length.ndjson", "17 \u00d7 23 = **391**.",
     "17 \u00d7 23 = 17 \u00d7 20 + 17 \u00d7 3 = 340 + 51 = 391.", True, "MAX_TOKENS", total(58), None),
]


def matches(got, want):
    if isinstance(want, tuple):
        start, end, length = want
        return got.startswith(start) and got.endswith(end) and len(got) == length
    return got == want


def cuts(body):
    """Every byte for a short body; for a long one a sample, plus every byte of
    its first and last KB (the role chunk, the finish, the usage, [DONE])."""
    if len(body) <= 8192:
        return range(1, len(body))
    edges = set(range(1, 1024)) | set(range(len(body) - 1024, len(body)))
    return sorted(edges | set(random.Random(len(body)).sample(range(1, len(body)), 300)))


@pytest.mark.parametrize("case", CAPTURES, ids=lambda case: case[1])
def test_each_capture_decodes_to_its_reply(case):
    module, name, text, thoughts, ended, finish, usage_ok, error = case
    reply = decode(module, [wire_body(os.path.join(FIXTURES, name))])
    assert matches(reply.text, text), reply.text[:200]
    assert matches(reply.thoughts, thoughts), reply.thoughts[:200]
    assert (reply.ended, reply.finish, reply.error, reply.damaged) == (ended, finish, error, 0)
    assert usage_ok(reply.usage), reply.usage


@pytest.mark.parametrize("case", CAPTURES, ids=lambda case: case[1])
def test_every_chunk_boundary_gives_the_same_reply(case):
    module, body = case[0], wire_body(os.path.join(FIXTURES, case[1]))
    whole = decode(module, [body])
    for cut in cuts(body):
        assert decode(module, [body[:cut], body[cut:]]) == whole, cut
    rng = random.Random(case[1])
    for _ in range(200 if len(body) <= 8192 else 100):
        a, b = sorted(rng.sample(range(1, len(body)), 2))
        assert decode(module, [body[:a], body[a:b], body[b:]]) == whole, (a, b)


@pytest.mark.parametrize("case", CAPTURES, ids=lambda case: case[1])
def test_crlf_line_ends_give_the_same_reply_split_anywhere(case):
    module, body = case[0], wire_body(os.path.join(FIXTURES, case[1]))
    whole, crlf = decode(module, [body]), body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert decode(module, [crlf]) == whole
    splits = [i + 1 for i in range(len(crlf) - 1) if crlf[i:i + 2] == b"\r\n"]
    for cut in random.Random(case[1]).sample(splits, min(150, len(splits))):
        assert decode(module, [crlf[:cut], crlf[cut:]]) == whole, cut


SETTINGS = {"model": "some-model", "system_instruction": "Be brief.", "temperature": 0.5,
            "max_output_tokens": 300, "thinking_budget": 2048, "thinking_level": "LOW", "show_thoughts": True}
HISTORY = [("user", "Hi \u00e9"), ("model", "Hello"), ("user", "Why?")]
KEY = "key-0123456789-secret"
BUILDERS = [  # module, base URL as a reader types it, the URL, the key's header and its value
    (openai_chat, "https://openrouter.ai/api/v1/", "https://openrouter.ai/api/v1/chat/completions",
     "Authorization", "Bearer " + KEY),
    (anthropic_messages, "https://api.anthropic.com/", "https://api.anthropic.com/v1/messages", "x-api-key", KEY),
    (ollama_chat, "http://192.168.1.20:11434", "http://192.168.1.20:11434/api/chat", "Authorization", "Bearer " + KEY),
]


@pytest.mark.parametrize("module,base,url,header,value", BUILDERS, ids=lambda x: getattr(x, "__name__", None))
def test_the_key_goes_only_in_that_kinds_header(module, base, url, header, value):
    got_url, headers, body = module.request(HISTORY, SETTINGS, base, KEY, {"thinking": True})
    assert (got_url, headers[header]) == (url, value)
    assert [name for name, v in headers.items() if KEY in v] == [header]
    assert KEY not in got_url and KEY.encode() not in body
    assert "\u00e9".encode("utf-8") in body   # raw UTF-8, as the Gemini request sends it


@pytest.mark.parametrize("module", [openai_chat, ollama_chat], ids=lambda m: m.__name__)
def test_no_key_no_authorization_header(module):
    _, headers, _ = module.request(HISTORY, SETTINGS, "http://127.0.0.1:8080/v1", "")
    assert "Authorization" not in headers


def test_openai_body_streams_with_usage_and_roles():
    body = json.loads(openai_chat.request(HISTORY, SETTINGS, "https://api.openai.com/v1", KEY)[2])
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert [(m["role"], m["content"]) for m in body["messages"]] == [
        ("system", "Be brief."), ("user", "Hi \u00e9"), ("assistant", "Hello"), ("user", "Why?")]
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("some-model", 0.5, 300)
    assert "reasoning_effort" not in body   # sent only to a model known to reason
    reasoning = json.loads(openai_chat.request(HISTORY, SETTINGS, "https://api.openai.com/v1", KEY, {
        "thinking": True, "max_tokens_field": "max_completion_tokens"})[2])
    assert (reasoning["reasoning_effort"], reasoning["max_completion_tokens"]) == ("low", 300)
    assert "max_tokens" not in reasoning


def test_anthropic_body_has_max_tokens_and_a_top_level_system():
    _, headers, raw = anthropic_messages.request(HISTORY, dict(SETTINGS, max_output_tokens=None), "https://a", KEY)
    body = json.loads(raw)
    assert headers["anthropic-version"] == "2023-06-01"
    assert body["max_tokens"] > 0 and body["system"] == "Be brief." and body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["temperature"] == 0.5 and "thinking" not in body
    thinking = json.loads(anthropic_messages.request(HISTORY, SETTINGS, "https://a", KEY, {"thinking": True})[2])
    # Anthropic refuses a budget at or over max_tokens, and a temperature beside thinking
    assert "thinking" not in thinking and thinking["max_tokens"] == 300
    thinking = json.loads(anthropic_messages.request(HISTORY, dict(SETTINGS, max_output_tokens=8000), "https://a",
                                                     KEY, {"thinking": True})[2])
    assert thinking["thinking"] == {"type": "enabled", "budget_tokens": 2048} and "temperature" not in thinking


def test_ollama_body_puts_settings_in_options():
    body = json.loads(ollama_chat.request(HISTORY, SETTINGS, "http://h:11434/", "", {"thinking": True})[2])
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["options"] == {"temperature": 0.5, "num_predict": 300} and body["think"] == "low"
    assert "think" not in json.loads(ollama_chat.request(HISTORY, SETTINGS, "http://h:11434/", "")[2])


def fixture_text(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return f.read()


OPENAI_401 = ('{"error": {"message": "Incorrect API key provided: sk-abc.", "type": "invalid_request_error", '
              '"param": null, "code": "invalid_api_key"}}')
BEFORE_THE_STREAM = [  # module, status, body, headers, code, words the message must hold
    (openai_chat, 401, OPENAI_401, None, "api_key_invalid", "API key is not valid"),
    (openai_chat, 402, '{"error": {"code": 402, "message": "Insufficient credits"}}', None, "no_credits",
     "no credit left"),
    (openai_chat, 429, fixture_text("openai/pai_openrouter_429_provider_error.json"), {"Retry-After": "7"},
     "rate_limited", "Try again in 7 seconds"),
    (openai_chat, 429, '{"error": {"type": "insufficient_quota", "message": "You exceeded your current quota"}}',
     None, "no_credits", "no credit left"),
    (openai_chat, 400, fixture_text("openai/vercel_reasoning_model_legacy_parameter_error.json"), None,
     "bad_request", "max_completion_tokens"),
    (anthropic_messages, 529, '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
     {"retry-after": "3"}, "overloaded", "overloaded right now (529)"),
    (anthropic_messages, 401, '{"type": "error", "error": {"type": "authentication_error", '
     '"message": "invalid x-api-key"}}', None, "api_key_invalid", "Anthropic says the API key"),
    (anthropic_messages, 429, '{"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}',
     {"Retry-After": "30"}, "rate_limited", "in 30 seconds"),
    (ollama_chat, 404, '{"error": "model \'llama3.2\' not found, try pulling it first"}', None,
     "model_unavailable", "try pulling it first"),
    (ollama_chat, 500, fixture_text("ollama/docs_error_body.json"), None, "gemini_error",
     "the model failed to generate a response"),
]


@pytest.mark.parametrize("module,status,body,headers,code,words", BEFORE_THE_STREAM,
                         ids=lambda x: x.__name__ if hasattr(x, "__name__") else None)
def test_errors_before_the_stream_are_in_plain_words(module, status, body, headers, code, words):
    error = module.Decoder().http_error(status, body, headers)
    assert error.code == code and words in error.message, error


@pytest.mark.parametrize("module", [openai_chat, anthropic_messages, ollama_chat], ids=lambda m: m.__name__)
def test_a_login_page_is_not_a_stream(module):
    error = module.Decoder().not_a_stream(200, "<html><body>Log in to Hotel Wi-Fi</body></html>")
    assert error.code == "not_event_stream" and module.Decoder().who in error.message


def split_everywhere(module, body):
    """The Reply of body, the same under every two-piece split."""
    whole = decode(module, [body])
    for cut in range(1, len(body)):
        assert decode(module, [body[:cut], body[cut:]]) == whole, cut
    return whole


def test_openai_content_filter_is_blocked_and_a_torn_line_is_damage():
    body = (b': OPENROUTER PROCESSING\n\ndata: {"choices": [{"delta": {"reasoning": "Hm"}}]}\n\n'
            b'data: {"choices": [{"delta": {"content": "Par"}, "finish_reason": "content_filter"}]}\n\n'
            b'data: {"choices": [{"delta": {"content": "tor\n\ndata: [DONE]\n\n')
    reply = split_everywhere(openai_chat, body)
    assert (reply.text, reply.thoughts, reply.finish, reply.ended, reply.damaged) == ("Par", "Hm", "BLOCKED", True, 1)


def test_anthropic_overloaded_mid_stream_with_whitespace_and_unknown_events():
    body = (b'event: message_start\ndata: {"type": "message_start", "message": {"usage": {"input_tokens": 5}}}\n\n'
            b'event: brand_new_event\ndata: {"type": "brand_new_event", "text": "not shown"}\n\n'
            b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0,\n'
            b'data:   "delta": {"type": "text_delta", "text": "Part"}   }\n\n'
            b'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n')
    reply = split_everywhere(anthropic_messages, body)
    assert (reply.text, reply.error, reply.ended) == ("Part", "overloaded", False)


def test_anthropic_usage_is_cumulative():
    body = (b'data: {"type": "message_start", "message": {"usage": {"input_tokens": 40, "output_tokens": 1}}}\n\n'
            b'data: {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}\n\n'
            b'data: {"type": "message_stop"}\n\n')
    assert split_everywhere(anthropic_messages, body).usage == {
        "promptTokenCount": 40, "candidatesTokenCount": 9, "totalTokenCount": 49}


@pytest.mark.parametrize("module,name,words", [
    (openai_chat, "openai/pai_openrouter_stream_error.sse", "stopped the reply with an error (400)"),
    (openai_chat, "openai/aibridge_error.txtar", "Sorry about that!"),
    (anthropic_messages, "anthropic/aibridge_error.txtar", "internal error (api_error)"),
    (ollama_chat, "ollama/docs_error_mid_stream.ndjson", "an error was encountered while running the model"),
], ids=lambda x: x if isinstance(x, str) and "/" in x else None)
def test_errors_after_the_200_say_what_the_service_said(module, name, words):
    lines, decoder = sse.LineDecoder(), module.Decoder()
    for line in lines.feed(wire_body(os.path.join(FIXTURES, name))):
        if decoder.error is None:
            decoder.feed(line)
    assert words in decoder.error.message and decoder.who in decoder.error.message, decoder.error

"""Gemini over the provider seam: the request gemini.py builds, how its decoder and
stream.ReplyStream read chunks over transport.py, and every error turned into a
message. Unit tests use `responses`; the timing and framing tests use a real
loopback server (testkit/upstream.py)."""
import json
import os
import threading
import time

import pytest
import responses

from kindlechat.providers import gemini
from kindlechat.providers.stream import ReplyStream
from kindlechat.providers.transport import Transport
from testkit.upstream import Reply, split

BASE = "http://gemini.test/prefix"
URL = gemini.stream_url(BASE, "gemini-2.5-flash")
SETTINGS = {"system_instruction": "", "temperature": None, "max_output_tokens": None,
            "thinking_budget": None, "show_thoughts": False}


def sse(*chunks):
    return b"".join(b"data: " + json.dumps(c, ensure_ascii=False).encode("utf-8") + b"\r\n\r\n" for c in chunks)


def text_chunk(*texts, finish=None, thought=False, usage=None):
    parts = [dict({"text": t}, **({"thought": True} if thought else {})) for t in texts]
    cand = {"content": {"parts": parts, "role": "model"}}
    if finish:
        cand["finishReason"] = finish
    out = {"candidates": [cand]}
    if usage:
        out["usageMetadata"] = usage
    return out


def open_stream(url=URL, key="k", transport=None, timeouts=None):
    headers = {"x-goog-api-key": key, "Content-Type": "application/json", "Accept": "text/event-stream"}
    exchange = (transport or Transport()).exchange(url, headers, b'{"contents": []}', timeouts)
    return ReplyStream(exchange, gemini.Decoder(), key)


def run(url=URL, key="k", timeouts=None):
    stream = open_stream(url, key, timeouts=timeouts)
    deltas = list(stream)
    return stream, "".join(d.text for d in deltas if not d.thought), "".join(d.text for d in deltas if d.thought)


# -- the request ----------------------------------------------------------------

def test_body_carries_history_system_instruction_and_generation_config():
    settings = dict(SETTINGS, system_instruction="Be brief.", temperature=0.5, max_output_tokens=256,
                    thinking_budget=1024, show_thoughts=True)
    body = gemini.build_body([("user", "Hi"), ("model", "Hello"), ("user", "More")], settings)
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["generationConfig"] == {"temperature": 0.5, "maxOutputTokens": 256,
                                        "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}


def test_url_keeps_path_prefix_and_has_no_key():
    assert URL == "http://gemini.test/prefix/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"


@responses.activate
def test_key_only_in_header():
    responses.add(responses.POST, URL, body=sse(text_chunk("ok", finish="STOP")), content_type="text/event-stream")
    run(key="SECRET-KEY")
    call = responses.calls[0].request
    assert call.headers["x-goog-api-key"] == "SECRET-KEY"
    assert "SECRET-KEY" not in call.url
    assert call.headers["Content-Type"] == "application/json"


# -- chunks ---------------------------------------------------------------------

@responses.activate
def test_several_parts_empty_parts_thoughts_usage_and_stop():
    body = sse(text_chunk("Thinking…", thought=True),
               text_chunk("Hello", "", " world", usage={"totalTokenCount": 3}),
               text_chunk("", finish="STOP", usage={"totalTokenCount": 9}))
    responses.add(responses.POST, URL, body=body, content_type="text/event-stream")
    stream, text, thoughts = run()
    assert (text, thoughts) == ("Hello world", "Thinking…")
    assert stream.error is None and stream.finish is None
    assert stream.usage == {"totalTokenCount": 9}


@responses.activate
@pytest.mark.parametrize("reason, words", [("MAX_TOKENS", "length limit"), ("SAFETY", "safety"),
                                           ("RECITATION", "published"), ("FAKE_ENUM", "FAKE_ENUM")])
def test_other_finish_reasons_become_a_note(reason, words):
    responses.add(responses.POST, URL, body=sse(text_chunk("part", finish=reason)), content_type="text/event-stream")
    stream, text, _ = run()
    assert text == "part" and stream.error is None
    assert stream.finish["reason"] == reason and words in stream.finish["message"]


@responses.activate
def test_blocked_prompt():
    body = sse({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}})
    responses.add(responses.POST, URL, body=body, content_type="text/event-stream")
    stream, text, _ = run()
    assert text == "" and stream.error.code == "blocked" and "SAFETY" in stream.error.message


@responses.activate
def test_stream_without_finish_reason_is_reported_as_dropped():
    responses.add(responses.POST, URL, body=sse(text_chunk("half")), content_type="text/event-stream")
    stream, text, _ = run()
    assert text == "half" and stream.error.code == "dropped"


# -- HTTP errors, with the real error bodies -----------------------------------------

ERROR_FIXTURES = [
    ("err_400_api_key_invalid_fb.json", 400, "api_key_invalid", "API key"),
    ("err_400_invalid_argument_fb.json", 400, "bad_request", "invalid argument"),
    ("err_400_failed_precondition_location_fb.json", 400, "unavailable_here", "location"),
    ("err_400_thinking_config_vercel.json", 400, "thinking_refused", "thinking level"),
    ("err_400_thinking_minimal_38flash_pi_9455.json", 400, "thinking_refused", "thinking level MINIMAL"),
    ("err_403_service_disabled_fb.json", 403, "forbidden", "403"),
    ("err_404_model_not_found_fb.json", 404, "model_unavailable", "does not know the model unknown"),
    ("err_404_retired_new_users_9router_2788.json", 404, "model_unavailable", "no longer offers gemini-2.5-flash"),
    ("err_404_retired_preview_9router_1496.json", 404, "model_unavailable", "no longer offers"),
    ("err_429_per_day_stremio_170.json", 429, "daily_quota", "per day"),
    ("err_429_rate_limit_exceeded_fb.json", 429, "rate_limited", "Try again"),
    ("err_429_retryinfo_vercel.json", 429, "rate_limited", "per-minute rate limit was reached. Try again in 35"),
    ("err_429_quota_retryinfo_roocode_issue_3883.json", 429, "rate_limited", "26 seconds"),
]


def fixture_error_body(fixtures_dir, name):
    """The error body of a fixture; the vercel captures wrap it in recording metadata."""
    with open(os.path.join(fixtures_dir, name), "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    while isinstance(doc, dict) and "error" not in doc:
        inner = [v for v in doc.values() if isinstance(v, (dict, list))]
        doc = inner[0] if inner else doc
        if isinstance(doc, list):
            doc = doc[0]
    return json.dumps(doc, indent=2).encode("utf-8")


@responses.activate
@pytest.mark.parametrize("name, status, code, words", ERROR_FIXTURES)
def test_http_error_bodies(fixtures_dir, name, status, code, words):
    body = fixture_error_body(fixtures_dir, name)
    responses.add(responses.POST, URL, body=body, status=status, content_type="text/event-stream")
    stream, text, _ = run()
    assert stream.error.code == code
    assert words.lower() in stream.error.message.lower()


@responses.activate
@pytest.mark.parametrize("status, code", [(500, "gemini_error"), (503, "overloaded"), (504, "gemini_timeout")])
def test_server_errors(status, code):
    body = json.dumps({"error": {"code": status, "message": "x", "status": "Y"}}).encode()
    responses.add(responses.POST, URL, body=body, status=status, content_type="text/event-stream")
    assert run()[0].error.code == code


@responses.activate
def test_error_object_in_a_data_line_keeps_text():
    body = sse(text_chunk("partial "), {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}})
    responses.add(responses.POST, URL, body=body, content_type="text/event-stream")
    stream, text, _ = run()
    assert text == "partial " and stream.error.code == "overloaded"


@responses.activate
def test_bare_multiline_error_after_200(fixtures_dir):
    with open(os.path.join(fixtures_dir, "issue_vercel_ai_5217_mid_stream_503.txt"), "rb") as f:
        body = f.read()
    responses.add(responses.POST, URL, body=body, content_type="text/event-stream")
    stream, text, _ = run()
    assert text and stream.error.code == "overloaded"


@responses.activate
def test_login_page_is_not_an_event_stream():
    responses.add(responses.POST, URL, body=b"<html>Welcome to Hotel Wi-Fi</html>", content_type="text/html")
    stream, text, _ = run()
    assert stream.error.code == "not_event_stream" and "Wi-Fi logged in" in stream.error.message


@responses.activate
def test_broken_json_line_is_skipped_and_counted():
    body = sse(text_chunk("a")) + b"data: {not json\r\n\r\n" + sse(text_chunk("b", finish="STOP"))
    responses.add(responses.POST, URL, body=body, content_type="text/event-stream")
    stream, text, _ = run()
    assert text == "ab" and stream.decoder.damaged == 1 and stream.error is None


def test_connection_refused():
    stream, _, _ = run(url=gemini.stream_url("http://127.0.0.1:9", "m"))
    assert stream.error.code == "no_network"


def test_dns_failure():
    stream, _, _ = run(url=gemini.stream_url("http://no-such-host.invalid", "m"))
    assert stream.error.code == "dns"


# -- the real wire: framing, gzip, timing, drops, stalls, stop ----------------------

BODY = sse(text_chunk("Grüße, "), text_chunk("你好 \u2028 "), text_chunk("🙂", finish="STOP"))


@pytest.mark.parametrize("framing", ["chunked", "close", "length"])
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("how", ["whole", "bytes", "crlf", "utf8", "random"])
def test_same_text_for_every_framing_encoding_and_split(upstream, framing, gz, how):
    upstream.script(Reply(body=BODY, pieces=split(BODY, how), framing=framing, gzip=gz))
    stream, text, _ = run(url=gemini.stream_url(upstream.url, "m"))
    assert stream.error is None and text == "Grüße, 你好 \u2028 🙂"


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_event_passed_on_as_soon_as_its_line_arrives(upstream, framing):
    """requests' iter_lines would hold a short event back (512-byte reads), and with
    chunk_size=None a close-delimited body until its end."""
    first, rest = sse(text_chunk("first")), sse(text_chunk("second", finish="STOP"))
    upstream.script(Reply(body=first + rest, pieces=[first, rest], framing=framing, delay=1.0))
    stream = open_stream(gemini.stream_url(upstream.url, "m"))
    got = []
    for delta in stream:
        got.append((delta.text, time.monotonic()))
    assert [t for t, _ in got] == ["first", "second"]
    assert got[0][1] - upstream.sent[0] < 0.2          # not held back for the 1 s pause
    assert got[1][1] - got[0][1] > 0.8


def test_connection_dropped_mid_reply_keeps_text(upstream):
    upstream.script(Reply(body=BODY, pieces=split(BODY, "crlf"), drop_after=2))
    stream, text, _ = run(url=gemini.stream_url(upstream.url, "m"))
    assert text.startswith("Grüße") and stream.error.code == "dropped"


def test_close_delimited_body_ending_early_is_dropped(upstream):
    upstream.script(Reply(body=BODY[:40], framing="close"))
    stream, _, _ = run(url=gemini.stream_url(upstream.url, "m"))
    assert stream.error.code == "dropped"


def test_stalled_read_times_out(upstream):
    upstream.script(Reply(body=BODY, pieces=split(BODY, "crlf"), stall_after=2, stall_seconds=10))
    started = time.monotonic()
    stream, text, _ = run(url=gemini.stream_url(upstream.url, "m"), timeouts={"read": 0.5})
    assert stream.error.code == "stalled" and text.startswith("Grüße")
    assert time.monotonic() - started < 5


def test_close_from_another_thread_ends_a_blocked_read_at_once(upstream):
    upstream.script(Reply(body=BODY, pieces=split(BODY, "crlf"), stall_after=2, stall_seconds=20))
    stream = open_stream(gemini.stream_url(upstream.url, "m"))
    got = []
    reader = threading.Thread(target=lambda: got.extend(stream))
    reader.start()
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    stream.close()
    reader.join(5)
    # well before the 20 s stall ends the read by itself (a bound tied to the stall, not a
    # speed target, so a slow machine can't fail it)
    assert not reader.is_alive() and time.monotonic() - started < 10
    assert stream.stopped and stream.error is None


def test_close_before_the_headers_arrive_ends_at_once(upstream):
    """A thinking model may send its headers late: Stop must not wait for them."""
    upstream.script(Reply(body=BODY, head_delay=20))
    stream = open_stream(gemini.stream_url(upstream.url, "m"))
    reader = threading.Thread(target=lambda: list(stream))
    reader.start()
    deadline = time.monotonic() + 5
    while not upstream.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    started = time.monotonic()
    stream.close()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 10   # not the headers' 20 s
    assert stream.stopped and stream.error is None

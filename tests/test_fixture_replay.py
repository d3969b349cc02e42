"""Every real capture in tests/fixtures/gemini, replayed over real loopback HTTP
through the whole server (upstream -> client -> reply -> store -> long poll), under
several chunkings: the text and the status must be the same for every split, and so
must the sources, searches and URL statuses of the grounded ones (GROUNDED)."""
import glob
import json
import os

import pytest

from kindlechat.providers import gemini
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream, split

# fixture: (status, error code or None, finish reason or None).  Why each is right:
EXPECTED = {
    "aimock_malformed_function_call_maxtokens16.sse": ("done", None, "MALFORMED_FUNCTION_CALL"),
    "aimock_thought_then_max_tokens.sse": ("done", None, "MAX_TOKENS"),
    "fb_code_execution.sse": ("done", None, None),
    "fb_empty_parts_then_image.sse": ("done", None, None),
    "fb_finish_message.sse": ("done", None, None),           # STOP + finishMessage: normal
    "fb_last_chunk_no_parts.sse": ("done", None, None),       # last chunk has no parts, STOP
    "fb_plain_text_long.sse": ("done", None, None),
    "fb_plain_text_short.sse": ("done", None, None),
    "fb_prompt_blocked_safety.sse": ("error", "blocked", None),
    "fb_recitation_no_content.sse": ("done", None, "RECITATION"),
    "fb_thought_function_call_signature.sse": ("done", None, None),
    "fb_thought_summary_reply.sse": ("done", None, None),
    "fb_url_context.sse": ("done", None, None),
    "fb_vertex_empty_text_part.sse": ("done", None, None),
    "fb_vertex_error_mid_stream.sse": ("error", "cancelled", None),   # bare JSON 499 after 200
    "fb_vertex_prompt_blocked_with_message.sse": ("error", "blocked", None),
    "fb_vertex_utf8.sse": ("done", None, None),
    "gaijs_finish_reason_safety.sse": ("done", None, "SAFETY"),
    "gaijs_function_call_short.sse": ("done", None, None),
    "gaijs_unknown_enum.sse": ("done", None, "FAKE_ENUM"),
    "issue_vercel_ai_5217_mid_stream_503.txt": ("error", "overloaded", None),
    "pai_function_call_gemini20flash.sse": ("done", None, None),
    "pai_google_search_gemini25pro.sse": ("done", None, None),
    "pai_url_context_gemini25flash.sse": ("done", None, None),
    "pai_gemini3pro_function_call_thought_signature.sse": ("done", None, None),
    "pai_gemini3pro_text_after_tool.sse": ("done", None, None),
    "pai_multi_part_chunk_code_execution_gemini3flash.sse": ("done", None, None),
    "pai_plain_text_gemini20flashexp.sse": ("done", None, None),
    "pai_thought_parts_gemini25pro.sse": ("done", None, None),
    "pai_usage_each_chunk_gemini25flash.sse": ("done", None, None),
}
# fixture: (source (title, site) pairs, searches, URL statuses), read off each capture's
# last non-empty groundingMetadata and its urlContextMetadata; every other capture
# carries none of the three. The search capture's sources are Google redirect links
# but one, so their site is the domain Google puts in the title.
GROUNDED = {
    "pai_google_search_gemini25pro.sse": (
        [("Weather information for San Francisco, CA, US", "google.com"), ("timeanddate.com", "timeanddate.com"),
         ("weather.gov", "weather.gov"), ("wunderground.com", "wunderground.com"),
         ("accuweather.com", "accuweather.com")],
        ["weather in San Francisco today"], None),
    "pai_url_context_gemini25flash.sse": (
        [("Pydantic AI", "ai.pydantic.dev")], None, [{"url": "https://ai.pydantic.dev", "status": "SUCCESS"}]),
    "fb_url_context.sse": ([("Google", "google.com")], None, [{"url": "https://google.com", "status": "SUCCESS"}]),
}
CHUNKINGS = ["whole", "bytes", "crlf", "utf8", "random"]
# A pause between sends, so the pieces reach the client as separate reads rather
# than coalesced by loopback TCP.
PAUSE = {"whole": 0, "bytes": 0.0001, "crlf": 0.001, "utf8": 0.001, "random": 0.0005}


def reference_text(body):
    """The answer's text read the simplest way: every `data:` line's JSON, its parts."""
    out = []
    for line in body.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line.startswith(b"data:"):
            continue
        chunk = json.loads(line[5:].decode("utf-8"))
        for cand in chunk.get("candidates", [])[:1]:
            for part in (cand.get("content") or {}).get("parts", []):
                if not part.get("thought"):
                    out.append(gemini.part_text(part))
    return "".join(out)


@pytest.fixture(scope="module")
def relay(tmp_path_factory):
    """One upstream and one server process for the module."""
    up = Upstream().start()
    srv = ServerProcess(tmp_path_factory.mktemp("replay") / "data", "--gemini-url", up.url,
                        "--throttle-ms", "0", env={"GEMINI_API_KEY": "test-key"}).start()
    yield up, srv
    srv.stop()
    up.stop()


def extras_of(message):
    """(source (title, site) pairs, queries, urls) of a message or poll answer."""
    sources = message.get("sources")
    return ([(x["title"], x["site"]) for x in sources] if sources is not None else None,
            message.get("queries"), message.get("urls"))


def test_every_fixture_is_listed(fixtures_dir):
    paths = glob.glob(os.path.join(fixtures_dir, "*.sse")) + glob.glob(os.path.join(fixtures_dir, "*.txt"))
    names = {os.path.basename(p) for p in paths}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_through_the_server(relay, fixtures_dir, name):
    up, srv = relay
    with open(os.path.join(fixtures_dir, name), "rb") as f:
        body = f.read()
    status, code, reason = EXPECTED[name]
    seen = set()
    for how in CHUNKINGS:
        framing = "close" if how == "random" else "chunked"
        up.script(Reply(body=body, pieces=split(body, how), framing=framing, delay=PAUSE[how]))
        cid = srv.new_chat()
        answer = srv.read_reply(cid, srv.send(cid, "replay " + name))
        got = (answer["status"], (answer.get("error") or {}).get("code"),
               (answer.get("finish") or {}).get("reason"))
        assert got == (status, code, reason), (how, answer)
        stored = srv.get("/api/chats/" + cid)["messages"][1]
        assert stored["text"] == answer["text"] and stored["status"] == status
        grounded = GROUNDED.get(name, (None, None, None))
        assert extras_of(answer) == grounded, (how, answer)
        assert extras_of(stored) == grounded, how
        seen.add(answer["text"])
    assert len(seen) == 1, "the text differs between chunkings"
    assert seen.pop() == reference_text(body)

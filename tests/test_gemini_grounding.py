"""Search grounding and URL context (issue 13, must 1-2, 4): what the request asks
for, and what the decoder makes of Gemini's groundingMetadata and urlContextMetadata,
at every chunk boundary of the real captures; and over a real loopback upstream, the
sources of a reply shown while it still streams."""
import json
import os
import random

import pytest

from kindlechat.providers import gemini, gemini_grounding, sse
from kindlechat.providers.stream import ReplyStream
from kindlechat.providers.transport import Transport
from testkit.fixtures import gemini_dir
from testkit.gemini_chunks import chunk, event
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream

SEARCH = "pai_google_search_gemini25pro.sse"
URLS = "pai_url_context_gemini25flash.sse"


def read(name):
    with open(os.path.join(gemini_dir(), name), "rb") as f:
        return f.read()


def decoded(pieces):
    """(sources, queries, urls, text) of a body fed in pieces."""
    lines, decoder, text = sse.LineDecoder(), gemini.Decoder(), []
    for piece in pieces:
        for line in lines.feed(piece):
            text += decoder.feed(line)
    text += decoder.end()
    return decoder.sources, decoder.queries, decoder.urls, "".join(d.text for d in text)


# -- the real captures, cut everywhere --------------------------------------------

@pytest.mark.parametrize("name", [SEARCH, URLS, "fb_url_context.sse"])
def test_every_cut_of_a_grounded_capture_gives_the_same_sources(name):
    body = read(name)
    whole = decoded([body])
    assert whole[0], "the capture names sources"
    cuts = range(1, len(body)) if len(body) <= 4096 else random.Random(name).sample(range(1, len(body)), 800)
    for cut in cuts:
        assert decoded([body[:cut], body[cut:]]) == whole, cut


def test_the_search_capture_gives_its_sources_and_searches():
    sources, queries, urls, text = decoded([read(SEARCH)])
    assert [s["site"] for s in sources] == ["google.com", "timeanddate.com", "weather.gov", "wunderground.com",
                                            "accuweather.com"]
    assert all(s["uri"].startswith("https://") for s in sources)
    assert sources[1]["uri"].startswith("https://vertexaisearch.cloud.google.com/grounding-api-redirect/")
    assert queries == ["weather in San Francisco today"] and urls is None
    assert "<style>" not in json.dumps(sources), "searchEntryPoint's HTML is not carried"
    assert text.startswith("### Weather in San Francisco")


def test_the_url_capture_gives_the_page_and_its_status():
    sources, queries, urls, _ = decoded([read(URLS)])
    assert urls == [{"url": "https://ai.pydantic.dev", "status": "SUCCESS"}]
    assert sources == [{"title": "Pydantic AI", "uri": "https://ai.pydantic.dev", "site": "ai.pydantic.dev"}]
    assert queries is None


def test_a_plain_capture_names_nothing():
    assert decoded([read("fb_plain_text_short.sse")])[:3] == (None, None, None)


# -- the rules of collecting -------------------------------------------------------

def grounded(text, meta=None, urls=None, finish=None):
    c = chunk(text, finish=finish)
    if meta is not None:
        c["candidates"][0]["groundingMetadata"] = meta
    if urls is not None:
        c["candidates"][0]["urlContextMetadata"] = {"urlMetadata": urls}
    return event(c)


def web(title, uri="https://example.org/"):
    return {"web": {"title": title, "uri": uri}}


def test_empty_metadata_after_the_full_one_does_not_erase_it_and_the_last_full_one_wins():
    body = (grounded("a", {}) + grounded("b", {"groundingChunks": [web("first")]}) + grounded("c", {})
            + grounded("d", {"groundingChunks": [web("second")], "webSearchQueries": ["q"]})
            + grounded("", {}, finish="STOP"))
    sources, queries, _, text = decoded([body])
    assert [s["title"] for s in sources] == ["second"] and queries == ["q"] and text == "abcd"


def test_url_statuses_are_merged_over_the_chunks_in_first_seen_order():
    body = (grounded("a", urls=[{"retrievedUrl": "https://a.example", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_ERROR"}])
            + grounded("b", urls=[{"retrievedUrl": "https://b.example", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_PAYWALL"},
                                  {"retrievedUrl": "https://a.example", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS"}])
            + grounded("", finish="STOP"))
    assert decoded([body])[2] == [{"url": "https://a.example", "status": "SUCCESS"},
                                  {"url": "https://b.example", "status": "PAYWALL"}]


def test_hostile_metadata_is_bounded_and_typed():
    meta = {"groundingChunks": [web("t" * 5000, "https://x.example/" + "p" * 5000)] * 1000 + [{"web": 5}, 7],
            "webSearchQueries": ["q", 5, None, ""]}
    sources, queries, _, _ = decoded([grounded("x", meta, finish="STOP")])
    assert len(sources) == gemini_grounding.MAX_ITEMS
    assert len(sources[0]["title"]) == gemini_grounding.MAX_TITLE and len(sources[0]["uri"]) == gemini_grounding.MAX_URI
    assert queries == ["q"]


# -- the request ---------------------------------------------------------------------

BASE = {"model": "gemini-2.5-flash", "google_search": False, "url_context": True,
        "thinking_budget": None, "thinking_level": "", "show_thoughts": False}


@pytest.mark.parametrize("search, setting, text, tools", [
    (None, False, "Hi", None),
    (None, True, "Hi", [{"google_search": {}}]),
    (False, True, "Hi", None),
    (True, False, "Hi", [{"google_search": {}}]),
    (None, False, "Summarise https://example.org/a.html", [{"url_context": {}}]),
    (None, False, "What does www.example.org say?", [{"url_context": {}}]),
    (True, False, "Compare https://example.org with the news", [{"google_search": {}}, {"url_context": {}}]),
])
def test_tools_follow_the_message_and_the_settings(search, setting, text, tools):
    body = gemini.build_body([("user", text)], dict(BASE, google_search=setting), {"search": search})
    assert body.get("tools") == tools


def test_url_context_off_sends_no_url_tool_and_only_the_last_message_counts():
    off = gemini.build_body([("user", "Read https://example.org")], dict(BASE, url_context=False))
    older = gemini.build_body([("user", "Read https://example.org"), ("model", "Done."), ("user", "Thanks")], BASE)
    assert "tools" not in off and "tools" not in older


@pytest.mark.parametrize("model, thinking, want", [
    ("gemini-3-flash-preview", None, {"thinkingLevel": "LOW", "includeThoughts": True}),
    ("gemini-3.1-pro-preview", True, {"thinkingLevel": "LOW", "includeThoughts": True}),
    ("gemini-2.5-flash", None, {"thinkingBudget": 512, "includeThoughts": True}),
    # an alias (no version in its name) takes the knob the reader set: the level, when set (issue 21)
    ("gemini-flash-latest", True, {"thinkingLevel": "LOW", "includeThoughts": True}),
    ("gemini-2.0-flash", False, None),
])
def test_thinking_goes_to_the_knob_the_model_takes_and_never_both(model, thinking, want):
    settings = dict(BASE, model=model, thinking_budget=512, thinking_level="LOW", show_thoughts=True)
    config = gemini.build_body([("user", "Hi")], settings, {"thinking": thinking}).get("generationConfig", {})
    assert config.get("thinkingConfig") == want


def test_an_empty_level_leaves_a_gemini_3_model_at_its_default():
    body = gemini.build_body([("user", "Hi")], dict(BASE, model="gemini-3-pro-preview", thinking_budget=512))
    assert "generationConfig" not in body


# -- over the network --------------------------------------------------------------

def test_the_key_quoted_in_a_source_is_masked():
    key = "AIzaSyTestKey-0123456789"
    up = Upstream().start()
    try:
        up.script(Reply(body=grounded("x", {"groundingChunks": [web("relay", "https://r.example/?k=" + key)]},
                                      finish="STOP")))
        headers = {"x-goog-api-key": key, "Content-Type": "application/json"}
        stream = ReplyStream(Transport().exchange(up.url + "/v1beta/models/m:streamGenerateContent?alt=sse",
                                                  headers, b"{}"), gemini.Decoder(), key)
        list(stream)
    finally:
        up.stop()
    assert key not in json.dumps(stream.sources) and "(your API key)" in stream.sources[0]["uri"]


def test_sources_and_url_statuses_show_in_the_poll_while_the_reply_streams(tmp_path):
    """The first chunk names the page read; the upstream then holds the rest back:
    the poll answer already carries it, with the status still streaming."""
    first = grounded("Reading it. ", {}, urls=[{"retrievedUrl": "https://example.org",
                                                "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_UNSAFE"}])
    up = Upstream().start()
    up.script(Reply(body=first + grounded("", finish="STOP"), pieces=[first, b"rest"], stall_after=1,
                    stall_seconds=30))
    srv = ServerProcess(tmp_path / "data", "--gemini-url", up.url, "--throttle-ms", "0",
                        env={"GEMINI_API_KEY": "test-key"}).start()
    try:
        cid = srv.new_chat()
        index = srv.send(cid, "What is on https://example.org?")
        answer = srv.get("/api/chats/%s/messages/%d?from=0&wait=10" % (cid, index))
        assert answer["status"] == "streaming" and answer["text"] == "Reading it. "
        assert answer["urls"] == [{"url": "https://example.org", "status": "UNSAFE"}]
        sent = json.loads(up.requests[-1]["body"])
        assert sent["tools"] == [{"url_context": {}}]
        srv.post("/api/chats/%s/messages/%d/stop" % (cid, index))
        stored = srv.get("/api/chats/" + cid)["messages"][index]
        assert stored["status"] == "stopped" and stored["urls"] == answer["urls"]
    finally:
        srv.stop()
        up.stop()

"""GET /api/models (issue 13, must 3): Gemini's model list, every page, the models
that write replies, kept for the server's life, fetched again on ?refresh=1 or a new
key; errors in plain words; the emulator's list in demo mode; and the list's word
on thinking used for the request. Real server processes, real loopback upstreams."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from testkit.ports import free_port
from testkit.serverproc import HTTPFailure, ServerProcess
from testkit.upstream import Reply, Upstream

KEY = "test-key-models-0001"


def model(name, methods=("generateContent", "countTokens"), thinking=None, display=None):
    out = {"name": "models/" + name, "version": "001", "displayName": display or name.title(),
           "inputTokenLimit": 1048576, "outputTokenLimit": 65536, "supportedGenerationMethods": list(methods)}
    if thinking is not None:
        out["thinking"] = thinking
    return out


def page(models, token=None):
    doc = {"models": models}
    if token:
        doc["nextPageToken"] = token
    return Reply(body=json.dumps(doc, indent=2).encode("utf-8"), content_type="application/json; charset=UTF-8",
                 framing="length")


PAGES = [page([model("gemini-2.5-flash", thinking=True, display="Gemini 2.5 Flash"),
               model("text-embedding-004", methods=("embedContent",))], token="tok/2+"),
         page([model("gemini-2.0-flash", thinking=False), model("gemini-3-flash-preview", thinking=True)],
              token="tok3"),
         page([model("aqa", methods=("generateAnswer",)), model("gemini-flash-latest")])]
WANT = [{"name": "gemini-2.5-flash", "display_name": "Gemini 2.5 Flash", "thinking": True},
        {"name": "gemini-2.0-flash", "display_name": "Gemini-2.0-Flash", "thinking": False},
        {"name": "gemini-3-flash-preview", "display_name": "Gemini-3-Flash-Preview", "thinking": True},
        {"name": "gemini-flash-latest", "display_name": "Gemini-Flash-Latest", "thinking": None}]
# Each with whether the key may use it (model_notes) and the thinking levels to offer.
ALL = ["MINIMAL", "LOW", "MEDIUM", "HIGH"]
WANT = [dict(m, available=True, levels=[] if m["thinking"] is False else ALL) for m in WANT]


@pytest.fixture
def served(tmp_path):
    up = Upstream().start()
    srv = ServerProcess(tmp_path / "data", "--gemini-url", up.url + "/relay", "--throttle-ms", "0",
                        env={"GEMINI_API_KEY": KEY}).start()
    yield up, srv
    srv.stop()
    up.stop()


def model_requests(up):
    return [r for r in up.requests if r["method"] == "GET"]


def test_every_page_is_followed_and_only_reply_models_kept(served):
    up, srv = served
    up.script(*PAGES)
    assert srv.get("/api/models") == {"models": WANT}
    asked = model_requests(up)
    assert [urlsplit(r["path"]).path for r in asked] == ["/relay/v1beta/models"] * 3
    assert [parse_qs(urlsplit(r["path"]).query).get("pageToken") for r in asked] == [None, ["tok/2+"], ["tok3"]]
    assert all(r["headers"]["x-goog-api-key"] == KEY and KEY not in r["path"] for r in asked)


def test_the_list_is_kept_and_fetched_again_on_refresh(served):
    up, srv = served
    up.script(*PAGES)
    srv.get("/api/models")
    assert srv.get("/api/models") == {"models": WANT} and len(model_requests(up)) == 3
    up.script(page([model("gemini-9-ultra")]))
    assert srv.get("/api/models?refresh=1")["models"][0]["name"] == "gemini-9-ultra"
    assert len(model_requests(up)) == 4


def test_a_new_key_fetches_a_new_list(served):
    up, srv = served
    up.script(page([model("gemini-2.5-flash")]), page([model("gemini-2.5-pro")]))
    assert srv.get("/api/models")["models"][0]["name"] == "gemini-2.5-flash"
    srv.request("PUT", "/api/settings", {"api_key": "another-key-0002"})
    assert srv.get("/api/models")["models"][0]["name"] == "gemini-2.5-pro"
    assert model_requests(up)[-1]["headers"]["x-goog-api-key"] == "another-key-0002"


def test_a_bad_key_is_said_plainly_and_not_kept(served):
    up, srv = served
    bad = json.dumps({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                "status": "INVALID_ARGUMENT", "details": [
                                    {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                     "reason": "API_KEY_INVALID"}]}}).encode()
    up.script(Reply(status=400, body=bad, content_type="application/json", framing="length"), *PAGES)
    with pytest.raises(HTTPFailure) as info:
        srv.get("/api/models")
    assert info.value.status == 502 and info.value.body["error"]["code"] == "api_key_invalid"
    assert "Settings" in info.value.body["error"]["message"]
    assert srv.get("/api/models") == {"models": WANT}, "the error was not cached"


def test_a_login_page_is_not_taken_for_a_list(served):
    up, srv = served
    up.script(Reply(body=b"<html><body>Accept the terms</body></html>", content_type="text/html", framing="length"))
    with pytest.raises(HTTPFailure) as info:
        srv.get("/api/models")
    assert info.value.body["error"]["code"] == "not_event_stream"
    assert "Wi-Fi" in info.value.body["error"]["message"]


def test_offline_is_said_plainly_and_the_model_stays(tmp_path):
    srv = ServerProcess(tmp_path / "data", "--gemini-url", "http://127.0.0.1:%d" % free_port(),
                        "--connect-timeout", "2", env={"GEMINI_API_KEY": KEY}).start()
    try:
        with pytest.raises(HTTPFailure) as info:
            srv.get("/api/models")
        assert info.value.status == 502 and info.value.body["error"]["code"] == "no_network"
        assert "Wi-Fi" in info.value.body["error"]["message"]
        assert srv.get("/api/settings")["model"] == "gemini-flash-latest"
    finally:
        srv.stop()


def test_the_lists_word_on_thinking_shapes_the_request(served):
    """gemini-2.0-flash does not think, says the list: no thinking budget goes to it;
    gemini-3-flash-preview thinks and takes a level, never a budget."""
    up, srv = served
    up.script(*PAGES)
    srv.get("/api/models")
    stream = b'data: {"candidates": [{"content": {"parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}\r\n\r\n'
    sent = {}
    for name in ("gemini-2.0-flash", "gemini-3-flash-preview", "gemini-2.5-flash"):
        srv.request("PUT", "/api/settings", {"model": name, "thinking_budget": 256, "thinking_level": "high"})
        up.script(Reply(body=stream))
        cid = srv.new_chat()
        assert srv.read_reply(cid, srv.send(cid, "Hi"))["status"] == "done"
        sent[name] = json.loads(up.requests[-1]["body"]).get("generationConfig", {}).get("thinkingConfig")
    assert sent == {"gemini-2.0-flash": None, "gemini-3-flash-preview": {"thinkingLevel": "HIGH"},
                    "gemini-2.5-flash": {"thinkingBudget": 256}}


def test_demo_mode_lists_the_emulators_models_over_its_two_pages(tmp_path):
    srv = ServerProcess(tmp_path / "data", "--demo").start()
    try:
        names = [m["name"] for m in srv.get("/api/models")["models"]]
    finally:
        srv.stop()
    assert "gemini-3.8-flash" in names and "gemma-3-27b-it" in names, "both pages"
    assert "gemini-flash-latest" in names and not any("embedding" in n for n in names)
    assert not any(n.startswith("models/") for n in names)

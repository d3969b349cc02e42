"""Issue 21's "Done when", against a loopback upstream that behaves like today's Gemini
(testkit/today.py: the lineup of December 2026 and its real error bodies), through the
whole server, and in demo mode with the same words:

- a fresh data folder and a key: the first message gets its reply, no setting touched;
- a settings.json naming gemini-2.5-flash: the replacement is offered, the tap (what
  the page sends) answers, and the list marks 2.5 unavailable, after a restart too;
- a MINIMAL the model refused is never sent again, after a restart too;
- an Ollama profile whose computer is off says so in Ollama's name.
"""
import json
import os

import pytest

from testkit.ports import free_port
from testkit.serverproc import ServerProcess
from testkit.today import ANSWER, Today, asked
from testkit.upstream import Reply, Upstream

KEY = "today-key-0123456789"


@pytest.fixture
def today():
    up = Upstream(route=Today()).start()
    yield up
    up.stop()


def start(data, up=None, settings=None, *flags):
    os.makedirs(str(data), exist_ok=True)
    if settings is not None:
        with open(os.path.join(str(data), "settings.json"), "w") as f:
            json.dump(settings, f)
    where = ("--gemini-url", up.url) if up is not None else ("--demo",)
    env = {"GEMINI_API_KEY": KEY} if up is not None else {}
    return ServerProcess(data, *(where + ("--throttle-ms", "0") + flags), env=env).start()


def ask(srv, text="Hi", cid=None):
    cid = cid or srv.new_chat()
    return cid, srv.read_reply(cid, srv.send(cid, text))


def tap_switch(srv, cid, name):
    """What the page's one tap sends: the chat's profile model, then Retry."""
    srv.request("PUT", "/api/settings", {"profiles": {"Gemini": {"model": name}}})
    return srv.read_reply(cid, srv.post("/api/chats/%s/retry" % cid)["index"])


def availability(srv):
    return {m["name"]: m["available"] for m in srv.get("/api/models")["models"]}


def test_a_fresh_install_answers_the_first_message_untouched(tmp_path, today):
    srv = start(tmp_path / "data", today)
    try:
        cid, answer = ask(srv)
        chat = srv.get("/api/chats/" + cid)
    finally:
        srv.stop()
    assert answer["status"] == "done" and chat["messages"][-1]["text"] == ANSWER
    model, body = asked(today)[-1]
    assert model == "gemini-flash-latest" and chat["model"] == "gemini-flash-latest"
    # Never a setting the reader did not set: temperature, topP and topK are deprecated.
    assert not set(body.get("generationConfig", {})) & {"temperature", "topP", "topK"}


def test_a_retired_model_is_switched_in_one_tap_and_remembered(tmp_path, today):
    data = tmp_path / "data"
    srv = start(data, today, {"model": "gemini-2.5-flash"})
    try:
        cid, answer = ask(srv)
        error = answer["error"]
        assert answer["status"] == "error" and error["code"] == "model_unavailable" and error["switch"] is True
        assert error["model"] == "gemini-2.5-flash" and error["replacement"] == "gemini-3.8-flash"
        assert "gemini-2.5-flash" in error["message"] and "no longer" in error["message"]
        again = tap_switch(srv, cid, error["replacement"])
        assert again["status"] == "done" and asked(today)[-1][0] == "gemini-3.8-flash"
        assert srv.get("/api/chats/" + cid)["model"] == "gemini-3.8-flash", "the header shows the next reply's model"
        assert availability(srv)["gemini-2.5-flash"] is False and availability(srv)["gemini-3.8-flash"] is True
    finally:
        srv.stop()
    srv = start(data, today)
    try:
        assert availability(srv)["gemini-2.5-flash"] is False, "a restart remembers it"
    finally:
        srv.stop()
    with open(os.path.join(str(data), "models.json"), "rb") as f:
        assert KEY.encode() not in f.read(), "the key itself is never written"


def test_with_no_replacement_named_the_newest_stable_flash_of_the_list_is_offered(tmp_path, today):
    preview = os.path.join(os.path.dirname(__file__), "fixtures", "gemini", "err_404_retired_preview_9router_1496.json")
    with open(preview, "rb") as f:
        body = f.read()
    route = Today()
    today.route = lambda r: Reply(status=404, body=body, content_type="application/json", framing="length") \
        if "flash-lite-preview:" in r["path"] else route(r)
    srv = start(tmp_path / "data", today, {"model": "gemini-3.1-flash-lite-preview"})
    try:
        _, answer = ask(srv)
    finally:
        srv.stop()
    assert answer["error"]["code"] == "model_unavailable" and answer["error"]["replacement"] == "gemini-3.8-flash"


def test_a_refused_thinking_level_is_never_sent_again(tmp_path, today):
    data = tmp_path / "data"
    srv = start(data, today, {"thinking_level": "MINIMAL"})
    try:
        cid, answer = ask(srv)
        error = answer["error"]
        assert error["code"] == "thinking_refused" and error["level"] == "MINIMAL" and error["use_default"] is True
        assert "MINIMAL" in error["message"]
        again = srv.read_reply(cid, srv.post("/api/chats/%s/retry" % cid)["index"])
        assert again["status"] == "done"
        levels = {m["name"]: m["levels"] for m in srv.get("/api/models")["models"]}
        assert levels["gemini-flash-latest"] == ["LOW", "MEDIUM", "HIGH"]
        assert "MINIMAL" not in levels["gemini-3.8-flash"], "Google documents it: not offered before a 400"
    finally:
        srv.stop()
    srv = start(data, today)
    try:
        assert ask(srv)[1]["status"] == "done"
        srv.request("PUT", "/api/settings", {"model": "gemini-3.8-flash"})
        assert ask(srv)[1]["status"] == "done"
    finally:
        srv.stop()
    sent = [(m, b.get("generationConfig", {}).get("thinkingConfig", {}).get("thinkingLevel")) for m, b in asked(today)]
    assert sent.count(("gemini-flash-latest", "MINIMAL")) == 1, sent
    assert ("gemini-3.8-flash", "MINIMAL") not in sent


def test_an_ollama_profile_whose_computer_is_off_says_so_in_its_name(tmp_path, today):
    off = "http://127.0.0.1:%d" % free_port()
    srv = start(tmp_path / "data", today, {"profile": "Ollama", "profiles": {
        "Ollama": {"kind": "ollama", "base_url": off, "model": "qwen3:0.6b", "api_key": ""}}},
        "--connect-timeout", "2")
    try:
        cid, answer = ask(srv)
        chat = srv.get("/api/chats/" + cid)
    finally:
        srv.stop()
    message = answer["error"]["message"]
    assert answer["error"]["code"] == "no_network" and "Ollama at 127.0.0.1" in message
    assert "Gemini" not in message and "computer" in message
    assert chat["profile"] == "Ollama", "the page heads the reply with the profile's name"


def test_demo_mode_says_the_same_words(tmp_path, today):
    live = start(tmp_path / "live", today, {"model": "gemini-2.5-flash"})
    try:
        live_error = ask(live)[1]["error"]
    finally:
        live.stop()
    demo = start(tmp_path / "demo", None, {"model": "gemini-2.5-flash"})
    try:
        cid, answer = ask(demo)
        assert answer["error"]["message"] == live_error["message"]
        assert tap_switch(demo, cid, answer["error"]["replacement"])["status"] == "done"
        assert availability(demo)["gemini-2.5-flash"] is False
        # demo:retired shows the switch for any model, from the emulator's own list
        demo.request("PUT", "/api/settings", {"model": "gemini-3.7-flash"})
        cid, answer = ask(demo, "demo:retired Which model?")
        assert answer["error"]["code"] == "model_unavailable" and answer["error"]["replacement"] == "gemini-3.8-flash"
        assert tap_switch(demo, cid, "gemini-3.8-flash")["status"] == "done"
    finally:
        demo.stop()


def test_a_days_quota_suggests_lighter_models_of_the_keys_list(tmp_path, today):
    per_day = os.path.join(os.path.dirname(__file__), "fixtures", "gemini", "err_429_per_day_stremio_170.json")
    per_minute = os.path.join(os.path.dirname(__file__), "fixtures", "gemini", "err_429_retryinfo_vercel.json")
    bodies = []
    for path in (per_day, per_minute):
        with open(path, "rb") as f:
            bodies.append(f.read())
    route = Today()
    today.route = lambda r: Reply(status=429, body=bodies.pop(0), content_type="application/json",
                                  framing="length") if bodies and ":stream" in r["path"] else route(r)
    srv = start(tmp_path / "data", today, {"model": "gemini-3.8-flash"})
    try:
        day = ask(srv)[1]["error"]
        minute = ask(srv)[1]["error"]
    finally:
        srv.stop()
    assert day["code"] == "daily_quota" and day["switch"] is True and "per day" in day["message"]
    # From the key's own list: Flash-Lite first, never the model whose day is used up.
    assert day["suggest"] and "lite" in day["suggest"][0] and "gemini-3.8-flash" not in day["suggest"]
    from testkit.today import LISTED
    assert set(day["suggest"]) <= set(LISTED)
    assert minute["code"] == "rate_limited" and "per-minute" in minute["message"]


def test_another_service_refusing_its_model_offers_one_of_its_own_list(tmp_path):
    demo = start(tmp_path / "demo", None, {"profile": "Ollama", "profiles": {
        "Ollama": {"kind": "ollama", "base_url": "http://192.168.1.20:11434", "model": "qwen3:demo", "api_key": ""}}})
    try:
        cid, answer = ask(demo, "demo:retired Hello")
        listed = [m["name"] for m in demo.get("/api/models")["models"]]
    finally:
        demo.stop()
    error = answer["error"]
    assert error["code"] == "model_unavailable" and error["switch"] is True
    assert "Ollama at 192.168.1.20" in error["message"] and "qwen3:demo" in error["message"]
    assert error["replacement"] in listed and error["replacement"] != "qwen3:demo"

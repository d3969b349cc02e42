"""Provider profiles over the API and on disk (profiles.py, settings.py): an old
settings.json is the Gemini profile as it stands and loses nothing; keys are
write-only; a null profile is deleted; bad profiles get plain words and change
nothing; the presets are one table the page reads."""
import json
import os
import stat

import pytest

from kindlechat.providers import profiles
from kindlechat import settings
from testkit.serverproc import HTTPFailure, ServerProcess

OLD = {"api_key": "AIza-old-0123456789", "model": "gemini-2.5-pro", "temperature": 0.4,
       "system_instruction": "Be brief.", "show_thoughts": True, "thinking_budget": 512,
       "gemini_url": "https://relay.example/g", "throttle_ms": 700}


@pytest.fixture
def old_server(tmp_path):
    """A server started on a settings.json written before profiles existed."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps(OLD, indent=1))
    srv = ServerProcess(data).start()
    yield srv
    srv.stop()


def test_an_old_settings_file_is_the_gemini_profile_without_loss(old_server):
    shown = old_server.get("/api/settings")
    gemini = shown["profiles"]["Gemini"]
    assert shown["profile"] == "Gemini" and shown["model"] == "gemini-2.5-pro" and shown["api_key_set"]
    assert (gemini["kind"], gemini["base_url"], gemini["model"], gemini["api_key_set"]) == \
        ("gemini", "https://relay.example/g", "gemini-2.5-pro", True)
    assert gemini["options"]["thinking_budget"] == 512 and gemini["options"]["show_thoughts"] is True
    old_server.request("PUT", "/api/settings", {"profiles": {"Groq": {
        "kind": "openai", "base_url": "https://api.groq.com/openai/v1", "model": "llama", "api_key": "gsk-0123456789"}}})
    with open(os.path.join(old_server.data_dir, "settings.json")) as f:
        saved = json.load(f)
    assert {k: saved[k] for k in OLD} == OLD   # every old setting kept, at the top, as it was
    assert saved["profiles"]["Groq"]["api_key"] == "gsk-0123456789"
    assert stat.S_IMODE(os.stat(os.path.join(old_server.data_dir, "settings.json")).st_mode) == 0o600
    old_server.stop()
    old_server.start()   # and read back the same after a restart
    again = old_server.get("/api/settings")
    assert again["profiles"]["Groq"]["api_key_set"] and again["model"] == "gemini-2.5-pro"


def test_keys_are_never_returned_and_null_deletes(old_server):
    body = {"profiles": {"OpenRouter": {"kind": "openai", "base_url": "https://openrouter.ai/api/v1",
                                        "model": "a/b", "api_key": "sk-or-secret-0123456789"}}, "profile": "OpenRouter"}
    answers = [old_server.request("PUT", "/api/settings", body), old_server.get("/api/settings")]
    for answer in answers:
        assert "sk-or-secret" not in json.dumps(answer) and "AIza-old" not in json.dumps(answer)
        assert answer["profile"] == "OpenRouter" and answer["profiles"]["OpenRouter"]["api_key_set"]
    # a change without the key keeps it; a null profile is deleted, and the current one falls back
    kept = old_server.request("PUT", "/api/settings", {"profiles": {"OpenRouter": {"model": "c/d"}}})
    assert kept["profiles"]["OpenRouter"]["api_key_set"] and kept["profiles"]["OpenRouter"]["model"] == "c/d"
    gone = old_server.request("PUT", "/api/settings", {"profiles": {"OpenRouter": None}})
    assert "OpenRouter" not in gone["profiles"] and gone["profile"] == "Gemini"
    with open(os.path.join(old_server.data_dir, "settings.json")) as f:
        assert "OpenRouter" not in f.read()


@pytest.mark.parametrize("change, words", [
    ({"profiles": {"X": {"kind": "gopher", "base_url": "https://x.example"}}}, "needs a kind"),
    ({"profiles": {"X": {"kind": "openai", "base_url": "ftp://x.example"}}}, "base URL"),
    ({"profiles": {"X": {"kind": "openai"}}}, "base URL"),
    ({"profiles": {"X": {"kind": "openai", "base_url": "https://x.example", "colour": "red"}}}, '"colour"'),
    ({"profiles": {"X": {"kind": "openai", "base_url": "https://x.example", "api_key": 5}}}, "api_key must be text"),
    ({"profiles": {"X": {"kind": "openai", "base_url": "https://x.example", "options": {"temperature": 9}}}},
     "temperature"),
    ({"profiles": {"Gemini": None}}, "can be changed, not deleted"),
    ({"profiles": {" X": {"kind": "openai", "base_url": "https://x.example"}}}, "name"),
    ({"profiles": ["X"]}, "object"),
    ({"profile": "Nobody"}, 'no profile called "Nobody"'),
])
def test_a_bad_profile_is_refused_in_plain_words_and_changes_nothing(old_server, change, words):
    before = old_server.get("/api/settings")
    with pytest.raises(HTTPFailure) as info:
        old_server.request("PUT", "/api/settings", change)
    assert info.value.status == 400 and words in info.value.body["error"]["message"]
    assert old_server.get("/api/settings") == before


def test_the_gemini_profile_writes_todays_settings(old_server):
    old_server.request("PUT", "/api/settings", {"profiles": {"Gemini": {"model": "gemini-3-flash-preview",
                                                                        "options": {"temperature": 1.1}}}})
    shown = old_server.get("/api/settings")
    assert (shown["model"], shown["temperature"]) == ("gemini-3-flash-preview", 1.1)


def test_presets_are_one_table_shown_with_the_settings(old_server):
    presets = {p["name"]: p for p in old_server.get("/api/settings")["presets"]}
    assert presets["OpenRouter"]["base_url"] == "https://openrouter.ai/api/v1"
    assert (presets["Ollama"]["kind"], presets["Ollama"]["key"]) == ("ollama", False)
    assert {p["name"] for p in profiles.PRESETS} == set(presets) >= {
        "OpenAI", "OpenRouter", "DeepSeek", "Groq", "Mistral", "Ollama", "llama.cpp", "LM Studio", "Anthropic"}


def test_a_hand_edited_profile_that_cannot_be_read_is_left_out(tmp_path, capsys):
    (tmp_path / "settings.json").write_text(json.dumps({"profiles": {
        "Good": {"kind": "ollama", "base_url": "http://10.0.0.5:11434", "model": "qwen3"},
        "Bad": {"kind": "teapot"}, "Worse": "text"}}))
    s = settings.load(["--data-dir", str(tmp_path)], environ={})
    assert list(s["profiles"]) == ["Good"] and "ignoring" in capsys.readouterr().out


@pytest.mark.parametrize("url, needs", [("http://192.168.1.20:11434", False), ("http://localhost:8080/v1", False),
                                        ("http://mypc.local:1234/v1", False), ("https://api.openai.com/v1", True),
                                        ("http://192.168.1.x:11434", True), ("http://HOST:8080/v1", True)])
def test_a_service_on_the_home_network_needs_no_key(url, needs):
    assert profiles.needs_key(url) is needs

"""Issue 21 and issue 22's settings item in the browser (demo mode: the emulator lives in
December 2026): a retired model is switched in one tap and the header follows without a
reload; the picker leaves out what the key may no longer use and offers only the levels
a model takes; a refused level offers the model's default; a choice is saved when
tapped; replies are headed by the chat's profile; Delete profile takes two taps; a
silent reply says whom it waits for. Chromium, as is and in old-Kindle mode."""
import pytest

from page_fixtures import Server, browser, page, send, wait_js, wait_status  # noqa: F401
from testkit.serverproc import FAST_DEMO


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-models"), env=FAST_DEMO)
    yield srv
    srv.stop()


def reset(server, **settings):
    names = [n for n in server.get("api/settings")["profiles"] if n != "Gemini"]
    server.request("PUT", "api/settings", dict({"profiles": {n: None for n in names}, "profile": "Gemini",
                                                "model": "gemini-flash-latest", "thinking_level": ""}, **settings))


def open_settings(page):
    page.click("#show-settings")
    wait_js(page, "() => document.getElementById('settings-view').getAttribute('data-state') === 'ready' && "
                  "document.querySelectorAll('#model-list button').length > 0")


def chosen(page, where):
    return page.evaluate("(w) => { var b = document.querySelector(w + ' button[data-chosen]'); "
                         "return b && b.textContent; }", where)


def test_a_retired_model_is_switched_in_one_tap(page, server):
    reset(server, model="gemini-2.5-flash")
    page.reload()
    page.wait_for_selector("#message")
    reply = send(page, "Hi")
    assert wait_status(page, ("error",)) == "error"
    assert "gemini-2.5-flash" in reply.locator(".note").text_content()
    wait_js(page, "() => document.querySelectorAll('.msg.model .note button.switch').length > 0")
    button = reply.locator(".note button.switch").first
    assert "Gemini 3.8 Flash" in button.text_content()
    button.click()
    assert wait_status(page) == "done"
    wait_js(page, "() => document.getElementById('chat-source').textContent.indexOf('gemini-3.8-flash') > 0")
    assert server.get("api/settings")["model"] == "gemini-3.8-flash"
    open_settings(page)
    labels = page.evaluate("() => [].map.call(document.querySelectorAll('#model-list button'), "
                           "function (b) { return b.textContent; })")
    assert "Gemini 2.5 Flash" not in labels and "Gemini 3.8 Flash" in labels


def test_choices_are_saved_when_tapped_and_levels_follow_the_model(page, server):
    reset(server)
    open_settings(page)
    page.click("#model-list button:text-is('Gemini 3.8 Flash')")
    wait_js(page, "() => document.getElementById('settings-status').textContent !== ''")
    wait_js(page, "() => document.querySelector('#thinking-list').textContent.indexOf('Low') >= 0")
    assert server.get("api/settings")["model"] == "gemini-3.8-flash", "saved without the Save button"
    levels = page.text_content("#thinking-list")
    assert "Minimal" not in levels and "High" in levels
    page.click("#thinking-list button:text-is('Low')")
    wait_js(page, "() => document.querySelector('#thinking-list button[data-chosen]') && "
                  "document.querySelector('#thinking-list button[data-chosen]').textContent === 'Low'")
    wait_js(page, "() => document.getElementById('settings-status').textContent === 'Saved.'")
    assert server.get("api/settings")["thinking_level"] == "LOW"
    page.click("#set-show-thoughts")
    wait_js(page, "() => document.getElementById('settings-status').textContent === 'Saved.'")
    assert server.get("api/settings")["show_thoughts"] is True
    assert page.locator("#set-system-instruction + button.save-field").count() == 1, "typed fields keep a Save"
    page.click("#settings-view .back")
    assert page.text_content("#chat-source").endswith("gemini-3.8-flash")
    server.request("PUT", "api/settings", {"show_thoughts": False})


def test_a_refused_level_offers_the_models_default(page, server):
    # Once refused, a level is never sent to that model again: each mode asks another model.
    model = "gemini-3.1-pro-preview" if page.mode == "chromium" else "gemini-flash-latest"
    reset(server, model=model, thinking_level="MINIMAL")
    page.reload()
    page.wait_for_selector("#message")
    reply = send(page, "Hi")
    assert wait_status(page, ("error",)) == "error"
    assert "MINIMAL" in reply.locator(".note").text_content()
    reply.locator(".note button.switch").click()
    assert wait_status(page) == "done"
    assert server.get("api/settings")["thinking_level"] == ""


def test_a_reply_is_headed_by_its_profile_and_delete_takes_two_taps(page, server):
    reset(server)
    server.request("PUT", "api/settings", {"profiles": {"Ollama": {"kind": "ollama", "base_url":
                                           "http://192.168.1.20:11434", "model": "qwen3:demo"}}, "profile": "Ollama"})
    page.reload()
    page.wait_for_selector("#message")
    page.click("#new-chat")
    reply = send(page, "Hi")
    assert wait_status(page) == "done"
    assert reply.locator(".who").first.text_content() == "Ollama"
    open_settings(page)
    page.click("#delete-profile")
    page.click("#delete-profile")   # a double tap: the second comes too soon to count
    page.wait_for_timeout(300)
    assert "Ollama" in server.get("api/settings")["profiles"]
    page.wait_for_timeout(700)
    page.click("#delete-profile")
    wait_js(page, "() => document.getElementById('profile-head').textContent === 'Gemini'")
    assert "Ollama" not in server.get("api/settings")["profiles"]


def test_a_silent_reply_says_whom_it_waits_for(page, server):
    reset(server)
    page.reload()
    page.wait_for_selector("#message")
    page.click("#new-chat")
    send(page, "demo:stall")
    wait_js(page, "() => document.getElementById('notice').textContent === 'Still waiting for Gemini...'", timeout=30)
    page.click("#stop")
    wait_status(page, ("stopped", "done", "error", "interrupted"))

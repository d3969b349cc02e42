"""Issue 16's "done when", in the browser: in demo mode a new user adds an
OpenRouter profile and an Ollama profile from their presets (taps only), chats
with each, and sees thoughts, errors and usage as for Gemini; the chat's header
names the profile. In Chromium (as is and old-Kindle mode) and PhantomJS."""
import pytest

from page_fixtures import Server, browser, page, send, wait_js, wait_status  # noqa: F401
from phantom_page import Phantom
from testkit.serverproc import FAST_DEMO

LAST = "document.querySelectorAll('.msg.model')[document.querySelectorAll('.msg.model').length - 1]"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A demo server at the fast pace, showing thoughts."""
    srv = Server(tmp_path_factory.mktemp("kc-providers"), env=FAST_DEMO)
    srv.request("PUT", "api/settings", {"show_thoughts": True})
    yield srv
    srv.stop()


def fresh(server):
    """Only the Gemini profile, current: what a new user has."""
    names = [n for n in server.get("api/settings")["profiles"] if n != "Gemini"]
    server.request("PUT", "api/settings", {"profiles": {n: None for n in names}, "profile": "Gemini"})


def server_model(page, name):
    """The model the server now keeps for the profile called name."""
    return page.evaluate("(n) => { var x = new XMLHttpRequest(); x.open('GET', '/api/settings', false); x.send(); "
                         "return JSON.parse(x.responseText).profiles[n].model; }", name)


def add_preset(page, name):
    page.click("#show-settings")
    wait_js(page, "() => document.getElementById('settings-view').getAttribute('data-state') === 'ready'")
    page.click("#preset-list button:text-is('%s')" % name)
    wait_js(page, "(n) => document.getElementById('profile-head').textContent === n", name)
    assert page.text_content("#profile-list button[data-chosen]") == name
    # A preset has no model of its own: the page takes the service's first listed one (issue 22).
    wait_js(page, "() => document.getElementById('set-model').value !== ''")
    # ... and saves it: the field fills before the save's PUT has landed, so wait for the server
    wait_js(page, "(n) => { var x = new XMLHttpRequest(); x.open('GET', '/api/settings', false); x.send(); "
                  "return !!JSON.parse(x.responseText).profiles[n].model; }", name)
    assert server_model(page, name) == page.input_value("#set-model")
    page.click("#settings-view .back")
    page.click("#new-chat")
    wait_js(page, "(n) => document.getElementById('chat-source').textContent.indexOf(n) === 0", name)


def test_openrouter_and_ollama_from_presets_in_demo_mode(page, server):
    fresh(server)
    add_preset(page, "OpenRouter")
    send(page, "demo:thoughts Why is the sky blue?")
    assert wait_status(page) == "done"
    assert "Thinking about the question." in page.locator(".msg.model").last.locator(".thoughts").text_content()
    chats = server.get("api/chats")["chats"]
    chat = server.get("api/chats/" + chats[0]["id"])
    assert chat["profile"] == "OpenRouter" and chat["messages"][-1]["usage"]["totalTokenCount"] > 12
    assert server.get("api/settings")["profiles"]["OpenRouter"]["base_url"] == "https://openrouter.ai/api/v1"

    add_preset(page, "Ollama")
    send(page, "demo:429")
    assert wait_status(page, ("error",)) == "error"
    assert "Ollama's rate limit was reached. Try again in 26 seconds." in page.locator(".msg.model").last.text_content()
    send(page, "demo:thoughts And the sunset?")
    assert wait_status(page) == "done"
    assert page.locator(".msg.model").last.locator(".thoughts").is_visible()
    assert page.text_content("#chat-source").startswith("Ollama")


def test_a_preset_profile_in_the_old_engine(tmp_path, server):
    """PhantomJS (WebKit 538.1): the OpenRouter preset by a real click, then a chat with thoughts."""
    fresh(server)
    ph = Phantom.start(tmp_path)
    status = "(%s || {getAttribute: function () {}}).getAttribute('data-status')" % LAST
    try:
        ph.open(server.url)
        ph.click("#show-settings")
        ph.wait("document.getElementById('settings-view').getAttribute('data-state') === 'ready' && "
                "document.querySelectorAll('#preset-list button').length > 2")
        assert ph.expr("document.querySelectorAll('#preset-list button')[1].textContent") == "OpenRouter"
        ph.click("#preset-list button:nth-child(2)")
        ph.wait("document.getElementById('profile-head').textContent === 'OpenRouter' && "
                "document.getElementById('set-model').value !== ''")
        ph.click("#new-chat")
        ph.wait("document.getElementById('chat-source').textContent.indexOf('OpenRouter') === 0")
        ph.type("#message", "demo:thoughts Hello")
        ph.click("#send")
        ph.wait("document.querySelectorAll('.msg.model').length === 1 && %s === 'done'" % status)
        assert "Thinking about the question." in ph.expr("%s.querySelector('.thoughts').textContent" % LAST)
    finally:
        ph.quit()

"""Issue 15.1 and 15.2 on the page, in demo mode: the one-tap prompts under the message
box (class `quick`; a tap sends at once, a draft goes with it as its context), the
follow-up questions under a finished reply (class `follow-up`; a tap sends one), and
their settings (quick_prompts one a line, follow_ups), over the API and in Settings.
In Chromium (as is and old-Kindle mode) and PhantomJS."""
import pytest

from page_fixtures import MODES, Server, browser, open_page, wait_js, wait_status  # noqa: F401
from phantom_page import Phantom
from testkit.serverproc import HTTPFailure

PACE = {"KINDLECHAT_DEMO_TPS": "400", "KINDLECHAT_DEMO_FIRST_MS": "50"}
DEFAULTS = ["Explain simply", "Summarize", "Give an example", "Continue", "Translate into English"]
LAST = ".msg.model:last-child"
READY = "document.getElementById('settings-view').getAttribute('data-state') === 'ready'"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-less-typing"), env=PACE)
    yield srv
    srv.stop()


@pytest.fixture(params=MODES)
def page(request, browser, server):
    p = open_page(browser, server.url, request.param)
    wait_js(p, "() => " + READY)
    yield p
    errors = list(p.errors)
    p.context.close()
    server.request("PUT", "api/settings", {"quick_prompts": None, "follow_ups": True})
    assert not errors, errors


def chat_of(server, page):
    return server.get("api/chats/" + page.evaluate("() => localStorage.getItem('kc.chat')"))


def tap_and_wait(page, selector):
    """Click a button that sends; wait for the new reply to finish."""
    count = page.locator(".msg.model").count()
    page.click(selector)
    wait_js(page, "(n) => document.querySelectorAll('.msg.model').length > n", count, timeout=15)
    assert wait_status(page) == "done"


def test_a_quick_prompt_sends_at_once(page, server):
    assert page.locator("#quick-row .quick").all_text_contents() == DEFAULTS
    tap_and_wait(page, "#quick-row .quick:has-text('Summarize')")
    assert page.locator(".msg.user .body").last.text_content() == "Summarize"
    assert [m["text"] for m in chat_of(server, page)["messages"] if m["role"] == "user"] == ["Summarize"]


def test_a_draft_goes_with_the_quick_prompt_as_its_context(page, server):
    page.fill("#message", "The tide comes in twice a day.")
    tap_and_wait(page, "#quick-row .quick:has-text('Explain simply')")
    sent = chat_of(server, page)["messages"][-2]["text"]
    assert sent == "Explain simply: The tide comes in twice a day."
    assert page.input_value("#message") == "" and page.evaluate("() => localStorage.getItem('kc.draft')") is None


def test_follow_ups_appear_under_the_finished_reply_and_a_tap_sends_one(page, server):
    page.fill("#message", "Why is the sky blue?")
    tap_and_wait(page, "#send")
    wait_js(page, "() => document.querySelectorAll('%s .follow-up').length" % LAST)
    shown = page.locator(LAST + " .follow-up").all_text_contents()
    assert shown == chat_of(server, page)["messages"][-1]["follow_ups"] and len(shown) == 3
    assert "[[" not in page.text_content(LAST + " .body"), "the marker never reaches the page"
    page.fill("#message", "a draft I keep")
    tap_and_wait(page, LAST + " .follow-up >> nth=1")
    assert chat_of(server, page)["messages"][-2]["text"] == shown[1] == "What is a good example?"
    assert page.input_value("#message") == "a draft I keep", "a follow-up leaves the draft be"
    wait_js(page, "() => document.querySelectorAll('%s .follow-up').length" % LAST)
    assert page.locator(".follow-up").count() == 3, "only under the last reply"
    # reloaded, the stored follow-ups are shown again (GET /api/chats/{id})
    page.reload()
    wait_js(page, "() => document.querySelectorAll('%s .follow-up').length === 3" % LAST)
    assert page.locator(LAST + " .follow-up").all_text_contents() == chat_of(server, page)["messages"][-1]["follow_ups"]


def test_none_are_shown_after_a_stop_or_an_error(page):
    for text, status in (("demo:drop", "error"), ("demo:stall", "stopped")):
        page.fill("#message", text)
        page.click("#send")
        if status == "stopped":
            wait_js(page, "() => document.getElementById('stop').offsetWidth")
            page.click("#stop")
        assert wait_status(page, (status,)) == status
        assert page.locator(LAST + " .follow-up").count() == 0


def test_settings_edit_the_prompts_one_a_line_and_turn_follow_ups_off(page, server):
    page.click("#show-settings")
    wait_js(page, "() => " + READY)
    assert page.input_value("#set-quick-prompts") == "\n".join(DEFAULTS)
    assert page.is_checked("#set-follow-ups")
    page.fill("#set-quick-prompts", "Define it\n\n  Explain like I'm five  \n")
    page.uncheck("#set-follow-ups")
    page.click("#save-settings")
    wait_js(page, "() => document.getElementById('settings-status').textContent === 'Saved.'")
    saved = server.get("api/settings")
    assert (saved["quick_prompts"], saved["follow_ups"]) == (["Define it", "Explain like I'm five"], False)
    page.click("#settings-view .back")
    assert page.locator("#quick-row .quick").all_text_contents() == ["Define it", "Explain like I'm five"]
    tap_and_wait(page, "#quick-row .quick >> nth=0")
    assert chat_of(server, page)["messages"][-2]["text"] == "Define it"
    assert page.locator(LAST + " .follow-up").count() == 0, "off: none asked for"
    assert "[[" not in page.text_content(LAST + " .body")
    # the default set again: the box emptied (or set back to it) saves the setting unset
    page.click("#show-settings")
    wait_js(page, "() => " + READY)
    page.fill("#set-quick-prompts", "")
    page.click("#save-settings")
    wait_js(page, "() => document.getElementById('settings-status').textContent === 'Saved.'")
    assert server.get("api/settings")["quick_prompts"] is None
    assert page.input_value("#set-quick-prompts") == "\n".join(DEFAULTS)


def test_the_settings_take_a_list_or_lines_and_refuse_bad_ones_in_plain_words(server):
    try:
        assert server.get("api/settings")["quick_prompts"] is None
        assert server.request("PUT", "api/settings", {"quick_prompts": "One\nTwo\n"})["quick_prompts"] == ["One", "Two"]
        for bad in ([1, 2], {"a": 1}, ["x" * 201], ["x"] * 21, True):
            with pytest.raises(HTTPFailure) as info:
                server.request("PUT", "api/settings", {"quick_prompts": bad})
            assert info.value.status == 400 and "quick_prompts" in info.value.body["error"]["message"]
        assert server.get("api/settings")["quick_prompts"] == ["One", "Two"], "a refused value changes nothing"
    finally:
        server.request("PUT", "api/settings", {"quick_prompts": None})


def test_quick_prompts_and_follow_ups_in_the_old_engine(tmp_path, server):
    """PhantomJS (WebKit 538.1): a quick prompt, then a follow-up, each by a real click."""
    ph = Phantom.start(tmp_path)
    status = "(document.querySelector('%s') || {getAttribute: function () {}}).getAttribute('data-status')" % LAST
    try:
        ph.open(server.url)
        ph.wait(READY)
        ph.click("#new-chat")
        ph.wait("document.querySelectorAll('#quick-row .quick').length === 5")
        ph.click("#quick-row .quick:nth-child(3)")
        ph.wait("document.querySelectorAll('.msg.model').length === 1 && %s === 'done'" % status)
        ph.wait("document.querySelectorAll('%s .follow-up').length === 3" % LAST)
        assert ph.expr("document.querySelector('.msg.user .body').textContent") == "Give an example"
        ph.click(LAST + " .follow-up")
        ph.wait("document.querySelectorAll('.msg.model').length === 2 && %s === 'done'" % status)
        ph.wait("document.querySelectorAll('%s .follow-up').length === 3" % LAST)
        users = ph.expr("Array.prototype.map.call(document.querySelectorAll('.msg.user .body'),"
                        " function (b) { return b.textContent; }).join('|')")
        assert users == "Give an example|Can you explain that more simply?"
        assert ph.expr("document.querySelectorAll('.follow-up').length") == 3
        log = ph.log()
        assert not log["errors"], log["errors"]
        assert not log["console"], log["console"]
    finally:
        ph.quit()

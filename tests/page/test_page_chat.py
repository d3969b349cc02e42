"""A whole chat in the browser, in plain Chromium and in "old Kindle" mode (fetch,
EventSource, Promise and ReadableStream deleted before the page loads): send, stream,
stop, retry, errors, reload mid-reply, a dropped connection, the chat list, settings."""
import time

from page_fixtures import browser, open_page, page, send, server, wait_js, wait_status  # noqa: F401

SETTINGS_READY = "() => document.getElementById('settings-view').getAttribute('data-state') === 'ready'"
LAST_TEXT = "() => { var all = document.querySelectorAll('.msg.model'); return all[all.length - 1].reply.text; }"


def last_reply_text(page):
    """The raw Markdown the page has put together for the last reply."""
    return page.evaluate(LAST_TEXT)


def stored(server, page):
    """The chat as the server keeps it (the page's current chat)."""
    chat_id = page.evaluate("() => localStorage.getItem('kc.chat')")
    return server.get("api/chats/" + chat_id)


def test_old_kindle_mode_lacks_the_modern_apis(page):
    kinds = page.evaluate("() => [typeof fetch, typeof EventSource, typeof Promise, typeof ReadableStream]")
    if page.mode == "old-kindle":
        assert kinds == ["undefined"] * 4
    else:
        assert kinds == ["function"] * 4


def test_a_whole_chat(page, server):
    wait_js(page, "() => document.getElementById('banner').style.display !== 'none'")
    assert "Demo mode" in page.text_content("#banner")
    reply = send(page, "How do e-ink screens work?")
    assert page.is_visible("#stop") and not page.is_visible("#send")
    assert wait_status(page) == "done"
    assert page.is_visible("#send") and not page.is_visible("#stop")
    assert page.input_value("#message") == ""
    body = reply.locator(".body")
    assert body.locator("h4").first.text_content() == "About: How do e-ink screens work?"
    assert body.locator("ol > li").count() == 3
    assert body.locator("th").all_text_contents() == ["Setting", "Default"]
    assert body.locator("blockquote").count() == 1
    assert body.locator("code").first.text_content() == "demo:429"
    chat = stored(server, page)
    assert last_reply_text(page) == chat["messages"][1]["text"]

    send(page, "And a second question")
    assert wait_status(page) == "done"
    assert page.locator(".msg.user .body").all_text_contents() == ["How do e-ink screens work?",
                                                                   "And a second question"]
    assert len(stored(server, page)["messages"]) == 4

    page.reload()
    wait_js(page, "() => document.querySelectorAll('.msg.model').length === 2")
    assert page.locator(".msg.model").last.get_attribute("data-status") == "done"


def test_stop_keeps_the_text_then_retry(page, server):
    send(page, "demo:long")
    wait_js(page, "() => document.querySelector('.msg.model .body p')")
    page.click("#stop")
    assert wait_status(page, ("stopped",)) == "stopped"
    reply = page.locator(".msg.model").last
    assert "Stopped" in reply.locator(".note").text_content()
    kept = last_reply_text(page)
    assert kept and kept == stored(server, page)["messages"][1]["text"]
    assert page.is_visible("#send")

    reply.locator("button.retry").click()
    wait_js(page, """() => { var r = document.querySelectorAll('.msg.model');
        return r.length === 1 && r[0].getAttribute('data-status') === 'streaming' && r[0].reply.text; }""")
    page.click("#stop")
    assert wait_status(page, ("stopped",)) == "stopped"
    assert last_reply_text(page) == stored(server, page)["messages"][1]["text"]


def test_an_error_in_plain_words_with_retry(page):
    send(page, "demo:429")
    assert wait_status(page, ("error",)) == "error"
    reply = page.locator(".msg.model").last
    assert "rate limit" in reply.locator(".note").text_content()
    assert reply.locator("button.retry").count() == 1


def test_the_finish_note_in_plain_words(page):
    send(page, "demo:maxtokens")
    assert wait_status(page, ("done", "error")) == "done"
    note = page.locator(".msg.model .note").last.text_content()
    assert "length limit" in note


def test_a_blocked_prompt_in_plain_words(page):
    send(page, "demo:blocked")
    assert wait_status(page, ("error", "done")) == "error"
    assert "SAFETY" in page.locator(".msg.model .note").last.text_content()
    assert page.locator(".msg.model button.retry").count() == 1


def test_an_error_mid_reply_keeps_the_partial_text(page, server):
    send(page, "demo:midstream")
    assert wait_status(page, ("error",)) == "error"
    text = last_reply_text(page)
    reply = stored(server, page)["messages"][1]
    assert text and text == reply["text"]
    # the server's message is the whole note: the page adds nothing to an error
    assert page.locator(".msg.model .note span").last.text_content() == reply["error"]["message"]


def test_reload_mid_reply_picks_up_where_it_was(page, server):
    send(page, "demo:long")
    wait_js(page, "() => /Part 2/.test(document.querySelector('.msg.model').textContent)")
    page.reload()
    wait_js(page, """() => { var r = document.querySelector('.msg.model');
        return r && r.getAttribute('data-status') === 'streaming' && /Part 4/.test(r.textContent); }""")
    page.click("#stop")
    wait_status(page, ("stopped",))
    text = last_reply_text(page)
    assert text == stored(server, page)["messages"][1]["text"]
    parts = page.locator(".msg.model h5").all_text_contents()
    assert parts == ["Part %d" % n for n in range(1, len(parts) + 1)]


def test_a_dropped_connection_loses_and_repeats_nothing(page, server):
    send(page, "demo:long")
    wait_js(page, "() => /Part 2/.test(document.querySelector('.msg.model').textContent)")
    page.context.set_offline(True)
    wait_js(page, "() => /Trying again/.test(document.getElementById('notice').textContent)", timeout=40)
    time.sleep(2)
    page.context.set_offline(False)
    wait_js(page, "() => document.getElementById('notice').style.display === 'none'", timeout=40)
    wait_js(page, "() => /Part 6/.test(document.querySelector('.msg.model').textContent)")
    page.click("#stop")
    wait_status(page, ("stopped",))
    assert last_reply_text(page) == stored(server, page)["messages"][1]["text"]


def test_the_kindles_sleep_loses_and_repeats_nothing(page, server):
    """A page whose scripts stood still for a while (as in the Kindle's sleep) wakes up and
    goes on from the character it had reached."""
    send(page, "demo:long")
    wait_js(page, "() => /Part 2/.test(document.querySelector('.msg.model').textContent)")
    page.evaluate("() => { window.__ticks = 0; setInterval(function () { window.__ticks++; }, 100); }")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Debugger.enable")
    cdp.send("Debugger.pause")       # the page's scripts stop at their next step, as in sleep
    time.sleep(5)
    cdp.send("Debugger.resume")
    cdp.send("Debugger.disable")
    assert page.evaluate("() => window.__ticks") < 20, "the page was not frozen"
    wait_js(page, "() => /Part 6/.test(document.querySelector('.msg.model').textContent)")
    page.click("#stop")
    wait_status(page, ("stopped",))
    assert last_reply_text(page) == stored(server, page)["messages"][1]["text"]


def test_the_draft_survives_a_reload(page):
    page.fill("#message", "half a thought, not sent")
    page.reload()
    page.wait_for_selector("#message")
    assert page.input_value("#message") == "half a thought, not sent"


def test_user_text_is_shown_as_typed(page):
    send(page, "<b>not bold</b> & <i>not</i>")
    wait_status(page)
    user = page.locator(".msg.user .body").last
    assert user.text_content() == "<b>not bold</b> & <i>not</i>"
    assert user.locator("b, i").count() == 0


def test_chat_list_reopen_continue_delete(page, server):
    owls_title, larks_title = "Tell me about owls, " + page.mode, "Tell me about larks, " + page.mode
    send(page, owls_title)
    wait_status(page)
    page.click("#new-chat")
    assert page.locator(".msg").count() == 0
    send(page, larks_title)
    wait_status(page)

    page.click("#show-chats")
    owls = page.locator(".chat", has_text=owls_title)
    owls.wait_for()
    owls.locator("button.open").click()
    wait_js(page, "() => /owls/.test(document.querySelector('.msg.user').textContent)")
    send(page, "And their eyes?")
    wait_status(page)
    assert page.locator(".msg.user").count() == 2

    page.click("#show-chats")
    larks = page.locator(".chat", has_text=larks_title)
    larks_id = larks.get_attribute("data-id")
    larks.locator("button.delete").click()
    assert larks.locator("button.delete").text_content() == "Delete for good?"
    larks.locator("button.delete").click()
    larks.wait_for(state="detached")
    assert larks_id not in [c["id"] for c in server.get("api/chats")["chats"]]


def test_settings_round_trip_and_the_key_stays_write_only(page, server):
    before = server.get("api/settings")
    try:
        page.click("#show-settings")
        wait_js(page, SETTINGS_READY)   # this opening's answer is in: typing now is never undone
        assert page.input_value("#set-model") == before["model"]
        assert "Demo mode" in page.text_content("#api-key-state")
        page.fill("#set-api-key", "AIza-test-key-123")
        page.fill("#set-model", "gemini-2.5-pro")
        page.fill("#set-system-instruction", "Answer briefly.")
        page.fill("#set-temperature", "0,7")
        page.check("#set-show-thoughts")
        page.fill("#set-throttle-ms", "700")
        page.click("#save-settings")
        wait_js(page, "() => document.getElementById('settings-status').textContent === 'Saved.'")
        s = server.get("api/settings")
        assert (s["model"], s["system_instruction"], s["temperature"], s["show_thoughts"], s["throttle_ms"],
                s["api_key_set"]) == ("gemini-2.5-pro", "Answer briefly.", 0.7, True, 700, True)
        assert page.input_value("#set-api-key") == ""
        assert "AIza-test-key-123" not in page.content()
        assert "saved" in page.text_content("#api-key-state")

        page.fill("#set-temperature", "5")
        page.click("#save-settings")
        wait_js(page, "() => /temperature/.test(document.getElementById('settings-status').textContent)")
        assert server.get("api/settings")["temperature"] == 0.7

        size = page.evaluate("() => parseInt(document.body.style.fontSize, 10)")
        page.click("#font-larger")
        page.click("#font-larger")
        page.reload()
        page.wait_for_selector("#message")
        assert page.evaluate("() => parseInt(document.body.style.fontSize, 10)") == size + 4
    finally:
        restore = {k: before[k] for k in ("model", "system_instruction", "temperature", "show_thoughts",
                                          "throttle_ms")}
        server.request("PUT", "api/settings", dict(restore, api_key=""))


def test_thoughts_shown_when_asked_for(page, server):
    server.request("PUT", "api/settings", {"show_thoughts": True})
    try:
        page.reload()
        page.wait_for_selector("#message")
        wait_js(page, "() => document.getElementById('set-show-thoughts').checked")
        send(page, "demo:thoughts")
        wait_status(page)
        thoughts = page.locator(".msg.model .thoughts").last
        assert thoughts.is_visible() and len(thoughts.text_content()) > len("Thoughts")
    finally:
        server.request("PUT", "api/settings", {"show_thoughts": False})

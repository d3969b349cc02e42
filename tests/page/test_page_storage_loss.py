"""Everything the page keeps in localStorage can be lost without harm (issue 11, must 4:
the new Kindle browser is reported to empty it at launch). With it cleared, mid-reply
or after, a reload shows the newest chat from the server, resumes its streaming reply
at the server's text, and the chat goes on."""
from page_fixtures import browser, page, send, server, wait_js, wait_status  # noqa: F401

LAST_TEXT = "() => { var all = document.querySelectorAll('.msg.model'); return all[all.length - 1].reply.text; }"


def newest_chat(server):
    return server.get("api/chats/" + server.get("api/chats")["chats"][0]["id"])


def forget_and_reload(page):
    page.evaluate("() => localStorage.clear()")
    page.reload()
    page.wait_for_selector("#message")


def test_losing_local_storage_mid_reply_and_after(page, server):
    send(page, "demo:long")
    wait_js(page, "() => /Part 2/.test(document.querySelector('.msg.model').textContent)")
    forget_and_reload(page)
    wait_js(page, """() => { var r = document.querySelector('.msg.model');
        return r && r.getAttribute('data-status') === 'streaming' && /Part 4/.test(r.textContent); }""")
    page.click("#stop")
    wait_status(page, ("stopped",))
    chat = newest_chat(server)
    assert page.evaluate(LAST_TEXT) == chat["messages"][1]["text"]

    forget_and_reload(page)
    wait_js(page, "() => document.querySelectorAll('.msg').length === 2")
    assert page.locator(".msg.user .body").all_text_contents() == ["demo:long"]
    send(page, "echo: still here")
    assert wait_status(page) == "done"
    chat = newest_chat(server)
    assert [m["text"] for m in chat["messages"][2:]] == ["echo: still here", "still here"]


def test_a_new_chat_stays_new_after_a_reload(page):
    """Choosing New chat is kept apart from having lost the chat."""
    send(page, "echo: an older chat")
    wait_status(page)
    page.click("#new-chat")
    page.reload()
    page.wait_for_selector("#message")
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg").count() == 0

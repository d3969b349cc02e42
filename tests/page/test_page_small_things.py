"""Smaller things a reader notices (issue 22.11), in Chromium against a demo server:
thoughts drawn as Markdown like the reply, and a message the server refuses as too long
leaving no empty "New chat" behind, its notice naming the limit."""
import json

from page_fixtures import browser, page, send, server, wait_js, wait_status  # noqa: F401


def test_thoughts_are_markdown_like_the_reply(page, server):
    server.request("PUT", "api/settings", {"show_thoughts": True})
    try:
        page.reload()
        wait_js(page, "() => document.getElementById('set-show-thoughts').checked")
        send(page, "demo:thoughts")
        wait_status(page)
        thoughts = page.locator(".msg.model .thoughts").last
        assert thoughts.is_visible()
        assert "**" not in thoughts.text_content()
        assert thoughts.locator("strong").first.text_content() == "Thinking about the question."
    finally:
        server.request("PUT", "api/settings", {"show_thoughts": False})


def test_a_refused_first_message_leaves_no_empty_chat(page, server):
    before = [c["id"] for c in server.get("api/chats")["chats"]]
    page.evaluate("(t) => { document.getElementById('message').value = t; }", "x" * 30001)
    page.click("#send")
    notice = wait_js(page, "() => document.getElementById('notice').textContent")
    assert "30,000" in notice or "30000" in notice, notice
    for _ in range(100):   # the page's DELETE goes with the notice
        chats = [c["id"] for c in server.get("api/chats")["chats"]]
        if chats == before:
            break
        page.wait_for_timeout(100)
    assert chats == before, "an empty chat was left: %s" % json.dumps(chats)
    assert page.input_value("#message") == "x" * 30001            # the draft stays
    send(page, "echo:Now a short one.")                           # and the next send makes a chat
    assert wait_status(page) == "done"
    assert len(server.get("api/chats")["chats"]) == len(before) + 1

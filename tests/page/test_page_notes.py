"""What the page says when things go wrong: each thing once (issue 10, must 11: the
demo:drop note said "The text so far is kept." twice, the server's message and the
page's own), and a message too long for the server is said so, with the draft kept
(must 9)."""
import json
import re
import urllib.error
import urllib.request

import pytest

from page_fixtures import browser, page, send, server, wait_js, wait_status  # noqa: F401

NOTE = "() => { var n = document.querySelectorAll('.msg.model .note span'); return n.length && n[n.length - 1].textContent; }"


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def stored_reply(server, page):
    chat = server.get("api/chats/" + page.evaluate("() => localStorage.getItem('kc.chat')"))
    return chat["messages"][-1]


@pytest.mark.parametrize("trigger", ["demo:drop", "demo:stall", "demo:midstream"])
def test_an_error_note_says_each_thing_once(page, server, trigger):
    before = server.get("api/settings")["read_timeout"]
    server.request("PUT", "api/settings", {"read_timeout": 2})   # demo:stall gives up after it
    try:
        send(page, trigger)
        assert wait_status(page, ("error",)) == "error"
    finally:
        server.request("PUT", "api/settings", {"read_timeout": before})
    note = page.evaluate(NOTE)
    said = sentences(note)
    assert len(said) == len(set(said)), note
    assert note == stored_reply(server, page)["error"]["message"]
    assert page.locator(".msg.model").last.locator("button.retry").count() == 1


def answer_to(server, text):
    """The server's own answer to sending this text (status, error message)."""
    cid = server.request("POST", "api/chats", {})["id"]
    req = urllib.request.Request(server.url + "api/chats/%s/messages" % cid, method="POST",
                                 data=json.dumps({"text": text}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read().decode())["error"]["message"]
    raise AssertionError("the server took a message of %d characters" % len(text))


@pytest.mark.parametrize("size", [40 * 1000, 300 * 1000, 2000 * 1000], ids=["long-text", "large-body", "2-mb"])
def test_a_too_long_message_is_said_so_and_the_draft_stays(page, server, size):
    text = "A very long message. " * (size // 21)
    status, message = answer_to(server, text)
    assert status == 413
    page.wait_for_load_state("networkidle")    # the newest chat is open
    shown = page.locator(".msg.user").count()
    page.fill("#message", text)
    page.click("#send")
    wait_js(page, "() => document.getElementById('notice').style.display !== 'none'", timeout=30)
    assert page.text_content("#notice") == message
    assert page.input_value("#message") == text
    assert page.locator(".msg.user").count() == shown
    assert page.is_visible("#send")


def test_a_413_without_words_reads_too_long(page, server):
    """A server (or a proxy) that answers 413 without a JSON message."""
    page.route("**/messages", lambda route: route.fulfill(status=413, body="", content_type="text/plain"))
    page.fill("#message", "kept draft")
    page.click("#send")
    wait_js(page, "() => document.getElementById('notice').style.display !== 'none'", timeout=30)
    assert "too long" in page.text_content("#notice")
    assert page.input_value("#message") == "kept draft"

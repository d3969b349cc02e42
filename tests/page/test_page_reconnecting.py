"""A reply cut by sleep or a network drop (issue 25, must 4): while the server waits
for the network the reply says "Waiting for the network...", the page keeps polling as
it does while a reply streams, and the rest of the text joins what was shown."""
import json
import re

from page_fixtures import browser, page, send, server, wait_js, wait_status  # noqa: F401

POLL = re.compile(r"/api/chats/\w+/messages/\d+\?from=")
ANSWERS = [{"text": "Half a sen", "next": 10, "status": "streaming"},
           {"text": "", "next": 10, "status": "reconnecting"},
           {"text": "", "next": 10, "status": "reconnecting"},
           {"text": "tence, then the rest.", "next": 31, "status": "done"}]


def test_a_reply_waiting_for_the_network_says_so_and_is_followed_to_its_end(page):
    asked, script = [], list(ANSWERS)

    def scripted(route):
        asked.append(route.request.url)
        answer = script.pop(0) if len(script) > 1 else script[0]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer),
                      headers={"Cache-Control": "no-store"})
    page.route(POLL, scripted)
    send(page, "echo: cut by sleep")
    assert wait_status(page, ("reconnecting",)) == "reconnecting"
    note = wait_js(page, """() => { var all = document.querySelectorAll('.msg.model .note');
        var t = all.length && all[all.length - 1].textContent; return t || null; }""")
    assert note == "Waiting for the network..."
    assert wait_status(page) == "done"
    text = wait_js(page, """() => { var all = document.querySelectorAll('.msg.model .body');
        return all.length ? all[all.length - 1].textContent : null; }""")
    assert text.strip() == "Half a sentence, then the rest."
    assert "from=10" in asked[-1]            # it went on from the offset it had reached

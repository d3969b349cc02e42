"""E-ink pace: while a reply streams, its text on screen changes at most once per throttle
interval (counted with a MutationObserver), the first words come at once, the final text
always appears, and earlier blocks are never redrawn."""
from page_fixtures import browser, page, send, server, wait_status  # noqa: F401

OBSERVE = """() => {
    window.__changes = [];
    new MutationObserver(function (records) {
        for (var i = 0; i < records.length; i++) {
            var n = records[i].target;
            while (n && !(n.className === 'body' && /model/.test(n.parentNode.className))) { n = n.parentNode; }
            if (n) { window.__changes.push(performance.now()); return; }
        }
    }).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true});
}"""


def test_reply_text_changes_at_most_once_per_interval(page, server):
    interval = server.get("api/settings")["throttle_ms"] / 1000.0
    page.evaluate(OBSERVE)
    sent = page.evaluate("() => performance.now()")
    reply = send(page, "How often does the screen change?")
    page.wait_for_selector(".msg.model .body p")   # the heading is complete once a paragraph follows
    first_block = reply.locator(".body").element_handle().evaluate_handle("(b) => b.querySelector('h1, h2, h3, h4, p')")
    assert wait_status(page) == "done"
    changes = page.evaluate("() => window.__changes")
    assert len(changes) >= 3, "the reply should stream in steps, not at once: %r" % changes
    span = (changes[-1] - changes[0]) / 1000.0
    assert len(changes) <= span / interval + 2, (len(changes), span, interval)
    assert (changes[0] - sent) / 1000.0 < 3.0, "the first words took too long"
    # appended, not redrawn: the heading written first is still the same node
    assert first_block.evaluate("(h, b) => h === b.querySelector('h1, h2, h3, h4, p')", reply.locator(".body").element_handle())
    # the final text is all there
    chat_id = page.evaluate("() => localStorage.getItem('kc.chat')")
    text = server.get("api/chats/" + chat_id)["messages"][-1]["text"]
    assert page.evaluate("() => document.querySelector('.msg.model').reply.text") == text
    assert reply.locator(".body p").last.text_content().endswith("thank you for reading.")

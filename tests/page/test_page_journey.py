"""Issue 22's "done when", as one reader's path: at 600x800 with 28 px text, read a long
reply to its end, tap a follow-up, open Chats, page through 70 chats and come back,
without scrolling once. Every tap is on a control already on screen (Playwright's
click would scroll to one that is not: tap() refuses first), and the document never
scrolls at any step."""
import pytest

from page_fixtures import browser, open_page, wait_js, wait_status  # noqa: F401
from page_fixtures import quick_server as server  # noqa: F401  (this module's server)

WIDTH, HEIGHT = 600, 800

# Whether the document scrolls, and where a control is against the screen.
AT = """(sel) => {
    var el = document.querySelector(sel), r = el && el.getBoundingClientRect();
    return {scrolls: document.documentElement.scrollHeight - window.innerHeight, y: window.pageYOffset,
            box: r ? [r.left, r.top, r.right, r.bottom] : null, shown: !!(el && el.offsetParent)};
}"""


def still(page, sel="body"):
    """The document does not scroll and is not scrolled; returns where sel is."""
    at = page.evaluate(AT, sel)
    assert at["scrolls"] <= 0 and at["y"] == 0, "the document scrolls (%d px, at %d)" % (at["scrolls"], at["y"])
    return at


def tap(page, sel):
    at = still(page, sel)
    left, top, right, bottom = at["box"] or (0, 0, 0, 0)
    assert at["shown"] and left >= 0 and top >= 0 and right <= WIDTH + 1 and bottom <= HEIGHT + 1, \
        "%s is not on screen to tap: %r" % (sel, at)
    page.click(sel)
    still(page)


def test_a_reader_at_600x800_with_28px_text_never_scrolls(browser, server):
    ids = [server.request("POST", "api/chats", {})["id"] for _ in range(69)]
    page = open_page(browser, server.url, width=WIDTH, height=HEIGHT)
    try:
        page.evaluate("() => { localStorage.setItem('kc.font', '28'); }")
        page.reload()
        wait_js(page, "() => document.body.style.fontSize === '28px'")
        page.fill("#message", "demo:long")
        tap(page, "#send")
        assert wait_status(page) == "done"
        wait_js(page, "() => document.querySelector('.msg.model .follow-ups button')")
        while page.is_enabled("#prev"):   # the page followed the reply as it came: back to its start
            tap(page, "#prev")
        turns = 0
        while page.is_enabled("#next"):   # and read it to its end and its follow-ups
            tap(page, "#next")
            turns += 1
            assert turns < 200
        assert turns >= 3, "a long reply at 28 px took %d turns" % turns
        tap(page, ".msg.model .follow-ups button")   # the first follow-up, asked
        wait_js(page, "() => document.querySelectorAll('.msg.model').length === 2")
        assert wait_status(page) == "done"
        ids += [page.evaluate("() => KC.S.chat")]
        tap(page, "#show-chats")
        wait_js(page, "(n) => document.querySelectorAll('#chat-list .chat').length >= n", len(ids))
        seen = set()
        while True:
            still(page)
            seen |= set(page.evaluate("() => [].filter.call(document.querySelectorAll('#chat-list .chat'),"
                                      " function (r) { return r.offsetParent; }).map(function (r) {"
                                      " return r.getAttribute('data-id'); })"))
            if not page.is_visible("#chats-view .list-next") or not page.is_enabled("#chats-view .list-next"):
                break
            tap(page, "#chats-view .list-next")
        assert set(ids) <= seen and len(seen) >= 70
        tap(page, "#chats-view .back")
        assert page.is_visible("#chat-view")
        assert page.locator(".msg.model").count() == 2   # back in the chat just read
        assert not page.errors, page.errors
    finally:
        page.context.close()

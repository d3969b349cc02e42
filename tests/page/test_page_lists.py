"""Lists turn pages (issue 22.6): at 600x800 with 28 px text, Chats with 71 chats and
Words with its first words show a screenful, never scroll the document, keep Back on
screen, and Previous/Next go through every row once."""
import pytest

from page_fixtures import Server, browser, open_page, wait_js  # noqa: F401

SCREEN = """(sel) => {
    var rows = Array.prototype.filter.call(document.querySelectorAll(sel), function (r) { return r.offsetParent; }),
        back = Array.prototype.filter.call(document.querySelectorAll('.back'), function (b) { return b.offsetParent; })[0],
        r = back.getBoundingClientRect();
    return {scrolls: document.documentElement.scrollHeight - window.innerHeight,
            backOn: r.top >= 0 && r.bottom <= window.innerHeight,
            rows: rows.map(function (x) { return x.getAttribute('data-id') || x.textContent; }),
            cut: rows.filter(function (x) { return x.getBoundingClientRect().bottom > window.innerHeight; }).length};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-lists"))
    yield srv
    srv.stop()


def reader(browser, server):
    page = open_page(browser, server.url, width=600, height=800)
    page.evaluate("() => { localStorage.setItem('kc.font', '28'); }")
    page.reload()
    wait_js(page, "() => document.body.style.fontSize === '28px'")
    return page


def through(page, rows, next_button):
    seen, pages = [], 0
    while True:
        at = page.evaluate(SCREEN, rows)
        pages += 1
        assert at["scrolls"] <= 0, "page %d of the list scrolls the document by %d px" % (pages, at["scrolls"])
        assert at["backOn"], "page %d: Back is off the screen" % pages
        assert not at["cut"] and at["rows"], at
        seen += at["rows"]
        if not page.is_visible(next_button) or not page.is_enabled(next_button):
            return seen, pages
        page.click(next_button)


def test_seventy_chats_page_through_and_back(browser, server):
    ids = [server.request("POST", "api/chats", {})["id"] for _ in range(71)]
    page = reader(browser, server)
    try:
        page.click("#show-chats")
        wait_js(page, "() => document.querySelectorAll('#chat-list .chat').length >= 71")
        seen, pages = through(page, "#chat-list .chat", "#chats-view .list-next")
        assert pages > 3 and sorted(seen) == sorted(set(seen)) and set(ids) <= set(seen)
        page.click("#chats-view .list-prev")                  # and back a page
        assert page.evaluate(SCREEN, "#chat-list .chat")["scrolls"] <= 0
        page.click("#chats-view .back")
        assert page.is_visible("#chat-view")
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_words_page_through_with_more_on_screen(browser, server):
    page = reader(browser, server)
    try:
        page.click("#show-library")
        page.click("#highlights-view .tab:nth-child(2)")
        wait_js(page, "() => document.getElementById('words-view').getAttribute('data-state') === 'ready'")
        count = page.locator("#words-list .word").count()
        seen, pages = through(page, "#words-list .word", "#words-view .list-next")
        assert pages > 1 and len(seen) == count == len(set(seen))
        assert page.is_visible("#words-more")
        box = page.locator("#words-more").bounding_box()
        assert box["y"] + box["height"] <= 800
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_books_fit_a_screen(browser, server):
    page = reader(browser, server)
    try:
        page.click("#show-library")
        page.click("#highlights-view .tab:nth-child(3)")
        wait_js(page, "() => document.getElementById('books-view').getAttribute('data-state') === 'ready'")
        count = page.locator("#books-list .book-row").count()
        seen, pages = through(page, "#books-list .book-row", "#books-view .list-next")
        assert count and len(seen) == count == len(set(seen))
        assert not page.errors, page.errors
    finally:
        page.context.close()

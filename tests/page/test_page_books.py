"""The Books view's book being read (issue 24, www/books.js) against a real demo server
and its sample library (tools/make_sample_book.py: an AZW3 made by calibre, the reader's
sidecar in chapter 4, KUAL opened after it): the book first, with its page and percent
and what KindleChat can read of it; Catch me up first (last opened long ago), Ask and
Who's who one tap each, each streaming an answer that lists the pages it drew on; every
word from the page's own string table. Chromium through Playwright, plain and old-Kindle."""
import pytest

from page_fixtures import browser, open_page, wait_js, wait_status, MODES, page  # noqa: F401 -- fixtures (page: with this module's server)
from test_page_library import open_tab, texts, QUICK
from page_fixtures import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-books"), env=QUICK)
    yield srv
    srv.stop()


def strings(page, *keys):
    return page.evaluate("(ks) => ks.map(k => k.split('.').reduce((o, x) => o[x], KC.T))", list(keys))


def tap_and_read(page, selector):
    before = page.evaluate("localStorage.getItem('kc.chat')")
    page.click(selector)
    wait_js(page, "(old) => { var c = localStorage.getItem('kc.chat');"
            " return document.getElementById('chat-view').style.display === '' && c !== old && c; }", before)
    assert wait_status(page, ("done",)) == "done"
    return page.evaluate("localStorage.getItem('kc.chat')")


def test_the_book_being_read_first_with_its_page_and_three_taps(page, server):
    listed = server.get("api/books")
    book = listed["books"][0]
    assert listed["reading"] == book["id"] and book["title"] == "The Lighthouse Keeper's Daughter"
    open_tab(page, "books")
    now = "#books-list .book-now"
    reading_now, readable, catch_up, ask, whos_who, used = strings(
        page, "readingNow", "bookText.readable", "catchUp", "askBook", "whosWho", "pagesUsed")
    assert texts(page, now + " .who") == [reading_now]
    assert texts(page, now + " .word-name") == [book["title"]]
    meta = texts(page, now + " .meta")[0]
    assert "page %s" % book["position"]["page"] in meta and "%d%% read" % round(book["position"]["percent"]) in meta
    assert texts(page, now + " .book-text") == [readable]
    assert texts(page, now + " .act") == [catch_up, ask, whos_who]      # last opened long ago: Catch me up first
    assert "KUAL" not in texts(page, "#books-list .word-name")
    chat_id = tap_and_read(page, now + " .act:nth-child(1)")
    chat = server.get("api/chats/" + chat_id)
    assert chat["messages"][0]["book"]["action"] == "recap" and chat["messages"][1]["book"]["pages"]
    notes = texts(page, ".msg.model .book-note .meta")
    assert notes and notes[0].startswith(used) and chat["messages"][1]["book"]["pages"][0] in notes[0]

    open_tab(page, "books")
    page.fill(now + " .book-question", "Who keeps the light?")
    chat_id = tap_and_read(page, now + " .act:nth-child(2)")
    chat = server.get("api/chats/" + chat_id)
    assert chat["messages"][0]["text"] == "Who keeps the light?" and chat["messages"][0]["book"]["action"] == "book"

    open_tab(page, "books")
    chat_id = tap_and_read(page, now + " .act:nth-child(3)")
    assert server.get("api/chats/" + chat_id)["messages"][0]["book"]["action"] == "xray"

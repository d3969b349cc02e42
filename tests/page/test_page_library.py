"""The page's library views (issue 14, www/library.js) against a real demo server and its
shipped sample library: Highlights (books, search, a book's filter, Explain from a tap),
Words (a word explained, the quiz), Books (Ask about this book), Save as book, and a
Kindle folder with no clippings yet (the server's plain message, then the file and More,
then a file over 1 MB whose first answer is partial: the page asks again by itself).
Chromium through Playwright (plain, and with fetch/Promise/EventSource deleted) and
PhantomJS 2.1.1; every expectation is read from the server's own API answer."""
import json
import os
import re

import pytest

from page_fixtures import Server, browser, open_page, wait_js, wait_status, MODES, page  # noqa: F401 -- fixtures (page: with this module's server)
from phantom_page import Phantom

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUICK = {"KINDLECHAT_DEMO_TPS": "400", "KINDLECHAT_DEMO_FIRST_MS": "50"}
SAVED = "Saved to your Kindle's library as "


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-library"), env=QUICK)
    yield srv
    srv.stop()


def texts(page, selector):
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def wait_view(page, name):
    """The view shows and its answer is drawn (data-state ready, or error with the message)."""
    return wait_js(page, """(n) => { var v = document.getElementById(n + '-view'), s = v.getAttribute('data-state');
        return v.style.display !== 'none' && (s === 'ready' || s === 'error') && s; }""", name)


def open_tab(page, name):
    page.click("#show-library")
    wait_view(page, "highlights")
    if name != "highlights":
        page.click("#highlights-view .tab:nth-child(%d)" % (["highlights", "words", "books"].index(name) + 1))
        wait_view(page, name)


def started_chat(page, server, before):
    """The chat a library tap started: shown in the chat view, its reply streamed to the end."""
    chat_id = wait_js(page, "(old) => { var c = localStorage.getItem('kc.chat');"
                      " return document.getElementById('chat-view').style.display === '' && c !== old && c; }", before)
    assert wait_status(page, ("done",)) == "done"
    chat = server.get("api/chats/" + chat_id)
    assert texts(page, ".msg.model .body")[-1].strip() != ""
    assert page.evaluate("() => { var a = document.querySelectorAll('.msg.model'); return a[a.length - 1].reply.text; }") \
        == chat["messages"][1]["text"]
    return chat


def test_highlights_search_explain_and_save(page, server):
    everything = server.get("api/highlights?limit=10")
    open_tab(page, "highlights")
    assert texts(page, "#hl-books .book") == ["%s (%d)" % (b["title"], b["count"]) for b in everything["books"]]
    assert texts(page, "#hl-list .hl-text") == [h["text"] for h in everything["highlights"]]
    assert page.is_hidden("#hl-more")

    page.fill("#hl-q", "ishmael")
    page.press("#hl-q", "Enter")   # Enter searches, as the Search button does
    wait_view(page, "highlights")
    found = server.get("api/highlights?q=ishmael")["highlights"]
    assert texts(page, "#hl-list .hl-text") == [h["text"] for h in found] and len(found) < len(everything["highlights"])

    page.fill("#hl-q", "")
    page.click("#hl-search")
    wait_view(page, "highlights")
    page.click("#hl-books .book:has-text('Moby-Dick')")
    wait_view(page, "highlights")
    moby = server.get("api/highlights?book=Moby-Dick")["highlights"]
    assert texts(page, "#hl-list .hl-text") == [h["text"] for h in moby]
    assert texts(page, "#hl-books [data-chosen]") == ["Moby-Dick (%d)" % len(moby)]

    page.click("#hl-list .hl:nth-child(1) .hl-tap")
    assert texts(page, "#hl-list .acts button") == ["Explain", "Summarize", "Translate", "Discuss"]
    before = page.evaluate("() => localStorage.getItem('kc.chat')")
    page.click("#hl-list .acts button:has-text('Explain')")
    chat = started_chat(page, server, before)
    assert moby[0]["text"] in chat["messages"][0]["text"]
    assert moby[0]["text"] in texts(page, ".msg.user .body")[0]

    page.click("#save-book")
    notice = wait_js(page, "(s) => { var t = document.getElementById('notice').textContent; return t.indexOf(s) === 0 && t; }", SAVED)
    path = notice[len(SAVED):].rstrip(".")
    assert path.startswith("documents/KindleChat/")
    assert os.path.isfile(os.path.join(server.data_dir, "demo-library", *path.split("/")))


def test_words_quiz_and_book(browser, server):  # noqa: F811
    page = open_page(browser, server.url, "old-kindle", 600, 800)
    assert page.is_hidden("#save-book")   # a new chat: nothing to save yet
    words = server.get("api/words?limit=10")["words"]
    open_tab(page, "words")
    assert texts(page, "#words-list .word-name") == [w["word"] for w in words]
    assert texts(page, "#words-list .usage") == [w["usage"] for w in words]
    before = page.evaluate("() => localStorage.getItem('kc.chat')")
    page.click("#words-list .word:nth-child(2)")
    chat = started_chat(page, server, before)
    assert words[1]["usage"] in chat["messages"][0]["text"]
    assert page.is_visible("#save-book")

    open_tab(page, "words")
    page.click("#quiz")
    chat = started_chat(page, server, chat["id"])
    assert all(w["word"] in chat["messages"][0]["text"] for w in words)

    books = server.get("api/books")["books"]
    open_tab(page, "books")
    assert texts(page, "#books-list .word-name") == [b["title"] for b in books]
    assert "%d%% read" % round(books[0]["progress"] * 100) in texts(page, "#books-list .meta")[0]
    page.click("#books-list .book-row:nth-child(1) .act")
    chat = started_chat(page, server, chat["id"])
    assert books[0]["title"] in chat["messages"][0]["text"]
    assert not page.errors
    page.context.close()


def clippings(n):
    """n highlights in the English Kindle's own format, one a day (the newest last in the file)."""
    entry = ("Book %d (Author %d)\r\n- Your Highlight on page %d | Location %d-%d | Added on "
             "Monday, March %d, 2025 9:14:02 PM\r\n\r\nPassage number %d about %s.\r\n==========\r\n")
    return "\ufeff" + "".join(entry % (k % 3, k % 3, k, 10 * k, 10 * k + 2, k + 1, k, "tea" if k % 4 else "rain")
                              for k in range(n))


def test_no_clippings_yet_then_the_file_and_more(browser, tmp_path):  # noqa: F811
    root = tmp_path / "us"
    (root / "documents").mkdir(parents=True)
    srv = Server(tmp_path / "kc", "--library-dir", str(root), "--library-db", str(tmp_path / "none.db"), env=QUICK)
    try:
        page = open_page(browser, srv.url, "old-kindle")
        open_tab(page, "highlights")
        message = srv.get("api/highlights")["message"]
        assert "My Clippings.txt" in message
        assert page.text_content("#hl-msg") == message
        assert page.get_attribute("#highlights-view", "data-state") == "error"
        for name, path in (("words", "api/words"), ("books", "api/books")):
            open_tab(page, name)
            assert page.text_content("#%s-msg" % name) == srv.get(path)["message"] != ""

        (root / "documents" / "My Clippings.txt").write_text(clippings(23), encoding="utf-8")
        open_tab(page, "highlights")
        shown = texts(page, "#hl-list .hl-text")
        for offset in (10, 20):
            assert shown == [h["text"] for h in srv.get("api/highlights?limit=%d" % offset)["highlights"]]
            page.click("#hl-more")
            shown = wait_js(page, "(n) => { var a = [].map.call(document.querySelectorAll('#hl-list .hl-text'),"
                            " function (e) { return e.textContent; }); return a.length > n && a; }", offset)
        assert shown == [h["text"] for h in srv.get("api/highlights?limit=50")["highlights"]] and len(shown) == 23
        assert page.is_hidden("#hl-more") and page.text_content("#hl-msg") == ""

        # A file over 1 MB, new (no parse kept): the first answer is the newest part only,
        # marked partial (highlights.py does not wait for the whole parse), and the page
        # asks again by itself until the whole file is in.
        big = clippings(9000).replace("Passage number", "Another passage")
        assert len(big.encode("utf-8")) > 1024 * 1024
        (root / "documents" / "My Clippings.txt").write_text(big, encoding="utf-8")
        asked = []
        page.on("request", lambda r: "/api/highlights" in r.url and asked.append(r.url))
        page.click("#highlights-view .tab:nth-child(1)")
        wait_js(page, "() => document.getElementById('highlights-view').getAttribute('data-state') === 'ready' &&"
                " document.getElementById('hl-msg').textContent === '' &&"
                " document.getElementById('hl-more').style.display === ''")
        assert len(asked) >= 2, asked   # one tap: the partial answer's own ask again
        assert texts(page, "#hl-list .hl-text") == [h["text"] for h in srv.get("api/highlights?limit=10")["highlights"]]
        assert srv.get("api/highlights?limit=1")["total"] == 9000
        assert not page.errors
        page.context.close()
    finally:
        srv.stop()


def test_library_in_phantomjs(tmp_path, server):
    ph = Phantom.start(tmp_path)
    try:
        ph.open(server.url)
        ph.wait("document.getElementById('message')")
        ready = "(function (v) { return v.style.display !== 'none' && v.getAttribute('data-state') === 'ready'; })" \
                "(document.getElementById('%s-view'))"
        last = "(function () { var a = document.querySelectorAll('.msg.model'); return a[a.length - 1]; })()"
        for tab, tap, expect in ((None, "#hl-list .acts .act", server.get("api/highlights")["highlights"][1]["text"]),
                                 (2, "#words-list .word", server.get("api/words")["words"][0]["usage"]),
                                 (3, "#books-list .act", server.get("api/books")["books"][0]["title"])):
            ph.click("#show-library")
            ph.wait(ready % "highlights")
            if tab:
                ph.click("#highlights-view .tab:nth-child(%d)" % tab)
                ph.wait(ready % ["", "", "words", "books"][tab])
            else:
                ph.click("#hl-list .hl:nth-child(2) .hl-tap")
            before = ph.expr("localStorage.getItem('kc.chat')")
            ph.click(tap)
            ph.wait("document.getElementById('chat-view').style.display === '' && localStorage.getItem('kc.chat') !== %s" % json.dumps(before))
            ph.wait("%s && %s.getAttribute('data-status') === 'done'" % (last, last))
            assert expect in ph.expr("document.querySelector('.msg.user .body').textContent")
        ph.click("#save-book")
        notice = ph.wait("document.getElementById('notice').textContent.indexOf(%r) === 0 && "
                         "document.getElementById('notice').textContent" % SAVED)
        assert os.path.isfile(os.path.join(server.data_dir, "demo-library", *notice[len(SAVED):].rstrip(".").split("/")))
        log = ph.log()
        assert not log["errors"] and not log["console"], log
    finally:
        ph.quit()


def test_readme_shows_the_library_screens():
    """The README's library section links screenshots (tools/screenshots.py) that exist, small."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        section = f.read().split("## Your library", 1)[1].split("\n## ", 1)[0]
    links = re.findall(r"\]\((docs/screens/[^)]+\.png)\)", section)
    assert {"highlights", "words", "chat"} <= {os.path.basename(p).split("-")[0] for p in links}
    assert {"600x800", "758x1024"} <= {p.rsplit("-", 1)[1][:-4] for p in links}
    for p in links:
        assert os.path.getsize(os.path.join(ROOT, p)) < 60 * 1024, p

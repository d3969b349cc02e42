"""A library chat in the page, by real taps (issue 22.8 and 22.9, tested at the API in
tests/test_library_api.py): the Chats list names a chat started from a highlight as
"Book — “first words…” (Action)", cut at a word when long, the action kept; Save as book writes one
.mobi into the library's KindleChat folder (no .txt beside it), and saving again, after
another message, replaces that file with the chat as it is now. Chromium, as is and in
old-Kindle mode, against the demo server's sample library; the files read on disk."""
import os

import pytest

from page_fixtures import Server, browser, page, send, wait_js, wait_status  # noqa: F401 -- page: with this module's server
from kindlechat.reading.mobi_text import read_text

SAVED = "Saved to your Kindle's library as "
# The Chats list's title of a chat: its Open button's text, without the date under it
TITLE = """(id) => { var b = document.querySelector('#chat-list .chat[data-id="' + id + '"] .open');
    return b && b.firstChild.nodeValue; }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-library-chats"), env={"KINDLECHAT_DEMO_TPS": "2000",
                                                                   "KINDLECHAT_DEMO_FIRST_MS": "20"})
    yield srv
    srv.stop()


def ask(page, server, words, action):
    """Search the highlights for words, tap the one found, then the action: the chat it starts."""
    before = page.evaluate("() => localStorage.getItem('kc.chat')")
    page.click("#show-library")
    page.fill("#hl-q", words)
    page.click("#hl-search")
    wait_js(page, "() => document.querySelectorAll('#hl-list .hl').length === 1 && "
                  "document.getElementById('highlights-view').getAttribute('data-state') === 'ready'")
    page.click("#hl-list .hl-tap")
    page.click("#hl-list .acts button:text-is('%s')" % action)
    chat_id = wait_js(page, "(old) => { var c = localStorage.getItem('kc.chat');"
                      " return document.getElementById('chat-view').style.display === '' && c !== old && c; }", before)
    assert wait_status(page) == "done"
    return chat_id


def listed_title(page, chat_id):
    page.click("#show-chats")
    return wait_js(page, TITLE, chat_id)


def test_a_library_chat_is_listed_by_book_passage_and_action(page, server):
    moby = ask(page, server, "grapple", "Explain")
    assert listed_title(page, moby) == "Moby-Dick — “To the last I grapple…” (Explain)"
    page.click("#chats-view .back")

    pride = ask(page, server, "universally", "Summarize")
    title = listed_title(page, pride)
    first = server.get("api/chats/" + pride)["messages"][0]["text"].split("\n")[0]
    assert first.startswith("Pride and Prejudice (Penguin Classics) — “It is a truth") and first.endswith("(Summarize)")
    # a long first line is cut at a word in the book and passage, and keeps its action
    assert title == "Pride and Prejudice (Penguin Classics) — “It is…” (Summarize)", title
    assert len(title) <= 61 and first.startswith(title[:title.index("…")] + " ")
    assert not page.errors, page.errors


def test_save_as_book_writes_one_mobi_and_saving_again_replaces_it(page, server):
    folder = os.path.join(server.data_dir, "demo-library", "documents", "KindleChat")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    ask(page, server, "grapple", "Explain")
    path = save(page)
    name = path.rsplit("/", 1)[1]
    assert path == "documents/KindleChat/" + name and name.endswith(".mobi")
    assert set(os.listdir(folder)) - before == {name}, "one file for the chat"
    assert not [n for n in os.listdir(folder) if not n.endswith(".mobi")], "no .txt beside the book"
    book = os.path.join(folder, name)
    assert "To the last I grapple with thee" in read_text(book).text

    send(page, "And who says it?")
    assert wait_status(page) == "done"
    page.evaluate("() => KC.notice('')")   # so the second save's notice is seen coming
    assert save(page) == path
    assert set(os.listdir(folder)) - before == {name}, "replaced, not a copy beside it"
    assert "And who says it?" in read_text(book).text
    assert not page.errors, page.errors


def save(page):
    """Tap Save as book; the path its notice names."""
    page.click("#save-book")
    notice = wait_js(page, "(s) => { var t = document.getElementById('notice').textContent;"
                     " return t.indexOf(s) === 0 && t; }", SAVED)
    return notice[len(SAVED):].rstrip(".")

"""How the page comes to its language when the settings arrive after it started (issue
15, must 4), in Chromium against a real demo server with `language: de`:
- localStorage empty (the new Kindle browser empties it at launch): the page starts in
  the browser's English, reloads once, and is German; the next start is German at once;
- localStorage refused altogether: the texts turn German in place, never a reload loop;
- `language` emptied again: the page follows the browser again.
A page that reloaded loses window.kcMark, which each test sets once the page is settled."""
import pytest

from page_fixtures import Server, browser, wait_js, wait_through_reloads  # noqa: F401
from strings_tables import read_tables

DE = read_tables()["de"]
READY = ("() => document.documentElement.getAttribute('lang') === %r && document.getElementById('settings-view')"
         ".getAttribute('data-state') === 'ready' && document.getElementById('send').textContent === %r")
# Each document the context starts counts itself (sessionStorage survives a reload).
COUNT = "sessionStorage.setItem('kc.starts', (+sessionStorage.getItem('kc.starts') || 0) + 1);"
NO_STORAGE = """Object.defineProperty(window, 'localStorage', {get: function () { throw new Error('denied'); }});"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-lang-pick"), env={"KINDLECHAT_LANGUAGE": "de"})
    yield srv
    srv.stop()


def start(browser, url, *scripts):
    """A fresh context (English browser) that counts the page's starts."""
    context = browser.new_context(viewport={"width": 758, "height": 1024}, locale="en-US")
    for script in (COUNT,) + scripts:
        context.add_init_script(script)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(url)
    return page


def settled(page, n, lang, send_text):
    """The page's n-th start shows lang (its Send button reads send_text)."""
    wait_through_reloads(page, "() => +sessionStorage.getItem('kc.starts') === %d && (%s)()"
                         % (n, READY % (lang, send_text)))


def starts(page):
    return int(page.evaluate("() => sessionStorage.getItem('kc.starts')"))


def still_the_same_page(page):
    """One more settings answer (Settings opened) changes nothing: no reload follows."""
    page.evaluate("() => { window.kcMark = 1; }")
    page.click("#show-settings")
    wait_js(page, "() => document.getElementById('settings-view').getAttribute('data-state') === 'ready'")
    page.click("#settings-view .back")
    return page.evaluate("() => window.kcMark") == 1


def test_empty_storage_reloads_once_then_starts_german(browser, server):
    page = start(browser, server.url)
    try:
        settled(page, 2, "de", DE["send"])        # the English start, and one reload
        assert page.evaluate("() => localStorage.getItem('kc.lang')") == "de"
        assert still_the_same_page(page)
        page.reload()
        settled(page, 3, "de", DE["send"])
        assert still_the_same_page(page)
        assert page.text_content("#new-chat") == DE["newChat"]
        assert page.get_attribute("#message", "placeholder") == DE["writeMessage"]
        assert not page.errors
    finally:
        page.context.close()


def test_refused_storage_turns_german_in_place(browser, server):
    page = start(browser, server.url, NO_STORAGE)
    try:
        settled(page, 1, "de", DE["send"])
        assert still_the_same_page(page)
        assert page.text_content("#show-settings") == DE["settings"]
        assert page.text_content("label[data-t='follow']").strip() == DE["follow"]
        assert page.is_checked("#follow")               # the box in the label is kept
        assert not page.errors
    finally:
        page.context.close()


def test_automatic_again_follows_the_browser(browser, server):
    page = start(browser, server.url)
    try:
        settled(page, 2, "de", DE["send"])
        server.request("PUT", "api/settings", {"language": ""})
        page.click("#show-settings")        # its settings answer says: automatic
        settled(page, 3, "en", "Send")
        assert page.evaluate("() => localStorage.getItem('kc.lang')") is None
        assert still_the_same_page(page)
    finally:
        server.request("PUT", "api/settings", {"language": "de"})
        page.context.close()

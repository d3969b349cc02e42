"""The page in German has no English left (issue 15, must 5): in Chromium and PhantomJS,
with the setting `language: de` (and in Chromium also from a German browser, with the
setting empty), every view (the chat with a finished and a stopped reply, the chat list
with Delete armed, Settings) is read word by word and compared with the English table.

The words the page shows are its visible text nodes and placeholders, less what a person
or the model wrote (messages, chat titles) and the models' names. A word is English when
Strings.en has it and the German table does not ("Gemini", "Chats", "Demo" are both);
the languages' own names ("English" in the language choice) are the point of that list.
A control run of the same reading on the English page must find English, so the check
cannot pass by seeing nothing."""
import re

import pytest

from page_fixtures import Server, browser, open_page, wait_js, wait_through_reloads  # noqa: F401
from phantom_page import Phantom
from strings_tables import flat, read_tables

TABLES = read_tables()
PACE = {"KINDLECHAT_DEMO_TPS": "200", "KINDLECHAT_DEMO_FIRST_MS": "100"}

# The page's own words on screen: visible text nodes and placeholders (ES5: PhantomJS runs it).
VISIBLE = """function () {
  var out = [], walker = document.createTreeWalker(document.body, 4, null, false), n, el, i, all;
  function shown(e) { return e.offsetWidth > 0 || e.offsetHeight > 0 || e.getClientRects().length > 0; }
  function theirs(e) {   // what a person or the model wrote, or a model's name
    for (; e && e !== document.body; e = e.parentNode) {
      if (/(^| )(body|thoughts|open)( |$)/.test(e.className) || e.id === 'model-list') { return true; }
    }
    return false;
  }
  while ((n = walker.nextNode())) {
    el = n.parentNode;
    if (!/\\S/.test(n.nodeValue) || !shown(el) || /^(SCRIPT|STYLE)$/.test(el.tagName)) { continue; }
    if (theirs(el) && !(el.className === 'meta')) { continue; }
    out.push(n.nodeValue);
  }
  for (all = document.querySelectorAll('[placeholder]'), i = 0; i < all.length; i++) { if (shown(all[i])) { out.push(all[i].getAttribute('placeholder')); } }
  return out;
}"""
LANG_READY = ("document.documentElement.getAttribute('lang') === %r && document.getElementById('settings-view')"
              ".getAttribute('data-state') === 'ready'")


def words(texts):
    return {w.lower() for t in texts for w in re.findall(r"[^\W\d_]{2,}", t)}


def english_words(code):
    """The words only the English table has (beside the languages' own names)."""
    names = [TABLES[c]["langName"] for c in TABLES]
    return words(flat(TABLES["en"]).values()) - words(flat(TABLES[code]).values()) - words(names)


def english_left(texts, code="de"):
    found = words(texts) & english_words(code)
    return sorted(t for t in texts if words([t]) & found)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-german"), env=PACE)
    yield srv
    srv.stop()


@pytest.fixture
def language(server):
    """Sets the server's `language` for one test, and empties it after."""
    yield lambda code: server.request("PUT", "api/settings", {"language": code})
    server.request("PUT", "api/settings", {"language": ""})


class Chromium:
    """The three views, driven through Playwright."""

    def __init__(self, page):
        self.p = page

    def wait(self, expr):
        return wait_js(self.p, "() => " + expr)

    def click(self, selector):
        self.p.click(selector)

    def type(self, selector, text):
        self.p.fill(selector, text)

    def visible(self):
        return self.p.evaluate(VISIBLE)


class Phantomjs(Chromium):
    def __init__(self, ph):
        self.p = ph

    def wait(self, expr):
        return self.p.wait(expr)

    def type(self, selector, text):
        self.p.type(selector, text)

    def visible(self):
        return self.p.js(VISIBLE)


STATUS = ("(function () { var a = document.querySelectorAll('.msg.model'); "
          "return a.length === %d && a[a.length - 1].getAttribute('data-status'); })()")


def every_view(b):
    """The visible texts of each view: {view: [text]}, after a finished and a stopped reply."""
    b.type("#message", "Wie funktioniert E-Ink?")
    b.click("#send")
    b.wait(STATUS % 1 + " === 'done'")
    b.type("#message", "demo:long")
    b.click("#send")
    b.wait(STATUS % 2 + " === 'streaming' && document.querySelectorAll('.msg.model')[1].reply.text")
    b.wait("!KC.guarded(document.getElementById('stop'))")   # a tap on Stop in its first 0.8 s does nothing
    b.click("#stop")
    b.wait(STATUS % 2 + " === 'stopped'")
    seen = {"chat": b.visible()}
    b.click("#show-chats")
    b.wait("document.querySelector('#chat-list .chat button.delete')")
    b.click("#chat-list .chat button.delete")
    b.wait("document.querySelector('#chat-list .chat button.delete').getAttribute('data-armed')")
    seen["chats"] = b.visible()
    b.click("#show-settings")
    b.wait("document.getElementById('settings-view').getAttribute('data-state') === 'ready' && "
           "document.querySelector('#model-list .choice') && !document.getElementById('model-state').textContent")
    seen["settings"] = b.visible()
    return seen


def assert_german(seen):
    for view, texts in seen.items():
        assert len(texts) > 5, "%s: read almost nothing: %r" % (view, texts)
        assert not english_left(texts), "English left in the German %s view: %r" % (view, english_left(texts))
    assert "Angehalten. Der Text bis hierher bleibt." in " ".join(seen["chat"])
    assert "Endgültig löschen?" in seen["chats"]


def test_the_check_finds_english_on_the_english_page(browser, server):
    """The control: the same reading of the English page finds English in every view."""
    page = open_page(browser, server.url, locale="en-US")
    try:
        wait_js(page, "() => " + LANG_READY % "en")
        seen = every_view(Chromium(page))
        for view, texts in seen.items():
            assert len(english_left(texts)) > 3, "%s: %r" % (view, texts)
        assert not page.errors
    finally:
        page.context.close()


def test_a_german_browser_gets_the_german_page(browser, server):
    page = open_page(browser, server.url, locale="de-DE")
    try:
        wait_js(page, "() => " + LANG_READY % "de")
        assert_german(every_view(Chromium(page)))
        assert not page.errors
    finally:
        page.context.close()


def test_language_de_picked_in_settings_turns_the_page_german(browser, server, language):
    """An English browser; the reader taps Deutsch in Settings (a tap saves it, issue 22):
    the page comes back in German, and stays so after a reload."""
    page = open_page(browser, server.url, locale="en-US")
    try:
        wait_js(page, "() => " + LANG_READY % "en")
        page.click("#show-settings")
        wait_js(page, "() => document.querySelectorAll('#language-list .choice').length === %d" % (len(TABLES) + 1))
        page.click("#language-list .choice:text-is('Deutsch')")   # saved at once; a new language reloads the page
        wait_through_reloads(page, "() => " + LANG_READY % "de")
        assert server.get("api/settings")["language"] == "de"
        page.reload()
        wait_js(page, "() => " + LANG_READY % "de")
        assert page.locator("#send").text_content() == TABLES["de"]["send"]
        assert_german(every_view(Chromium(page)))
        assert not page.errors
    finally:
        page.context.close()


def test_language_de_in_phantomjs(tmp_path, server, language):
    """The old engine (WebKit 538.1; navigator.language en-US) with `language: de`."""
    language("de")
    ph = Phantom.start(tmp_path)
    try:
        ph.open(server.url)
        ph.wait(LANG_READY % "de")
        assert_german(every_view(Phantomjs(ph)))
        log = ph.log()
        assert not log["errors"] and not log["console"], log
    finally:
        ph.quit()

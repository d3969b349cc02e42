"""The model list in Settings turns pages (issue 22.6): Settings scrolls as a whole, so
the list takes a third of the window, and Previous and Next under it turn to the models
before and after. A model tapped on page 2 is saved and page 2 stays shown, and Settings
opens again on the chosen model's page. A real server asks a loopback Gemini that lists
40 models (two pages of its own wire format), at 600x800 and 1072x1448, in Chromium (as
is and in old-Kindle mode) and PhantomJS."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from page_fixtures import MODES, browser, open_page, wait_js  # noqa: F401
from phantom_page import Phantom
from strings_tables import LOCALES, read_tables, twice
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream

NAMES = ["gemini-test-%02d" % n for n in range(40)]
# Names of mixed lengths, so that a line of the list holds one, two or three of them
DISPLAY = ["Test %02d%s" % (n, ["", " Flash", " Flash Lite", " Flash Lite Preview"][n % 4]) for n in range(40)]
# The rows on screen: the list's visible buttons, and how far their tops and bottoms span
SHOWN = """() => {
    var rows = Array.prototype.filter.call(document.querySelectorAll('#model-list button'),
        function (b) { return b.offsetParent; }), top = 1e9, bottom = 0;
    rows.forEach(function (b) { var r = b.getBoundingClientRect(); top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom); });
    return {names: rows.map(function (b) { return b.textContent; }), span: bottom - top,
            room: window.innerHeight / 3, chosen: rows.filter(function (b) { return b.hasAttribute('data-chosen'); }).length};
}"""


def models_page(request):
    """Gemini's GET models, 20 a page: the second page by its token."""
    if request["method"] != "GET" or "/models" not in request["path"]:
        return None
    second = parse_qs(urlsplit(request["path"]).query).get("pageToken") == ["p2"]
    names = range(20, 40) if second else range(20)
    doc = {"models": [{"name": "models/" + NAMES[n], "displayName": DISPLAY[n],
                       "supportedGenerationMethods": ["generateContent"]} for n in names]}
    if not second:
        doc["nextPageToken"] = "p2"
    return Reply(body=json.dumps(doc).encode("utf-8"), content_type="application/json", framing="length")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with a key, its Gemini a loopback one listing 40 models."""
    up = Upstream(route=models_page).start()
    srv = ServerProcess(tmp_path_factory.mktemp("kc-model-list") / "data", "--gemini-url", up.url,
                        env={"GEMINI_API_KEY": "test-key-model-list"}, fast=False).start(timeout=30)
    srv.url += "/"
    yield srv
    srv.stop()
    up.stop()


def unlisted(server):
    """A model not in the list: no page holds the chosen one."""
    server.request("PUT", "api/settings", {"model": "gemini-flash-latest"})


def open_settings(page):
    page.click("#show-settings")
    wait_js(page, "() => document.getElementById('settings-view').getAttribute('data-state') === 'ready' && "
                  "document.querySelectorAll('#model-list button').length === 40")


def screen(page):
    at = page.evaluate(SHOWN)
    assert at["names"] and at["span"] <= at["room"] + 1, "more than the list's room: %r" % at
    return at


@pytest.mark.parametrize("size", [(600, 800), (1072, 1448)], ids=["600x800", "1072x1448"])
@pytest.mark.parametrize("mode", MODES)
def test_the_model_list_turns_pages_and_keeps_the_chosen_ones(browser, server, size, mode):
    unlisted(server)
    page = open_page(browser, server.url, mode, width=size[0], height=size[1])
    try:
        open_settings(page)
        first = screen(page)["names"]
        assert first[0] == DISPLAY[0] and len(first) < 40
        assert page.is_visible("#settings-view .list-next") and page.is_disabled("#settings-view .list-prev")
        page.click("#settings-view .list-next")
        second = screen(page)["names"]
        assert second[0] == DISPLAY[len(first)], "Next shows the models that follow"
        page.click("#settings-view .list-prev")
        assert screen(page)["names"] == first
        seen = through(page)
        assert seen == DISPLAY, "every model once, in order"

        page.click("#settings-view .list-prev")   # from the last page back to the first
        while page.is_enabled("#settings-view .list-prev"):
            page.click("#settings-view .list-prev")
        page.click("#settings-view .list-next")
        tapped = second[0]
        page.click("#model-list button:text-is('%s')" % tapped)
        wait_js(page, "() => document.getElementById('settings-status').textContent === 'Saved.'")
        assert server.get("api/settings")["model"] == NAMES[DISPLAY.index(tapped)]
        at = screen(page)
        assert at["names"][0] == tapped and at["chosen"] == 1, "page 2 stays shown, the tapped one chosen"

        page.click("#settings-view .back")
        open_settings(page)
        assert screen(page)["names"][0] == tapped, "Settings opens on the chosen model's page"
        page.click("#settings-view .list-prev")
        assert screen(page)["names"] == first
        assert not page.errors, page.errors
    finally:
        page.context.close()


# Settings' things to tap, but the Save beside each typed field (the same by design)
TAPPABLE = """() => Array.prototype.filter.call(document.querySelectorAll('#settings-view button, #settings-view label.check'),
    function (b) { return b.offsetParent && b.className !== 'save-field'; })
    .map(function (b) { return b.textContent.replace(/\\s+/g, ' ').replace(/^ | $/g, '').toLowerCase(); })"""


@pytest.mark.parametrize("code", sorted(LOCALES))
def test_the_list_bar_says_what_nothing_else_on_settings_says(browser, server, code):
    """Issue 22.7 on Settings: Previous and Next (the tables' prev and next) once each."""
    table = read_tables()[code]
    page = open_page(browser, server.url, locale=LOCALES[code], width=600, height=800)
    try:
        wait_js(page, "(c) => document.documentElement.lang === c", code)
        open_settings(page)
        labels = page.evaluate(TAPPABLE)
        assert not twice(labels), "%s: the same label twice on Settings: %r" % (code, twice(labels))
        assert table["prev"].lower() in labels and table["next"].lower() in labels
        assert not page.errors, page.errors
    finally:
        page.context.close()


def through(page):
    """Next to the end; the models seen, page by page, each page within the room."""
    seen = []
    while True:
        seen += screen(page)["names"]
        if not page.is_enabled("#settings-view .list-next"):
            return seen
        page.click("#settings-view .list-next")


def test_the_model_list_in_the_old_engine(tmp_path, server):
    """PhantomJS (WebKit 538.1): Next, a tap on page 2 saved, page 2 still shown."""
    unlisted(server)
    ph = Phantom.start(tmp_path)
    shown = "(%s)()" % SHOWN.replace("() =>", "function ()", 1)
    try:
        ph.open(server.url)
        ph.click("#show-settings")
        ph.wait("document.querySelectorAll('#model-list button').length === 40")
        first = ph.expr(shown)
        assert first["span"] <= first["room"] + 1 and 0 < len(first["names"]) < 40
        ph.click("#settings-view .list-next")
        second = ph.expr(shown)
        assert second["names"][0] == DISPLAY[len(first["names"])] and second["span"] <= second["room"] + 1
        ph.click("#model-list button:nth-child(%d)" % (len(first["names"]) + 1))
        ph.wait("document.getElementById('settings-status').textContent === 'Saved.'")
        assert server.get("api/settings")["model"] == NAMES[len(first["names"])]
        assert ph.expr(shown)["names"][0] == second["names"][0]
        log = ph.log()
        assert not log["errors"] and not log["console"], log
    finally:
        ph.quit()

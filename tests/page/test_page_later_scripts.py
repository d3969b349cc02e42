"""The library's views load at the first tap on Library (app.js, kit.js KC.need), not at
the start: a start asks for none of their scripts; a double tap loads each once; a load
that fails (the server away for a moment) says so, opens nothing, and the next tap
tries again. Chromium, as is and in old-Kindle mode, against a demo server."""
import pytest

from page_fixtures import MODES, browser, open_page, server, wait_js  # noqa: F401

LATER = ("books.js", "library.js", "review.js")


def later_asked(requests):
    return [r.rsplit("/", 1)[-1] for r in requests if r.rsplit("/", 1)[-1] in LATER]


@pytest.mark.parametrize("mode", MODES)
def test_the_library_scripts_load_at_the_first_tap_once(browser, server, mode):
    page = open_page(browser, server.url, mode)
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    try:
        page.reload()
        page.wait_for_selector("#message")
        assert later_asked(asked) == [] and page.evaluate("() => typeof KC.openLibrary") == "undefined"
        page.evaluate("() => { var b = document.getElementById('show-library'); b.click(); b.click(); }")
        wait_js(page, "() => document.getElementById('highlights-view').style.display === ''")
        assert sorted(later_asked(asked)) == sorted(LATER)   # each once, for two taps
        page.click("#highlights-view .tabs button:nth-child(2)")
        page.click("#review-open")   # review.js came with them
        wait_js(page, "() => document.getElementById('review-view').style.display === ''")
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_a_failed_load_says_so_and_the_next_tap_tries_again(browser, server):
    page = open_page(browser, server.url)
    try:
        page.route("**/library.js", lambda route: route.abort())
        page.click("#show-library")
        wait_js(page, "() => document.getElementById('notice').textContent === KC.T.unreachable")
        assert page.is_visible("#chat-view") and not page.is_visible("#highlights-view")
        page.unroute("**/library.js")
        page.click("#show-library")
        wait_js(page, "() => document.getElementById('highlights-view').style.display === ''")
        assert not page.is_visible("#notice")   # what the failure said is over
        assert not page.errors, page.errors
    finally:
        page.context.close()

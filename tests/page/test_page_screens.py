"""The page on every Kindle screen size: it fits without scrolling the document or
sideways, buttons are big enough for a finger, and screenshots for the README.

Set KINDLECHAT_SCREENSHOTS=docs/screenshots to write the README's screenshots there."""
import os

import pytest

from page_fixtures import ROOT, browser, open_page, send, server, wait_status  # noqa: F401

SIZES = [(600, 800), (758, 1024), (1072, 1448), (1236, 1648), (1860, 2480)]
README_SIZES = [(758, 1024), (1072, 1448)]

FITS = """() => ({
    tall: document.documentElement.scrollHeight - window.innerHeight,
    wide: document.documentElement.scrollWidth - window.innerWidth,
    small: Array.prototype.filter.call(document.querySelectorAll('button'), function (b) {
        var r = b.getBoundingClientRect();
        return r.width && (r.height < 36 || r.width < 36);
    }).map(function (b) { return b.textContent; })
})"""


@pytest.fixture(scope="module")
def chat_id(browser, server):
    """A chat with one finished demo reply, to show on every screen."""
    page = open_page(browser, server.url)
    send(page, "How do e-ink screens work?")
    wait_status(page)
    chat = page.evaluate("() => localStorage.getItem('kc.chat')")
    page.context.close()
    return chat


@pytest.mark.parametrize("width,height", SIZES, ids=["%dx%d" % s for s in SIZES])
def test_fits_every_kindle_screen(browser, server, chat_id, tmp_path, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script("localStorage.setItem('kc.chat', %r);" % chat_id)
    page = context.new_page()
    page.goto(server.url)
    page.wait_for_selector(".msg.model[data-status=done]")
    page.wait_for_function("() => document.getElementById('banner').style.display !== 'none'")
    for view in ("chat", "settings", "chats"):
        if view != "chat":
            page.click("#show-" + view)
            page.wait_for_timeout(300)
        fits = page.evaluate(FITS)
        if view == "chat":
            assert fits["tall"] <= 0, "the chat view scrolls the document by %dpx" % fits["tall"]
        assert fits["wide"] <= 0, "%s view is %dpx too wide" % (view, fits["wide"])
        assert not fits["small"], "buttons too small for a finger: %r" % fits["small"]
        shot = tmp_path / ("%s-%dx%d.png" % (view, width, height))
        page.screenshot(path=str(shot))
        out = os.environ.get("KINDLECHAT_SCREENSHOTS")
        if out and (width, height) in README_SIZES and view in ("chat", "settings"):
            os.makedirs(os.path.join(ROOT, out), exist_ok=True)
            page.screenshot(path=os.path.join(ROOT, out, "%s-%dx%d.png" % (view, width, height)))
        if view != "chat":
            page.click("#%s-view .back" % view)
    context.close()

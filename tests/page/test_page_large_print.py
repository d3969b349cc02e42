"""Large print fits (issue 22.5): at every text size the settings offer (12-48 px) and on
600x800, 758x1024 and 1072x1448, the chat view fits the screen without scrolling, shows
at least 6 lines of reply, and keeps Send and Save as book within reach (on screen, or
in the Menu the nav bar folds into)."""
import pytest

from page_fixtures import browser, long_reply, open_page, wait_status  # noqa: F401
from page_fixtures import quick_server as server  # noqa: F401  (this module's server)

FONTS = list(range(12, 49, 2))
MEASURE = """(px) => {
    KC.setFont(px);
    var P = document.getElementById('pager'), send = document.getElementById('send').getBoundingClientRect(),
        lh = parseFloat(getComputedStyle(document.querySelector('.msg.model .body p')).lineHeight),
        bar = document.getElementById('pagebar'), top = document.getElementById('top'), m = document.getElementById('menu');
    return {scrolls: document.documentElement.scrollHeight - window.innerHeight, lines: P.clientHeight / lh,
            sendOn: send.height > 0 && send.bottom <= window.innerHeight && send.right <= window.innerWidth,
            barCut: bar.scrollWidth - bar.clientWidth, topCut: top.scrollWidth - top.clientWidth,
            save: !!document.getElementById('save-book').offsetWidth, menu: !!(m && m.offsetWidth)};
}"""


@pytest.mark.parametrize("size", [(600, 800), (758, 1024), (1072, 1448)], ids=lambda s: "%dx%d" % s)
def test_every_text_size_fits_with_six_lines(browser, server, size):
    page = open_page(browser, server.url, width=size[0], height=size[1])
    try:
        page.fill("#message", "echo:" + long_reply(12, seed=7))
        page.click("#send")
        wait_status(page)
        for px in FONTS:
            at = page.evaluate(MEASURE, px)
            where = "%dx%d at %d px: %r" % (size[0], size[1], px, at)
            assert at["scrolls"] <= 0, "the chat view scrolls: " + where
            assert at["lines"] >= 6, "fewer than 6 lines of reply: " + where
            assert at["sendOn"], "Send is off the screen: " + where
            assert at["barCut"] <= 1 and at["topCut"] <= 1, "a bar is cut off at its side: " + where
            assert at["save"] or at["menu"], "Save as book is neither shown nor in a menu: " + where
            if at["menu"]:   # folded: the menu shows the nav and Save as book, and closes again
                page.click("#menu")
                assert page.is_visible("#show-settings") and page.is_visible("#save-book"), where
                page.click("#menu")
                assert not page.is_visible("#show-settings") and page.evaluate(MEASURE, px)["scrolls"] <= 0, where
        assert not page.errors, page.errors
    finally:
        page.context.close()

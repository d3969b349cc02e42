"""Labels that can't be confused (issue 22.7): in each of the four languages, no two
things to tap on one screen say the same (the German page turn and the "Continue"
prompt were both "Weiter"), and the Phone view in loopback mode speaks the page's
language and names the Phone button as the page does."""
import pytest

from page_fixtures import Server, browser, open_page, send, wait_js, wait_status  # noqa: F401
from strings_tables import LOCALES, read_tables, twice

TABLES = read_tables()

# The visible labels of things to tap: buttons, and the check boxes' labels; a list's
# rows (each chat's Open and Delete) repeat by design, and are left out.
TAPPABLE = """() => Array.prototype.filter.call(document.querySelectorAll('button, label.check, #follow-label'),
    function (b) { var r = b.getBoundingClientRect(); return r.width && r.height && b.offsetParent && !/(^| )chat( |$)/.test(b.parentNode.className); })
    .map(function (b) { return b.textContent.replace(/\\s+/g, ' ').replace(/^ | $/g, '').toLowerCase(); })"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-labels"))
    yield srv
    srv.stop()


@pytest.mark.parametrize("code", sorted(LOCALES))
def test_no_two_labels_on_a_screen_are_the_same(browser, server, code):
    page = open_page(browser, server.url, locale=LOCALES[code])
    try:
        wait_js(page, "(c) => document.documentElement.lang === c", code)
        send(page, "How do e-ink screens work?")
        wait_status(page)
        wait_js(page, "() => document.querySelector('.follow-ups button')")
        seen = {"chat": page.evaluate(TAPPABLE)}
        page.click("#show-chats")
        wait_js(page, "() => document.querySelector('#chat-list .chat')")
        seen["chats"] = page.evaluate(TAPPABLE)
        page.click("#chats-view .back")
        page.click("#show-phone")
        wait_js(page, "() => document.getElementById('phone-view').getAttribute('data-state') === 'loopback'")
        seen["phone"] = page.evaluate(TAPPABLE)
        for view, labels in seen.items():
            assert not twice(labels), "%s, %s view: the same label twice: %r" % (code, view, twice(labels))
        assert TABLES[code]["next"].lower() in seen["chat"] and TABLES[code]["quick"][-1].lower() in seen["chat"]
        # the loopback note: the page's own words, naming its own Phone button
        state = page.inner_text("#phone-state")
        assert state == TABLES[code]["phoneLoopback"] and TABLES[code]["phone"] in state
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_every_table_names_its_own_phone_button_in_the_loopback_note():
    for code, table in TABLES.items():
        assert table["phone"] in table["phoneLoopback"], code

"""A long reply does not drag the screen along: it fills the screen, then goes on on a
fresh one (a page turn), with Previous/Next to read back; following can be turned off."""
import time

from page_fixtures import browser, page, send, server, wait_js  # noqa: F401

WATCH = """() => {
    var p = document.getElementById('pager');
    window.__tops = [];
    window.__watch = setInterval(function () {
        if (window.__tops[window.__tops.length - 1] !== p.scrollTop) { window.__tops.push(p.scrollTop); }
    }, 50);
}"""


def test_long_reply_turns_pages_and_reads_back(page):
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
    page.evaluate(WATCH)
    send(page, "demo:long")
    wait_js(page, "() => window.__tops.length >= 3", timeout=90)    # the first screen, then two turns
    height = page.evaluate("() => document.getElementById('pager').clientHeight")
    tops = page.evaluate("() => window.__tops")
    steps = [b - a for a, b in zip(tops[1:], tops[2:])]
    assert all(s > height * 0.6 for s in steps), "the screen scrolled in small steps: %r" % tops
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
    assert page.is_enabled("#prev")

    # reading back: Previous, and following pauses while the reader is not at the end
    at = page.evaluate("() => document.getElementById('pager').scrollTop")
    page.click("#prev")
    back = page.evaluate("() => document.getElementById('pager').scrollTop")
    assert back < at
    time.sleep(2)
    assert page.evaluate("() => document.getElementById('pager').scrollTop") == back
    page.click("#next")
    assert page.evaluate("() => document.getElementById('pager').scrollTop") == at

    # following off: the page stays put while the reply grows
    page.uncheck("#follow")
    page.evaluate("() => { var p = document.getElementById('pager'); while (!document.getElementById('next').disabled) { document.getElementById('next').click(); } }")
    still = page.evaluate("() => document.getElementById('pager').scrollTop")
    grown = page.evaluate("() => document.querySelector('.msg.model').reply.text.length")
    wait_js(page, "(n) => document.querySelector('.msg.model').reply.text.length > n + 2000", grown, timeout=90)
    assert page.evaluate("() => document.getElementById('pager').scrollTop") == still
    assert page.is_enabled("#next")
    page.click("#stop")

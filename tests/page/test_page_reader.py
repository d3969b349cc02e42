"""The chat's pages in a reader's hands (issue 22, musts 1-3), in Chromium against a
demo server that writes fast:
- the end of a reply stays on screen when follow-ups come under it (they go on a page
  the reader turns to);
- a page ends on a whole line, and the next page starts at the line it hid;
- a Previous near the chat's top never moves a remainder of a few lines;
- a double tap (50-500 ms) never does the opposite of its first tap: Send then Stop,
  Delete then "Delete for good?". The guard's clock is the page's KC.now, driven here."""
import pytest

from page_fixtures import browser, long_reply, open_page, send, wait_js, wait_status  # noqa: F401
from page_fixtures import quick_server as server  # noqa: F401  (this module's server)


@pytest.fixture
def opened(browser, server):
    pages = []

    def make(width=758, height=1024):
        pages.append(open_page(browser, server.url, width=width, height=height))
        return pages[-1]
    yield make
    for p in pages:
        errors = list(p.errors)
        p.context.close()
        assert not errors, errors


# Where the last reply's text ends and its follow-ups start, against the screen.
ENDS = """() => {
    var P = document.getElementById('pager'), all = document.querySelectorAll('.msg.model'),
        r = all[all.length - 1].reply, mask = document.getElementById('mask'),
        bottom = P.scrollTop + (!mask || mask.style.display ? P.clientHeight : parseFloat(mask.style.top) - P.scrollTop),
        body = r.body.lastChild.lastChild || r.body.lastChild;
    var last = body.lastElementChild || body;
    return {top: P.scrollTop, bottom: bottom, textEnd: last.offsetTop + last.offsetHeight,
            textEndTop: last.offsetTop, fu: r.fu.offsetTop, fuEnd: r.fu.offsetTop + r.fu.offsetHeight,
            buttons: [].map.call(r.fu.childNodes, function (b) { return [b.offsetTop, b.offsetTop + b.offsetHeight]; }), next: !document.getElementById('next').disabled,
            height: P.clientHeight, lh: parseFloat(getComputedStyle(document.querySelector('.user .body')).lineHeight)};
}"""


@pytest.mark.parametrize("size", [(758, 1024), (1072, 1448)], ids=["paperwhite", "oasis"])
def test_the_end_of_a_reply_stays_on_screen_with_follow_ups(opened, size):
    page = opened(*size)
    send(page, "How do e-ink screens work?")
    wait_status(page)
    wait_js(page, "() => document.querySelector('.msg.model .follow-ups button')")
    first = page.evaluate(ENDS)
    # the next questions push the reply's end to where the page's bottom edge cuts its
    # follow-ups: a longer question (its box grows a line a newline) moves it down
    want = first["top"] + first["height"] - (first["fuEnd"] - first["fu"]) // 2
    lines = max(0, int((want - first["textEnd"]) // first["lh"]))
    cut = 0
    for extra in (lines - 1, lines, lines + 1, lines + 2):
        send(page, "Why are e-ink screens slow?" + "\n" * max(0, extra))
        wait_status(page)
        wait_js(page, "() => { var a = document.querySelectorAll('.msg.model'); return a[a.length - 1].reply.fu.firstChild; }")
        at = page.evaluate(ENDS)
        assert at["top"] <= at["textEndTop"] and at["textEnd"] <= at["bottom"] + 1, \
            "the reply's last line is off screen: %r" % at
        if at["buttons"][-1][1] > at["bottom"] + 1:
            cut += 1
            assert at["next"], "follow-ups below the page, and no Next to reach them: %r" % at
            page.click("#next")
            on = page.evaluate(ENDS)
            unseen = [b for b in at["buttons"] if not (at["top"] <= b[0] and b[1] <= at["bottom"] + 1)]
            assert unseen and all(on["top"] <= b[0] and b[1] <= on["bottom"] + 1 for b in unseen), \
                "Next does not show the follow-ups the page before cut: %r, then %r" % (at, on)
    assert cut, "no case put the follow-ups past the page's edge: the test tried nothing"


# Each line of text in the chat (a Range's rects, one a line), against the page: lines
# the bottom edge (or the mask's top) cuts, lines the top edge cuts, and the tops of the
# lines wholly shown.
LINES = """() => {
    var P = document.getElementById('pager'), M = document.getElementById('messages'),
        mask = document.getElementById('mask'), box = P.getBoundingClientRect(),
        bottom = !mask || mask.style.display ? box.bottom : box.top + parseFloat(mask.style.top) - P.scrollTop,
        walk = document.createTreeWalker(M, NodeFilter.SHOW_TEXT, null, false), n, range = document.createRange(),
        rects, i, r, out = {cutBottom: [], cutTop: [], whole: []};
    while ((n = walk.nextNode())) {
        if (!/\\S/.test(n.nodeValue)) { continue; }
        range.selectNodeContents(n);
        rects = range.getClientRects();
        for (i = 0; i < rects.length; i++) {
            r = rects[i];
            if (r.height < 2) { continue; }
            if (r.top < bottom - 1 && r.bottom > bottom + 1) { out.cutBottom.push(n.nodeValue.slice(0, 30)); }
            if (r.top < box.top - 1 && r.bottom > box.top + 1) { out.cutTop.push(n.nodeValue.slice(0, 30)); }
            if (r.top >= box.top - 1 && r.bottom <= bottom + 1) { out.whole.push(Math.round(r.top - box.top + P.scrollTop) + ':' + Math.round(r.left)); }
        }
    }
    out.end = document.getElementById('next').disabled;
    return out;
}"""


@pytest.mark.parametrize("size", [(758, 1024), (600, 800)], ids=["paperwhite", "kindle4"])
def test_a_page_ends_on_a_whole_line_and_the_next_starts_at_the_hidden_one(opened, size):
    page = opened(*size)
    page.fill("#message", "echo:" + long_reply(30, seed=5))
    page.click("#send")
    assert wait_status(page) == "done"
    page.evaluate("() => { var p = document.getElementById('prev'); while (!p.disabled) { p.click(); } }")
    seen, pages = set(), 0
    while True:
        at = page.evaluate(LINES)
        pages += 1
        assert not at["cutBottom"], "page %d cuts a line at its bottom: %r" % (pages, at["cutBottom"])
        assert not at["cutTop"], "page %d cuts a line at its top: %r" % (pages, at["cutTop"])
        again = seen & set(at["whole"])
        assert not again, "page %d shows again %d lines the page before showed whole" % (pages, len(again))
        seen = set(at["whole"])
        if at["end"]:
            break
        page.click("#next")
    assert pages >= 4


def test_previous_near_the_top_goes_to_the_top(opened):
    page = opened()
    height = page.evaluate("() => document.getElementById('pager').clientHeight")
    # a first exchange (the question shows its lines too) about 1.1 screens long, then a
    # short one, then the chat again:
    # it opens at the second question, a little more than a page below the top
    def lines(n):
        return "echo:" + "\n\n".join("Line %d of the first reply." % k for k in range(n))
    send(page, lines(10))
    wait_status(page)
    each = page.evaluate("() => document.querySelector('.msg.model').offsetTop + document.querySelector('.msg.model').offsetHeight") / 10.0
    page.click("#new-chat")
    send(page, lines(int(height * 1.1 / each)))
    wait_status(page)
    send(page, "echo:A short one.")
    wait_status(page)
    page.reload()
    wait_js(page, "() => document.querySelectorAll('.msg.model').length === 2 && document.getElementById('pager').scrollTop > 0")
    tops = [page.evaluate("() => document.getElementById('pager').scrollTop")]
    assert height * 0.9 < tops[0] < height * 1.2, (height, tops)
    while page.is_enabled("#prev"):
        page.click("#prev")
        tops.append(page.evaluate("() => document.getElementById('pager').scrollTop"))
    moves = [a - b for a, b in zip(tops, tops[1:])]
    assert tops[-1] == 0 and all(m >= height / 4 for m in moves), \
        "a Previous moved a remainder: tops %r (screen %d)" % (tops, height)


CLOCK = "() => { window.__now = 1e12; KC.now = function () { return window.__now; }; }"
GAPS = (50, 120, 300, 500)


def test_a_double_tap_on_send_never_stops_the_reply(opened, server):
    page = opened()
    page.evaluate(CLOCK)
    page.fill("#message", "demo:long")
    page.click("#send")
    wait_js(page, "() => document.getElementById('stop').offsetWidth")
    for gap in GAPS:   # the second tap of a double tap, this long after Stop took Send's place
        page.evaluate("(gap) => { window.__now = 1e12 + gap; }", gap)
        page.click("#stop")
        assert page.evaluate("() => document.querySelector('.msg.model').getAttribute('data-status')") == "streaming", gap
    page.evaluate("() => { window.__now = 1e12 + 900; }")   # a tap of its own
    page.click("#stop")
    assert wait_status(page, ("stopped",)) == "stopped"


def test_a_double_tap_on_delete_never_deletes(opened, server):
    page = opened()
    send(page, "echo:Keep me.")
    wait_status(page)
    chat = page.evaluate("() => KC.S.chat")
    page.evaluate(CLOCK)
    page.click("#show-chats")
    row = "#chat-list .chat[data-id='%s'] button.delete" % chat
    page.wait_for_selector(row)
    for n, gap in enumerate(GAPS):
        if n:   # armed again: back to the list
            page.click("#chats-view .back")
            page.click("#show-chats")
            page.wait_for_selector(row)
        page.evaluate("() => { window.__now = 1e12; }")
        page.click(row)                                                # Delete: "Delete for good?" appears
        page.evaluate("(gap) => { window.__now = 1e12 + gap; }", gap)
        page.click(row)                                                # its double tap's second tap
        assert server.get("api/chats/" + chat)["id"] == chat, "a double tap %d ms apart deleted the chat" % gap
        assert page.locator(row).count() == 1
    page.evaluate("() => { window.__now = 1e12 + 900; }")             # a tap of its own, later
    page.click(row)
    wait_js(page, "(sel) => !document.querySelector(sel)", row)
    assert chat not in [c["id"] for c in server.get("api/chats")["chats"]]

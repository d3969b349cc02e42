"""Page turns in a long reply: each page starts at the line the last page's bottom edge
cut, in the innermost block it cut (so no line is split in two; issue 22.2: not at the
block's top, which showed its lines again), exactly where asking every line on the
page would put it; yet a turn asks only the blocks near the edge where they are, so a
turn costs the same at the end of a long reply as at its start (issue 12, must 5).
The work is counted (calls to getBoundingClientRect), not timed."""
import json

import pytest

from page_fixtures import browser, long_reply, open_page, wait_status  # noqa: F401
from page_fixtures import quick_server as server  # noqa: F401  (this module's server)
from phantom_page import Phantom

# In the page: goes to the reply's top, then presses Next to the end. Before each press
# it computes where the page should start by asking every element the edge may cut (the
# page's rule, spelled out the slow way), then counts the layout questions the page asks.
# -> [[expected top, actual top, rects asked], ...]
TURNS = """(function () {
    var P = document.getElementById('pager'), M = document.getElementById('messages'), next = document.getElementById('next');
    var proto = Element.prototype, rect = proto.getBoundingClientRect, asked = 0, out = [], top, edge, base, els, i, r, to, step, inner, cs, lh, first, n;
    function expected() {
        top = P.scrollTop; edge = top + P.clientHeight; base = P.getBoundingClientRect().top - P.scrollTop; to = edge; inner = null;
        els = M.querySelectorAll('p,li,pre,tr,hr,h3,h4,h5,h6,button,.who,.note,.user .body');
        for (i = 0; i < els.length; i++) {
            r = els[i].getBoundingClientRect();
            if (r.top - base < edge && r.bottom - base > edge + 1 && (!inner || r.top - base >= to)) { to = r.top - base; inner = els[i]; }
        }
        n = 0;
        if (inner && (/^(P|LI|PRE|H[3-6])$/.test(inner.tagName) || inner.className === 'body')) {   // the line the edge cuts
            cs = getComputedStyle(inner); lh = parseFloat(cs.lineHeight);
            first = to + (parseFloat(cs.borderTopWidth) || 0) + (parseFloat(cs.paddingTop) || 0);
            n = Math.floor((edge - first) / lh + 0.01);
            if (lh > 0 && n > 0) { to = first + n * lh; } else { n = 0; }
        }
        step = Math.max(40, P.clientHeight - Math.round(parseFloat(document.body.style.fontSize) * 1.8));
        to = to > top + 9 ? Math.floor(to) - (n ? 0 : 4) : top + step;
        return Math.min(to, P.scrollHeight - P.clientHeight);
    }
    P.scrollTop = 0;
    while (!next.disabled && out.length < 500) {
        var want = expected();
        asked = 0;
        proto.getBoundingClientRect = function () { asked++; return rect.call(this); };
        next.click();
        proto.getBoundingClientRect = rect;
        out.push([want, P.scrollTop, asked]);
    }
    return out;
})()"""

PARAGRAPHS = 110     # about 27,000 characters: a message may be 30,000 at most


def check(turns):
    assert len(turns) >= 20, "the reply should be many pages long: %d" % len(turns)
    for n, (want, got, asked) in enumerate(turns):
        assert got == want, "page %d starts at %s, not at %s (the line the edge cut)" % (n + 2, got, want)
    asked = [t[2] for t in turns]
    # early and late turns ask as many: a few messages, a halving over the blocks, the
    # lines of the block at the edge; asking every line would be hundreds at the end
    assert max(asked) <= 60, asked
    # (the reply's first turns, not the chat's: the question above it is the same text,
    # one block a page, which asks fewer)
    early = asked[len(asked) // 2:len(asked) // 2 + 5]
    assert max(asked[-5:]) <= max(early) + 12, asked


@pytest.mark.parametrize("size", [(758, 1024), (1072, 1448)], ids=["paperwhite", "oasis"])
def test_turns_start_at_the_cut_line_and_cost_the_same_late(browser, server, size):
    page = open_page(browser, server.url, width=size[0], height=size[1])
    try:
        page.fill("#message", "echo:" + long_reply(PARAGRAPHS, seed=11))
        page.click("#send")
        assert wait_status(page) == "done"
        assert page.locator(".msg.model .body .sheaf > *").count() > 100   # blocks, in their sheaves (markdown.js)
        check(page.evaluate("() => " + TURNS))
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_turns_in_the_old_engine(tmp_path, server):
    """The same in PhantomJS (WebKit 538.1), whose layout is the old Kindle browser's kin."""
    ph = Phantom.start(tmp_path)
    try:
        ph.open(server.url)
        ph.wait("document.getElementById('settings-view').getAttribute('data-state') === 'ready'")
        ph.click("#new-chat")
        # set, not typed: 27,000 key presses would take minutes
        ph.js("function () { document.getElementById('message').value = %s; }"
              % json.dumps("echo:" + long_reply(PARAGRAPHS, seed=11)))
        ph.click("#send")
        ph.wait("(function () { var m = document.querySelector('.msg.model');"
                " return m && m.getAttribute('data-status') === 'done'; })()", timeout=90)
        check(ph.expr(TURNS))
        log = ph.log()
        assert not log["errors"], log["errors"]
    finally:
        ph.quit()

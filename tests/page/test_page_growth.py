"""A reply's Markdown is parsed where it grows, not from its start (issue 12, must 5):
each screen update parses only the blocks still open, so its work stays flat however
long the reply gets, and what it draws is exactly what parsing the whole text draws.
The work is counted (Markdown.stats: lines and blocks parsed per update), not timed."""
import json

import pytest

from page_fixtures import Server, browser, long_reply, open_page, wait_status  # noqa: F401
from phantom_page import Phantom

# Every kind of block, and the boundaries where a block's end depends on what follows:
# a list that goes on after a blank line ("2" becomes "2. two"), a paragraph that turns
# out to be a table's head, a line that looks like a table's |---| line until it goes on
# ("|-" becomes "|-x|"), a fence left open, CRLF and lone CR line ends, tabs.
TRICKY = (
    "# Title\n\nintro line\na | b\n--|--\n1 | 2\n\n1. one\n\n2. two\n   more of two\n\n"
    "- x\n\t- nested\n- y\nlazy\n\n> quote\n> more *quote*\n\nafter\r\nthe quote\r\n\r\n"
    "```js\nvar a = '**not bold**';\n\n```\n~~~\nopen fence\n~~~~\n\n---\n***\n"
    "Some **bold**, `code`, [a link](https://example.org/x) and \U0001F680.\rlone CR\n\n"
    "| Name | Value |\n|:-----|------:|\n| a | 1 |\n\nintro two\nc | d\n|-x|\n\nend")

# A grown reply's blocks, out of their sheaves (markdown.js), as HTML; and each sheaf holds
# at most 32 blocks (else the string says so)
FLAT = """function flat(body) {
    return Array.prototype.map.call(body.childNodes, function (s) {
        if (s.className !== 'sheaf') { return 'NOT IN A SHEAF: ' + s.outerHTML; }
        return s.childNodes.length > 32 ? 'SHEAF TOO BIG' : s.innerHTML; }).join(''); }"""
# grow(r) fed the text in pieces of the given sizes (cycled) -> [innerHTML, stats per update]
FEED = """(function (text, sizes) {
    var r = {text: '', body: document.createElement('div')}, i = 0, k = 0, n, per = [], s = Markdown.stats, l, b;
    while (i < text.length) {
        n = sizes[k++ % sizes.length];
        r.text += text.slice(i, i + n);
        i += n;
        l = s.lines; b = s.blocks;
        Markdown.grow(r);
        per.push([s.lines - l, s.blocks - b]);
    }
    return [flat(r.body), per];
    """ + FLAT + """
})"""
WHOLE = "(function (text) { return Markdown.render(Markdown.parse(text), document.createElement('div')).innerHTML; })"

CHUNKINGS = [[1], [2, 3], [7], [1, 13, 4], [64], [100000]]


def per_update(feed):
    """[lines parsed, blocks parsed] of each update -> the largest of each."""
    return max(p[0] for p in feed[1]), max(p[1] for p in feed[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # quick enough that a reply of ~150 blocks streams in seconds, in many updates
    srv = Server(tmp_path_factory.mktemp("kc-growth"), "--throttle-ms", "250",
                 env={"KINDLECHAT_DEMO_TPS": "1000", "KINDLECHAT_DEMO_FIRST_MS": "50"})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def page(browser, server):
    p = open_page(browser, server.url)
    yield p
    errors = list(p.errors)
    p.context.close()
    assert not errors, errors


def feed(page, text, sizes):
    return page.evaluate("([t, s]) => %s(t, s)" % FEED, [text, sizes])


@pytest.mark.parametrize("sizes", CHUNKINGS, ids=lambda s: "-".join(map(str, s)))
def test_growing_draws_what_the_whole_text_draws(page, sizes):
    whole = page.evaluate("(t) => %s(t)" % WHOLE, TRICKY)
    assert "<table>" in whole and "<ol>" in whole and "<pre>" in whole and "<blockquote>" in whole
    assert feed(page, TRICKY, sizes)[0] == whole


def test_work_per_update_is_flat_in_reply_length(page):
    """The same pieces at the start of a reply and 20 times further in cost the same."""
    short, long = long_reply(40), long_reply(800)   # each with every kind of block
    assert len(long) > 15 * len(short) and long.startswith(short[:200]) and "```" in short
    small, big = feed(page, short, [150]), feed(page, long, [150])
    assert big[0] == page.evaluate("(t) => %s(t)" % WHOLE, long)
    lines_small, blocks_small = per_update(small)
    lines_big, blocks_big = per_update(big)
    # a piece of 150 characters opens a few blocks at most (a heading, a short list and a
    # paragraph, or a code block of 14 lines); the parts are alike, so the largest update
    # is the same early and late
    assert blocks_big <= 8 and lines_big <= 24, (lines_big, blocks_big)
    assert lines_big <= lines_small + 4 and blocks_big <= blocks_small + 2, (lines_small, blocks_small)
    # what parsing the whole text every time would have cost at the end
    assert long.count("\n") > 100 * lines_big, (long.count("\n"), lines_big)


def test_a_streamed_reply_is_parsed_where_it_grows(page, server):
    """Through the real server and long poll: a reply of over a hundred blocks in many
    updates; no update parses more than its open blocks; the page shows the whole text."""
    text = long_reply(120, seed=5)   # a message may be 30,000 characters at most
    assert len(text) < 30000
    before = page.evaluate("() => [Markdown.stats.updates, Markdown.stats.lines, Markdown.stats.blocks]")
    page.fill("#message", "echo:" + text)
    page.click("#send")
    assert wait_status(page) == "done"
    after = page.evaluate("() => [Markdown.stats.updates, Markdown.stats.lines, Markdown.stats.blocks]")
    updates, lines, blocks = (a - b for a, b in zip(after, before))
    assert updates >= 5, "the reply should arrive in many updates: %d" % updates
    total_lines = text.count("\n") + 1
    # re-parsing the whole text every update would be about updates * total_lines / 2
    assert lines <= total_lines + 12 * updates, (lines, updates, total_lines)
    assert blocks <= 120 * 1.5 + 4 * updates, (blocks, updates)
    shown = page.evaluate("() => { var r = document.querySelector('.msg.model:last-child').reply;"
                          " return [r.text, flat(r.body)]; " + FLAT + " }")
    assert shown[0] == text
    assert shown[1] == page.evaluate("(t) => %s(t)" % WHOLE, text)


def test_growing_in_the_old_engine(tmp_path, server):
    """PhantomJS (WebKit 538.1) draws a reply grown piece by piece as it draws it whole."""
    ph = Phantom.start(tmp_path)
    try:
        ph.open(server.url)
        ph.wait("typeof Markdown === 'object' && document.getElementById('message')")
        whole = ph.expr("%s(%s)" % (WHOLE, json.dumps(TRICKY)))
        for sizes in CHUNKINGS:
            assert ph.expr("%s(%s, %s)[0]" % (FEED, json.dumps(TRICKY), json.dumps(sizes))) == whole, sizes
        log = ph.log()
        assert not log["errors"], log["errors"]
    finally:
        ph.quit()

"""How often the page asks the server. While a reply streams: never two polls closer
than the throttle interval, whatever the server answers (issue 10, must 3: a reply
stuck at "streaming" answered at once made the page re-poll 7,504 times in 5 s). While
no reply streams: no request at all, so a page left open for hours costs nothing and
cannot end on "Website Unaccessible" (issue 11, must 4)."""
import json
import re
import time

from page_fixtures import browser, page, send, server, wait_js, wait_status  # noqa: F401
from testkit.faultkit import tally

POLL = re.compile(r"/api/chats/\w+/messages/\d+\?from=")
STUCK = json.dumps({"text": "", "next": 0, "status": "streaming"})


def test_polls_never_come_faster_than_the_throttle(page, server):
    throttle_ms = server.get("api/settings")["throttle_ms"]
    polls = []

    def instant(route):      # a server that answers every poll at once, with nothing new
        polls.append(time.monotonic())
        route.fulfill(status=200, content_type="application/json", body=STUCK,
                      headers={"Cache-Control": "no-store"})
    page.route(POLL, instant)
    send(page, "echo: stuck")
    page.wait_for_timeout(4000)     # lets the route handler answer meanwhile
    assert len(polls) >= 2, "the page should keep polling a streaming reply"
    span = polls[-1] - polls[0]
    assert len(polls) <= span * 1000 / throttle_ms + 3, (len(polls), span)
    tally("page: a server answering every poll at once with 'streaming'", 1,
          note="%d polls in %.1f s (was 287 in 4 s)" % (len(polls), span))


def requests_during(page, seconds):
    seen = []
    page.on("request", lambda r: seen.append(r.url))
    page.wait_for_timeout(seconds * 1000)
    return seen


def test_an_idle_page_sends_nothing(page):
    page.wait_for_load_state("networkidle")
    assert requests_during(page, 3) == [], "requests while idle after load"
    send(page, "echo: and then quiet")
    wait_status(page)
    assert requests_during(page, 3) == [], "requests while idle after a reply ended"


def test_a_server_out_of_reach_is_tried_ever_more_rarely(page):
    """After a failure the page tries again, each time waiting longer (up to a minute),
    rather than polling a dead server all day."""
    tries = []

    def unreachable(route):
        tries.append(time.monotonic())
        route.abort()
    page.route("**/api/health", unreachable)
    page.reload()
    deadline = time.monotonic() + 40
    while len(tries) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert len(tries) >= 3, tries
    first, second = tries[1] - tries[0], tries[2] - tries[1]
    assert second > 1.3 * first, (first, second)


# Issue 12.5: on a slow core an update of a long reply costs more than the throttle.
# Here each update is made to cost SLOW_MS of script (a busy loop in the renderer);
# the page must then space its polls at least 4x that apart (its script busy a quarter
# of the time), where it used to poll again at once after each update (busy ~60%).
SLOW_MS = 600
SLOWER = """() => { var grow = Markdown.grow; Markdown.grow = function (r) {
  var t = +new Date(); while (+new Date() - t < %d) {} return grow(r); }; }""" % SLOW_MS
POLL_TIMES = """() => { var open = XMLHttpRequest.prototype.open; window.__polls = [];
  XMLHttpRequest.prototype.open = function (m, url) {
    if (/[?]from=/.test(url)) { window.__polls.push(+new Date()); }
    return open.apply(this, arguments); }; }"""


def test_a_slow_update_spaces_the_polls_out(page):
    sent = [0]

    def more_text(route):    # every poll answered at once, with new text
        sent[0] += 1
        body = json.dumps({"text": "word%d " % sent[0], "next": sent[0] * 6, "status": "streaming"})
        route.fulfill(status=200, content_type="application/json", body=body,
                      headers={"Cache-Control": "no-store"})
    page.route(POLL, more_text)
    page.evaluate(SLOWER)
    page.evaluate(POLL_TIMES)
    send(page, "echo: slow")
    wait_js(page, "() => window.__polls.length >= 4")
    times = page.evaluate("() => window.__polls")
    gaps = [b - a for a, b in zip(times[1:], times[2:])]   # after the first update's cost is known
    assert min(gaps) >= 4 * SLOW_MS, gaps

"""The page's costs, in headless Chromium (Debian's /usr/bin/chromium through
Playwright; never a downloaded browser): bytes and requests per page load; bytes
sent to the page per reply against the reply's size; repaints per reply against
the reply's duration divided by the throttle interval.

    python3 bench/run.py page [--replies 3] [--reply-kib 6] [--seconds 6] [--throttle-ms 500] [--tree DIR]

Then, unless --no-throttled, bench/page_cpu.py's figures at 20x CPU throttle
(script time per update at 16 and 128 KB, busy share, load -> ready, www/ gzipped).

The server relays from the benchmarks' upstream (a Gemini-format stream paced
over --seconds), and the page streams each reply as a person would see it: typed
message, Send, the reply followed to its end. Bytes are what Chromium's network
layer counted (headers and bodies). Repaints are counted twice: frames in which
Chromium painted (the devtools.timeline trace's Paint events, one frame counted
once), and frames in which the reply's DOM changed (a MutationObserver, changes
grouped per animation frame). A reply's repaints and duration are counted from
its first text on screen to its last change; the frames painted between the tap
on Send and the first text (the button, the user's message and the empty reply
appearing) are shown apart.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import KindleChat, add_tree_option, median, save, table  # noqa: E402
import page_cpu  # noqa: E402
from testkit.upstream import UpstreamProcess  # noqa: E402

CHROMIUM = os.environ.get("KINDLECHAT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

OBSERVE = """(before) => {
    window.__frames = []; window.__first = null; window.__before = before;
    if (window.__observing) { return; }
    window.__observing = true;
    var pending = false;
    new MutationObserver(function () {
        if (pending) { return; }
        pending = true;
        requestAnimationFrame(function () {
            pending = false;
            var now = performance.now(), all = document.querySelectorAll('.msg.model');
            var body = all.length > window.__before && all[all.length - 1].querySelector('.body');
            window.__frames.push(now);
            if (window.__first === null && body && body.textContent.length) {
                window.__first = now;
                console.timeStamp('kc-first-text');   // the same moment, in Chromium's trace
            }
        });
    }).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true,
                                                     attributes: true});
}"""


class Net:
    """Requests and bytes seen by the page (Chromium's own counts)."""

    def __init__(self, page):
        self.log = []
        page.on("requestfinished", self._done)

    def _done(self, request):
        try:
            sizes = request.sizes()
        except Exception:  # noqa: BLE001 -- a request aborted on the way
            return
        self.log.append({"url": request.url, "method": request.method, "body": sizes["responseBodySize"],
                         "headers": sizes["responseHeadersSize"],
                         "sent": sizes["requestHeadersSize"] + sizes["requestBodySize"], "t": time.monotonic()})

    def since(self, t0):
        return [x for x in self.log if x["t"] >= t0]


def wait_js(page, expr, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.evaluate(expr):
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + expr)


def paint_frames(trace):
    """Times (ms, from the reply's first text) of the frames with at least one Paint
    event in a devtools.timeline trace (bytes); negative: the send's own frames."""
    events = json.loads(trace)
    events = events.get("traceEvents", events) if isinstance(events, dict) else events
    marks = [e["ts"] for e in events if e.get("name") == "TimeStamp"
             and (e.get("args", {}).get("data", {}).get("message") == "kc-first-text")]
    stamps = sorted(e["ts"] for e in events if e.get("name") == "Paint")
    if not marks or not stamps:
        raise RuntimeError("no first-text mark or no Paint events in the trace")
    frames, last = [], None
    for ts in stamps:
        if last is None or ts - last > 8000:   # Paint events within 8 ms belong to one frame
            frames.append((ts - marks[0]) / 1000.0)
        last = ts
    return frames


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replies", type=int, default=3)
    ap.add_argument("--reply-kib", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=6.0, help="one reply streams for about this long")
    ap.add_argument("--throttle-ms", type=int, default=500)
    ap.add_argument("--no-throttled", action="store_true", help="skip page_cpu.py's 20x-throttled figures")
    add_tree_option(ap)
    args = ap.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit("needs Debian's chromium at %s (apt-get install chromium)" % CHROMIUM)
    from playwright.sync_api import sync_playwright

    events = len(UpstreamProcess(args.reply_kib * 1024).texts)
    up = UpstreamProcess(args.reply_kib * 1024, delay=args.seconds / events).start()
    text_bytes = len(up.text.encode("utf-8"))
    out = {"args": vars(args), "reply_bytes": text_bytes, "events": events}
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp, sync_playwright() as pw:
        kc = KindleChat(up.url, os.path.join(tmp, "data"), args.throttle_ms, tree=args.tree)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            url = kc.server.url + "/"
            # -- page loads: a first visit, then a reload (the browser cache kept) ----
            context = browser.new_context(viewport={"width": 758, "height": 1024})
            page = context.new_page()
            net = Net(page)
            loads = {}
            for name in ("first load", "reload"):
                t0 = time.monotonic()
                if name == "first load":
                    page.goto(url)
                else:
                    page.reload()
                page.wait_for_selector("#message")
                time.sleep(1.5)   # whatever the page asks for once it runs
                got = net.since(t0)
                loads[name] = {"requests": len(got), "bytes_received": sum(x["body"] + x["headers"] for x in got),
                               "body_bytes": sum(x["body"] for x in got), "bytes_sent": sum(x["sent"] for x in got),
                               "by_url": [[x["method"], x["url"].replace(url, "/"), x["body"], x["headers"]]
                                          for x in got]}
            out["loads"] = loads

            # -- replies ------------------------------------------------------
            replies = []
            for n in range(args.replies + 1):
                before = page.locator(".msg.model").count()
                page.evaluate(OBSERVE, before)
                page.fill("#message", "Write at length, part %d." % n)
                browser.start_tracing(page=page, categories=["devtools.timeline"])
                sent_at = page.evaluate("() => performance.now()")
                t0 = time.monotonic()
                page.click("#send")
                wait_js(page, """() => { var all = document.querySelectorAll('.msg.model');
                                 var el = all[all.length - 1];
                                 return all.length > %d && el.getAttribute('data-status') === 'done'; }"""
                        % before)
                time.sleep(0.3)
                trace = browser.stop_tracing()
                frames = page.evaluate("() => window.__frames")
                first = page.evaluate("() => window.__first")
                paints = paint_frames(trace)
                polls = [x for x in net.since(t0) if "/messages/" in x["url"] and x["method"] == "GET"]
                duration = (frames[-1] - first) / 1000.0
                reply_paints = [t for t in paints if t >= -1.0]
                r = {"polls": len(polls), "poll_body_bytes": sum(x["body"] for x in polls),
                     "poll_bytes_with_headers": sum(x["body"] + x["headers"] for x in polls),
                     "paint_frames": len(reply_paints), "send_paint_frames": len(paints) - len(reply_paints),
                     "dom_change_frames": len([f for f in frames if f >= first]),
                     "paint_ms": paints, "dom_change_ms": [round(f - first, 1) for f in frames],
                     "first_text_s": (first - sent_at) / 1000.0,
                     "duration_s": duration, "allowed": duration / (args.throttle_ms / 1000.0) + 2}
                r["body_ratio"] = r["poll_body_bytes"] / text_bytes
                r["wire_ratio"] = r["poll_bytes_with_headers"] / text_bytes
                if n:
                    replies.append(r)
            out["replies"] = replies
        finally:
            browser.close()
            kc.stop()
            up.stop()

    print("\nPage load (%s)\n" % url)
    table(["load", "requests", "bytes received", "of which bodies", "bytes sent"],
          [[k, v["requests"], v["bytes_received"], v["body_bytes"], v["bytes_sent"]] for k, v in loads.items()])
    print()
    table(["first load: request", "body", "headers"], [["%s %s" % (m, u), b, h] for m, u, b, h in
                                                         loads["first load"]["by_url"]])
    keys = ["polls", "poll_body_bytes", "body_ratio", "wire_ratio", "first_text_s", "duration_s", "allowed",
            "paint_frames", "dom_change_frames", "send_paint_frames"]
    med = {k: median([r[k] for r in replies]) for k in keys}
    print("\nPer reply (%d B of text in %d events over ~%.0f s, throttle %d ms; medians of %d replies)\n"
          % (text_bytes, events, args.seconds, args.throttle_ms, len(replies)))
    table(["measure", "median"] + ["reply %d" % (i + 1) for i in range(len(replies))],
          [[k, med[k]] + [r[k] for r in replies] for k in keys])
    ratio_ok = med["body_ratio"] <= 1.3
    paints_ok = med["paint_frames"] <= med["allowed"]
    print("\n(duration: from the reply's first text on screen to its last change; paint_frames: frames\n"
          " Chromium painted in that time; send_paint_frames: frames painted between the tap on Send and\n"
          " the first text: the button, the message and the empty reply appearing)")
    print("\ntargets: poll bytes (bodies) <= 1.3x the reply: %.2fx %s; repaints <= duration/throttle + 2: "
          "%d painted frames, %d DOM-change frames, allowed %.1f %s"
          % (med["body_ratio"], "MET" if ratio_ok else "MISSED", med["paint_frames"], med["dom_change_frames"],
             med["allowed"], "MET" if paints_ok else "MISSED"))
    out["medians"] = med
    save("page", out)
    if not args.no_throttled:
        throttled = page_cpu.measure(args.tree)
        page_cpu.report(throttled)
        save("page_cpu", throttled)


if __name__ == "__main__":
    main()

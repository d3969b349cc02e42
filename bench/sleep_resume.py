#!/usr/bin/env python3
"""A reply cut by sleep (issue 25): how soon it goes on once the network is back, and
what a cut costs against an uncut reply.

    python3 bench/sleep_resume.py                # outages of 2, 10 and 40 s
    python3 bench/sleep_resume.py --outages 5    # one outage of 5 s

Return -> first text: a real server process streams from a scripted loopback Gemini
(testkit/upstream.py) that goes silent after a third of the reply and then goes away
(the connection drops, connections are refused), for the outage, then comes back on
the same port. Timed from the moment it listens again to the long poll's first
continued text. Twice: with the server's probes alone (after 1, 2, 4 ... s, the
default settings), and with a Kindle's connectionAvailable (a lipc-wait-event on PATH
that returns when the network is back, as the real one does on the event).

Cost: the same reply uncut, and cut twice (at a third and at two thirds, the
connection closed after what was sent arrived; each continuation says its last 4
words again). Bytes: the request bodies sent and the
SSE bodies received. Tokens: estimated at 4 characters a token from the text each
request carried and each answer returned (the scripted upstream reports no real
usage; a real service bills the continuation's prompt, which holds the partial reply).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import common  # noqa: F401 -- puts the repo root and src/ on sys.path
from common import ServerProcess, save, table

from testkit.gemini_chunks import chunk, event, event_split, sse_body
from testkit.ports import free_port
from testkit.upstream import Reply, Upstream

HISTORY = ("Tell me about the whale in the book I am reading, chapter by chapter, and what the "
           "narrator thinks of it. ") * 4
WORDS = ["word%d" % n for n in range(1, 401)]
FULL = " ".join(WORDS) + "."
PIECES = [w + " " for w in WORDS[:-1]] + [WORDS[-1] + "."]
REPEAT = 4
ENV = {"GEMINI_API_KEY": "AIzaBENCH-not-a-key-0123456789", "KINDLECHAT_FOLLOW_UPS": "0"}


def events(pieces):
    return [event(chunk(p)) for p in pieces]


def continuing(cut_at=None):
    """A continuation made from the request, as a model makes it: the rest after the
    partial reply it carries, started REPEAT words back; cut again before piece cut_at
    of the whole reply, if given (the connection closed: what was sent arrived)."""
    def reply(request):
        turns = json.loads(request["body"])["contents"]
        partial = turns[-2]["parts"][0]["text"] if len(turns) > 2 else ""
        start = max(0, len(partial.split()) - REPEAT)
        body = b"".join(events(PIECES[start:]))
        if cut_at is None:
            return Reply(body=sse_body(PIECES[start:]))
        return Reply(body=body, pieces=event_split(body), stall_after=cut_at - start, stall_seconds=0.3)
    return reply


def cut_reply(at):
    body = b"".join(events(PIECES))
    return Reply(body=body, pieces=event_split(body), stall_after=at, stall_seconds=120)


def poll(server, cid, index, offset, wait=30):
    return server.get("/api/chats/%s/messages/%d?from=%d&wait=%s" % (cid, index, offset, wait))


def until_text(server, cid, index, text, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if poll(server, cid, index, 0, 1)["text"] == text:
            return
        time.sleep(0.02)
    raise SystemExit("the reply never reached its cut")


def one_return(server, port, outage, flag):
    """Seconds from the upstream listening again to the first continued text."""
    cut = len(PIECES) // 3
    said = "".join(PIECES[:cut])
    first = Upstream(port=port).start()
    first.script(cut_reply(cut))
    cid = server.new_chat()
    index = server.send(cid, HISTORY)
    until_text(server, cid, index, said)
    first.stop()                                   # the Wi-Fi goes
    time.sleep(outage)
    back = Upstream(port=port).start()             # and comes back
    back.script(continuing())
    began = time.monotonic()
    if flag:
        open(flag, "w").close()                    # the Kindle's connectionAvailable
    answer = poll(server, cid, index, len(said))
    took = time.monotonic() - began
    rest = server.read_reply(cid, index, limit=60)
    back.stop()
    if flag:
        os.remove(flag)
    whole = server.get("/api/chats/%s" % cid)["messages"][index]["text"]
    if whole != FULL or rest["status"] != "done" or not answer["text"]:
        raise SystemExit("the reply did not complete whole: %r" % rest)
    return took


def returns(outages):
    rows, tmp = [], tempfile.mkdtemp(prefix="kc-sleep-")
    fake = os.path.join(tmp, "bin")
    os.makedirs(fake)
    flag = os.path.join(tmp, "connected")
    with open(os.path.join(fake, "lipc-wait-event"), "w") as f:
        f.write('#!/bin/sh\n# Returns when the network is back, as lipc-wait-event does on the event.\n'
                'while [ ! -e "%s" ]; do sleep 0.02; done\n' % flag)
    os.chmod(os.path.join(fake, "lipc-wait-event"), 0o755)
    try:
        for label, path, marker in (("probes alone", os.environ["PATH"], None),
                                    ("connectionAvailable", fake + os.pathsep + os.environ["PATH"], flag)):
            port = free_port()
            env = dict(ENV, PATH=path)
            server = ServerProcess(os.path.join(tmp, label.replace(" ", "-")), "--gemini-url",
                                   "http://127.0.0.1:%d" % port, "--throttle-ms", "0", env=env, fast=False).start()
            try:
                for outage in outages:
                    rows.append([label, outage, one_return(server, port, outage, marker)])
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def costs():
    """(bytes sent, bytes received, tokens in, tokens out) of the reply uncut and cut twice."""
    out, tmp = {}, tempfile.mkdtemp(prefix="kc-cost-")
    up = Upstream().start()
    server = ServerProcess(os.path.join(tmp, "data"), "--gemini-url", up.url, "--throttle-ms", "0",
                           env=dict(ENV, KINDLECHAT_RECONNECT_WAIT="0.01"), fast=False).start()
    a, b = len(PIECES) // 3, 2 * len(PIECES) // 3
    whole = b"".join(events(PIECES))
    scripts = {"uncut": [Reply(body=sse_body(PIECES))],
               "cut twice": [Reply(body=whole, pieces=event_split(whole), stall_after=a, stall_seconds=0.3),
                             continuing(cut_at=b), continuing()]}
    try:
        for name, script in scripts.items():
            up._replies.clear()
            del up.requests[:]
            sent_replies = []
            up.script(*[r if not callable(r) else (lambda f: lambda req: sent_replies.append(f(req))
                                                   or sent_replies[-1])(r) for r in script])
            cid = server.new_chat()
            index = server.send(cid, HISTORY)
            answer = server.read_reply(cid, index, limit=60)
            if answer["text"] != FULL:
                raise SystemExit("%s: the reply is not whole" % name)
            sent = sum(len(r["body"]) for r in up.requests)
            received, texts_in, text_out = 0, 0, 0
            replies = [r for r in script if not callable(r)] + sent_replies
            for request, reply in zip(up.requests, replies):
                pieces = reply.pieces or [reply.body]
                body = b"".join(pieces[:reply.stall_after] if reply.stall_after is not None else pieces)
                received += len(body)
                texts_in += sum(len(c["parts"][0]["text"]) for c in json.loads(request["body"])["contents"])
                text_out += sum(len(json.loads(line[6:])["candidates"][0]["content"]["parts"][0]["text"])
                                for line in body.split(b"\r\n\r\n") if line.startswith(b"data: "))
            out[name] = [len(up.requests), sent, received, texts_in // 4, text_out // 4]
    finally:
        server.stop()
        up.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outages", type=float, nargs="*", default=[2.0, 10.0, 40.0])
    args = ap.parse_args()
    cost = costs()
    print("The reply uncut and cut twice (%d characters, %d-character question):\n" % (len(FULL), len(HISTORY)))
    table(["reply", "requests", "bytes sent", "bytes received", "tokens in (est.)", "tokens out (est.)"],
          [[name] + row for name, row in cost.items()])
    rows = returns(args.outages)
    print("\nThe network's return -> the first continued text, seconds:\n")
    table(["waking by", "outage s", "return -> first text s"], rows)
    save("sleep_resume", {"costs": cost, "returns": rows})


if __name__ == "__main__":
    sys.exit(main())

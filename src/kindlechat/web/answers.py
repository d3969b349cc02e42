"""The shape of a reply on the wire: a long poll's JSON answer, and the same reply
as text/event-stream. Long texts go in bounded pieces.

    >>> json_answer({"next": 2, "status": "done"}, iter(["Hi"]))
    {'next': 2, 'status': 'done', 'text': 'Hi'}
"""
import json

import bottle

from ..reply import LIVE

# A long text goes out in pieces of this many characters, each encoded on its own, so
# a client that reads slowly (or never) holds one piece of server memory, not a copy
# of the whole reply (docs/RELIABILITY.md: 20 such clients on a 2 M-character reply).
PIECE = 16384
HEARTBEAT = 15.0               # seconds between SSE comments, so proxies keep the line


def json_answer(answer, pieces):
    """A poll's answer: short ones as one JSON body; long ones as a generator of
    bounded pieces (see PIECE), the same JSON byte for byte."""
    first = next(pieces, "")
    second = next(pieces, None)
    if second is None:
        return dict(answer, text=first)
    head = json.dumps(dict(answer, text=""), ensure_ascii=False)
    cut = head.rindex('"text": ""') + len('"text": "')   # the last key: see dict() above

    def body():
        yield head[:cut]
        for piece in (first, second):
            yield json.dumps(piece, ensure_ascii=False)[1:-1]
        for piece in pieces:
            yield json.dumps(piece, ensure_ascii=False)[1:-1]
        yield head[cut:]
    return bottle.HTTPResponse(body(), 200, {"Content-Type": "application/json", "Cache-Control": "no-store"})


def event_stream(chat, cid, index, offset):
    """The reply as text/event-stream: `id:` is the offset after the event, so a
    client resumes with Last-Event-ID. Headers are set before the first yield.
    A long text goes in events of at most PIECE characters each (status
    "streaming" on all but the last), so a slow reader holds one event's memory."""
    yield ": kindlechat\n\n"
    while True:
        answer, pieces = chat.poll(cid, index, offset, HEARTBEAT)
        end, sent = answer["next"], False
        for piece in pieces:
            offset += len(piece)
            event = dict(answer, text=piece, next=offset)
            if offset < end:
                event["status"] = "streaming"
            yield "id: %d\ndata: %s\n\n" % (offset, json.dumps(event, ensure_ascii=False))
            sent = True
        if answer["status"] not in LIVE:   # "reconnecting" goes on after the network is back
            yield "event: end\nid: %d\ndata: %s\n\n" % (offset, json.dumps(dict(answer, text=""), ensure_ascii=False))
            return
        if not sent:
            yield ": ok\n\n"

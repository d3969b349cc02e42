"""The chat journal's records: what a valid one is, and replaying them into a chat.

    >>> chat = parse_journal(b'{"t":"chat","id":"x","created":1}\\n'
    ...                      b'{"t":"msg","role":"user","text":"Hi","status":"done"}\\n', "x")
    >>> chat["messages"][0]["text"], chat.get("damaged")
    ('Hi', None)
    >>> parse_journal(b'{"t":"msg","role":"user","text":null,"status":"done"}\\n', "x")["damaged"]
    True

Records, one JSON object a line:
  {"t": "chat", "id", "created"}                   first line
  {"t": "msg", "role", "text", "status", ...}      a message (index = its order)
  {"t": "add", "i", "text"?, "thoughts"?}          more text for message i
  {"t": "end", "i", "status", "error"?, "finish"?, "usage"?, "sources"?, "queries"?, "urls"?,
   "follow_ups"?}                                  (journals older than a field load as before)
  {"t": "cut", "i"}                                drop message i and those after (retry)

Two kinds of bad line. A line that is not JSON at all is a write cut short by a
kill -9 (a proper prefix of a JSON object never parses): normal, skipped. A line
that is JSON but not a valid record (a null text, a bool index, a line nested
thousands deep) was never written by KindleChat; replaying past it could put a
non-string where the page and the server expect text, so the chat is read up to
it and marked damaged (store.py then refuses to write to it).
"""
import json

ROLES = ("user", "model")
STATUSES = ("streaming", "done", "stopped", "error", "interrupted")


class Invalid(ValueError):
    """A JSON line that is not a record KindleChat writes."""


class BadIndex(Invalid):
    """A record for a message the chat does not have."""


def _text(value):
    return isinstance(value, str)


def _note(value):
    """error and finish: {"code"|"reason", "message"}, shown to the reader as text."""
    return isinstance(value, dict) and all(_text(value[k]) for k in ("code", "reason", "message")
                                           if k in value)


def _strings(*keys):
    """A list of objects whose keys (some or all of keys) hold text: sources and urls."""
    return lambda v: isinstance(v, list) and all(
        isinstance(x, dict) and all(_text(x[k]) for k in keys if k in x) for x in v)


# Every message field, with its check (in any record). A record sets only those of
# SETS[its kind]; other keys are not applied.
FIELDS = {
    "role": lambda v: v in ROLES,
    "text": _text,
    "thoughts": _text,
    "status": lambda v: v in STATUSES,
    "error": _note,
    "finish": _note,
    "usage": lambda v: isinstance(v, dict),
    "search": lambda v: isinstance(v, bool),            # a user message that asked to search the web
    "sources": _strings("title", "uri", "site"),        # where a reply came from (stream.EXTRAS)
    "queries": lambda v: isinstance(v, list) and all(_text(q) for q in v),
    "urls": _strings("url", "status"),
    "profile": _text,   # the provider profile a chat started with (its first message), or a reply's
    "model": _text,     # the model of that profile then
    "follow_ups": lambda v: isinstance(v, list) and all(_text(q) for q in v),   # questions to tap (follow_ups.py)
    # a book chat (reading/bookchat.py): the first message's binding to the book, and on
    # each reply the position its request ended at, the pages it carried, a notice
    "book": lambda v: isinstance(v, dict),
}
REQUIRED = {"chat": (), "msg": ("role", "text", "status"), "add": ("i",), "end": ("i", "status"),
            "cut": ("i",)}
SETS = {"chat": (), "msg": tuple(FIELDS), "add": ("text", "thoughts"),
        "end": ("status", "error", "finish", "usage", "sources", "queries", "urls", "follow_ups"), "cut": ()}


def check(rec, count):
    """Raise Invalid unless rec is a valid record for a chat of count messages.

    >>> check({"t": "add", "i": True, "text": "x"}, 1)
    Traceback (most recent call last):
    ...
    kindlechat.records.BadIndex: bad index in {'t': 'add', 'i': True, 'text': 'x'}
    """
    kind = rec.get("t") if isinstance(rec, dict) else None
    if kind not in REQUIRED:
        raise Invalid("not a record: %.80r" % (rec,))
    missing = [k for k in REQUIRED[kind] if k not in rec]
    if missing:
        raise Invalid("no %s in %.80r" % (missing[0], rec))
    if "i" in REQUIRED[kind]:
        i, top = rec["i"], count + 1 if kind == "cut" else count   # a cut at the end drops nothing
        if type(i) is not int or not 0 <= i < top:   # type(): True is an int to isinstance
            raise BadIndex("bad index in %.80r" % (rec,))
    bad = [k for k in FIELDS if k in rec and not FIELDS[k](rec[k])]
    if bad:
        raise Invalid("bad %s in %.80r" % (bad[0], rec))
    if kind == "chat" and not (isinstance(rec.get("created", 0), (int, float))
                               and not isinstance(rec.get("created"), bool)):
        raise Invalid("bad created in %.80r" % (rec,))


def apply_record(chat, rec):
    """Check one record, then replay it onto a chat dict; raises Invalid."""
    msgs = chat["messages"]
    check(rec, len(msgs))
    kind = rec["t"]
    fields = {k: rec[k] for k in SETS[kind] if k in rec}
    if kind == "chat":
        chat["created"] = rec.get("created", 0)
    elif kind == "msg":
        msgs.append(fields)
    elif kind == "add":
        msg = msgs[rec["i"]]
        msg["text"] = msg.get("text", "") + fields.get("text", "")
        if fields.get("thoughts"):
            msg["thoughts"] = msg.get("thoughts", "") + fields["thoughts"]
    elif kind == "end":
        msgs[rec["i"]].update(fields)
    else:
        del msgs[rec["i"]:]


TORN = object()


def _decode(raw):
    """The record on a line, or TORN. RecursionError (a line nested thousands deep)
    is not a ValueError, and not a torn line either."""
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise Invalid("nested too deep") from None
    except ValueError:
        return TORN


def parse_journal(data, chat_id):
    """A chat from journal bytes. A torn line (a kill mid-write) is skipped; at an
    invalid record reading stops and the chat gets "damaged": True."""
    chat = {"id": chat_id, "created": 0, "messages": []}
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            rec = _decode(raw)
            if rec is not TORN:
                apply_record(chat, rec)
        except Invalid:
            chat["damaged"] = True
            break
    return chat


def line(record):
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def compact_journal(chat):
    out = [line({"t": "chat", "id": chat["id"], "created": chat.get("created", 0)})]
    out += [line(dict(m, t="msg")) for m in chat["messages"]]
    return b"".join(out)

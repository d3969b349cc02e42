"""The long poll's answer to the page: the reply's state and where its new text
lies, from a live reply or from the message stored on disk; the text in bounded
pieces (never one string of the whole reply).

    >>> answer, pieces = stored_answer({"text": "Hello", "status": "done"}, 2, None)
    >>> answer, list(pieces)
    ({'next': 5, 'status': 'done'}, ['llo'])
"""
from .errors import Refused
from .providers.stream import EXTRAS


def bad_offset(offset, length):
    return Refused("bad_input", "bad_offset", offset=offset, length=length)


def poll_answer(next_offset, state, thoughts=None, thoughts_next=0):
    out = {"next": next_offset, "status": state["status"]}
    for key in ("error", "finish", "usage", "follow_ups", "book") + EXTRAS:
        if state.get(key) is not None:
            out[key] = state[key]
    if thoughts is not None:
        out["thoughts"], out["thoughts_next"] = thoughts, thoughts_next
    return out


def stored_answer(message, offset, tfrom):
    text, thoughts = message.get("text", ""), message.get("thoughts", "")
    if offset > len(text):
        raise bad_offset(offset, len(text))
    return (poll_answer(len(text), message, None if tfrom is None else thoughts[tfrom:], len(thoughts)),
            _slices(text, offset))


def live_answer(reply, offset, tfrom):
    with reply.changed:   # text, thoughts and state as of one moment
        pieces = reply.text.pieces(offset)
        state = dict(reply.state(), book=getattr(reply, "book", None))   # a book chat's bound and pages
        return (poll_answer(reply.text.length, state,
                            None if tfrom is None else reply.thoughts.since(tfrom), reply.thoughts.length),
                pieces)


def _slices(text, offset, size=8192):
    for start in range(offset, len(text), size):
        yield text[start:start + size]

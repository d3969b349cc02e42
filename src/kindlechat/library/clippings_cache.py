"""A parse of My Clippings.txt kept on disk across restarts: one compact JSON file in
the data folder, keyed by the clippings file's path, size, mtime and a CRC-32 of all
its bytes. A cache that does not read, is of another parser version or names another
file is ignored (None), never trusted: its own bytes carry a CRC-32 (a flipped byte
is a cache not read), and the caller checks the file's CRC against the file.

    >>> import os, tempfile
    >>> from kindlechat.library.clippings import Parser
    >>> p = Parser()
    >>> p.feed(["Book (A)\\n- Your Highlight on Location 1-2 | Added on 1 May 2020 10:00\\n\\nOne"])
    >>> path = os.path.join(tempfile.mkdtemp(), "cache.json")
    >>> head = {"path": "/x", "size": 9, "mtime_ns": 1, "crc": 2, "resume": 9, "encoding": "utf-8"}
    >>> save(path, head, p)
    >>> got = load(path, "/x")
    >>> got[0]["crc"], [c["text"] for c in got[1].result()]
    (2, ['One'])
    >>> load(path, "/y") is None
    True
"""
import json
import os
import zlib

from .. import diskwrite
from .clippings import Parser

# Bump when the parser's output changes: an older cache is then parsed afresh.
VERSION = 1
HEAD = ("path", "size", "mtime_ns", "crc", "resume", "encoding")
KINDS = ("highlight", "note")


def save(path, head, parser):
    """Write the parser's state (every record, replaced ones too: a later entry may
    still join them) under head, atomically."""
    books, rows = {}, []
    for entry, span, replaced in parser.kept:
        book = books.setdefault((entry["book"], entry["author"]), len(books))
        start, end = span if span else (-1, -1)
        rows.append((book, KINDS.index(entry["kind"]), entry["text"], entry["note"], entry["page"],
                     entry["location"], entry["added"], entry["id"], start, end, 1 if replaced else 0))
    body = json.dumps({"skipped": parser.skipped, "books": sorted(books, key=books.get), "rows": rows},
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    top = dict((k, head[k]) for k in HEAD)
    top.update(v=VERSION, body_crc=zlib.crc32(body))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    diskwrite.write_atomic(path, json.dumps(top).encode("utf-8") + b"\n" + body)


def read_head(path, source):
    """The head alone (the first line: cheap), or None."""
    try:
        with open(path, "rb") as f:
            return _head(f.readline(), source)
    except OSError:
        return None


def load(path, source):
    """(head, Parser) as saved for the clippings file at source, or None."""
    try:
        with open(path, "rb") as f:
            head = _head(f.readline(), source)
            body = f.read()
        if head is None or zlib.crc32(body) != head["body_crc"]:
            return None
        return head, _parser(json.loads(body.decode("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None   # unreadable, cut short or of another shape: parsed afresh


def _head(line, source):
    try:
        top = json.loads(line.decode("utf-8"))
        if top.get("v") != VERSION or top.get("path") != source:
            return None
        return dict((k, top[k]) for k in HEAD + ("body_crc",))
    except (ValueError, KeyError, AttributeError):
        return None


def _parser(top):
    parser, books = Parser(), [(str(b), str(a)) for b, a in top["books"]]
    parser.skipped = int(top["skipped"])
    for book, kind, text, note, page, location, added, cid, start, end, replaced in top["rows"]:
        title, author = books[book]
        entry = {"book": title, "author": author, "kind": KINDS[kind], "text": _str(text), "note": _str(note),
                 "page": _str(page), "location": _str(location), "added": added if added is None else _str(added),
                 "id": _str(cid)}
        parser.add(entry, (int(start), int(end)) if start >= 0 else None, replaced)
    return parser


def _str(value):
    if not isinstance(value, str):
        raise TypeError("not a string: %r" % (value,))
    return value

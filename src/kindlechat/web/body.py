"""A request's body: read within a byte bound (Content-Length or chunked, decoded
here so nothing past the bound is ever buffered) and parsed as strict JSON.

    >>> import io
    >>> environ = {"wsgi.input": io.BytesIO(b"5\\r\\n{\\"a\\":\\r\\n2\\r\\n1}\\r\\n0\\r\\n\\r\\n"),
    ...            "HTTP_TRANSFER_ENCODING": "chunked"}
    >>> read_json(environ)
    {'a': 1}
    >>> nesting_depth('{"a": [[1], "]]]"]}')
    3

Bottle spooled a chunked body whole to TMPDIR before anything looked at its size
(40 MB of it), and json.loads of a body nested 5,000 deep raised RecursionError (a
500); so bodies are read here, never through bottle.request.body.
"""
import json
import re

from .httpd import LINGER
from ..errors import Refused

MAX_BODY = 256 * 1024      # bytes of a request body: a 30,000-character message is at most 120 KB
MAX_DEPTH = 32             # the API's bodies are one or two levels deep
MAX_CHUNK_LINE = 1024      # a chunk-size line with its extensions
MAX_TRAILERS = 32

_HEX = re.compile(rb"[0-9A-Fa-f]{1,8}")
# One pass, left to right: a string (its closing quote optional, so an unclosed one
# ends the scan in linear time) or a bracket outside any string.
_TOKENS = re.compile(r'"(?:[^"\\]+|\\.)*"?|[\[\]{}]', re.S)


def read_json(environ=None):
    """The request body as JSON: bounded, strictly UTF-8, not too deep, or a clear 4xx."""
    if environ is None:
        import bottle
        environ = bottle.request.environ
    return parse_json(read_body(environ))


def read_body(environ, limit=MAX_BODY):
    stream = environ["wsgi.input"]
    coding = environ.get("HTTP_TRANSFER_ENCODING", "").strip().lower()
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    try:
        if coding:
            if coding != "chunked":
                raise Refused("unsupported", "bad_coding", coding=coding[:40])
            return read_chunked(environ, stream, limit)
        if declared and not declared.isdigit():
            raise Refused("bad_input", "bad_length")
        length = int(declared or 0)
        if length > limit:
            too_large(environ)
        raw = stream.read(length) if length else b""
    except OSError:   # the client went quiet past the body's deadline (httpd.Limits), or away
        # A trickling client may still be sending: closing with its bytes unread would
        # reset the connection, and the reset throws away the 408 before it is read.
        environ.get(LINGER, []).append(408)
        raise Refused("too_slow", "body_timeout") from None
    if len(raw) < length:
        raise cut_short()
    return raw


def read_chunked(environ, stream, limit):
    """A chunked body (RFC 9112 section 7.1), at most limit bytes of data."""
    body = bytearray()
    for _ in range(limit + 1):     # every chunk but the last adds a byte at least
        line = stream.readline(MAX_CHUNK_LINE + 1)
        size_text = line.split(b";", 1)[0].strip()
        if not line.endswith(b"\n") or not _HEX.fullmatch(size_text):
            raise cut_short() if not line else bad_chunks()
        size = int(size_text, 16)
        if size == 0:
            read_trailers(stream)
            return bytes(body)
        if len(body) + size > limit:
            too_large(environ)
        data = stream.read(size)
        if len(data) < size:
            raise cut_short()
        body += data
        if stream.readline(3) not in (b"\r\n", b"\n"):
            raise bad_chunks()
    too_large(environ)


def read_trailers(stream):
    for _ in range(MAX_TRAILERS):
        line = stream.readline(MAX_CHUNK_LINE + 1)
        if line in (b"\r\n", b"\n", b""):
            return
    raise bad_chunks()


def too_large(environ):
    environ.get(LINGER, []).append(413)   # the client may still be sending: httpd drains it first
    raise Refused("too_large", "too_large")


def cut_short():
    return Refused("bad_input", "body_cut")


def bad_chunks():
    return Refused("bad_input", "bad_chunks")


def nesting_depth(text):
    """How deeply brackets outside strings nest in a JSON text (valid or not)."""
    depth = deepest = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


def parse_json(raw):
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeError:
        raise Refused("bad_input", "not_utf8") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise Refused("bad_input", "too_deep", depth=MAX_DEPTH)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused("bad_input", "bad_json") from None
    try:
        json.dumps(doc, ensure_ascii=False).encode("utf-8")   # a \ud800 escape is valid JSON, not text
    except UnicodeError:
        raise Refused("bad_input", "not_utf8") from None
    return doc

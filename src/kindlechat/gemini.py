"""The Gemini client: sends a conversation to streamGenerateContent?alt=sse and
yields the reply as it arrives. It owns its timeouts and returns results; errors
are values with a code and a message for the person holding the Kindle. It knows
nothing of the web page.

    >>> body = build_body([("user", "Hi")], {"system_instruction": "Be brief.",
    ...                   "temperature": 0.2, "max_output_tokens": None,
    ...                   "thinking_budget": None, "show_thoughts": False})
    >>> body["contents"], body["generationConfig"]
    ([{'role': 'user', 'parts': [{'text': 'Hi'}]}], {'temperature': 0.2})

Sharp edges, stated plainly: a stream that ends without a finishReason was cut
short (Gemini always closes with one); an error may arrive after the 200, inside a
data line or as a bare multi-line JSON block; the API key travels only in the
x-goog-api-key header, never in the URL, never in a log.
"""
import json
import socket
import threading
from collections import namedtuple

from . import sse
from .errors import (blocked, damaged_note, dropped, finish_note, from_error_body, from_exception,
                     not_event_stream, unreadable)

# Connect fast or say so; reads may pause long while a thinking model thinks.
TIMEOUTS = {"connect": 15.0, "read": 120.0}
READ_SIZE = 65536          # read1() returns what has arrived, up to this
MAX_ERROR_BODY = 65536     # an error body or login page is read this far, no further
MAX_BARE_JSON = 65536

Delta = namedtuple("Delta", "text thought")
Delta.__doc__ = "A piece of the reply: text, and whether it is a thought summary."


def stream_url(base_url, model):
    """The endpoint; a path prefix in base_url is kept (relays).

        >>> stream_url("http://127.0.0.1:9/relay/", "gemini-2.5-flash")
        'http://127.0.0.1:9/relay/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
    """
    return "%s/v1beta/models/%s:streamGenerateContent?alt=sse" % (base_url.rstrip("/"), model)


def build_body(history, settings):
    """The JSON body: history is [(role, text)], roles "user" and "model"."""
    body = {"contents": [{"role": role, "parts": [{"text": text}]} for role, text in history]}
    if settings.get("system_instruction"):
        body["systemInstruction"] = {"parts": [{"text": settings["system_instruction"]}]}
    config = {}
    if settings.get("temperature") is not None:
        config["temperature"] = settings["temperature"]
    if settings.get("max_output_tokens") is not None:
        config["maxOutputTokens"] = settings["max_output_tokens"]
    thinking = {}
    if settings.get("thinking_budget") is not None:
        thinking["thinkingBudget"] = settings["thinking_budget"]
    if settings.get("show_thoughts"):
        thinking["includeThoughts"] = True
    if thinking:
        config["thinkingConfig"] = thinking
    if config:
        body["generationConfig"] = config
    return body


def part_text(part):
    """The text a part adds to the reply; tools' parts shown as Markdown."""
    if "text" in part:
        return part["text"] or ""
    if "executableCode" in part:
        code = part["executableCode"]
        return "\n```%s\n%s\n```\n" % (str(code.get("language", "")).lower().replace("language_unspecified", ""),
                                        code.get("code", ""))
    if "codeExecutionResult" in part:
        return "\n```\n%s\n```\n" % part["codeExecutionResult"].get("output", "")
    if "inlineData" in part:
        return "\n[%s not shown]\n" % part["inlineData"].get("mimeType", "attachment")
    return ""


class ReplyStream:
    """One streamed reply. Iterate it for Deltas; afterwards ``error``, ``finish``
    and ``usage`` say how it ended. ``close()`` from another thread ends it at once.

        stream = ReplyStream(session, url, key, body)
        for delta in stream: ...
        stream.error  # None, or GeminiError(code, message)
    """

    def __init__(self, session, url, api_key, body, timeouts=None):
        self.session, self.url, self.api_key, self.body = session, url, api_key, body
        self.timeouts = dict(TIMEOUTS, **(timeouts or {}))
        self.error = None
        self.finish = None     # {"reason", "message"} when the reason is not STOP
        self.usage = None
        self.damaged = 0       # data lines that were not JSON
        self._response = None
        self._conn = None      # the urllib3 connection, once the pool handed it out
        self._closed = False   # close() was called: the user stopped the reply
        self._ended = False    # a finishReason arrived

    # -- the request ------------------------------------------------------
    def _open(self):
        headers = {"x-goog-api-key": self.api_key, "Content-Type": "application/json",
                   "Accept": "text/event-stream"}
        data = json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        _sending.stream = self     # so the pool can tell us which connection carries it
        # No redirects: requests would send the key header along to wherever a
        # captive portal points (it strips only Authorization across hosts).
        try:
            return self.session.post(self.url, data=data, headers=headers, stream=True, allow_redirects=False,
                                     timeout=(self.timeouts["connect"], self.timeouts["read"]))
        finally:
            _sending.stream = None

    def __iter__(self):
        try:
            self._response = response = self._open()
            if self._closed:
                return
            if 300 <= response.status_code < 400:   # Gemini never redirects; login pages do
                self.error = not_event_stream(response.status_code, "")
                return
            if response.status_code != 200:
                self.error = from_error_body(response.status_code, _read_some(response))
                return
            if "text/event-stream" not in response.headers.get("Content-Type", "").lower():
                self.error = not_event_stream(response.status_code, _read_some(response))
                return
            yield from self._read(response)
        except Exception as exc:  # noqa: BLE001 -- every failure becomes a message
            if not self._closed:
                self.error = from_exception(exc, self.timeouts)
        finally:
            self._shutdown()
            # An ended reply stays in memory a while (late polls read it there): let go
            # of the request body (the whole conversation) and the response's buffers.
            self.body = self._response = None
            self._mask_key()
        if self.error is None and not self._closed and not self._ended:
            self.error = dropped()
        if self.damaged and self.error is None:
            self.finish = damaged_note(self.finish)   # text is missing: say so under the reply

    def _mask_key(self):
        """Upstream text may quote the key (an error body, a finishMessage, a relay's
        usage notes): it is masked before anything is stored or shown."""
        key = self.api_key or ""
        if len(key) < 8:
            return
        if self.error is not None and key in self.error.message:
            self.error = self.error._replace(message=self.error.message.replace(key, "(your API key)"))
        for name in ("finish", "usage"):
            value = getattr(self, name)
            if value is not None:
                dumped = json.dumps(value, ensure_ascii=False)
                if key in dumped:
                    setattr(self, name, json.loads(dumped.replace(key, "(your API key)")))

    def close(self):
        """End the request now, from any thread: shutting the socket down wakes a
        read that is blocked on it (a plain close would not)."""
        self._closed = True
        self._shutdown()

    def _shutdown(self):
        response = self._response
        if response is None:
            # Still waiting for the headers (a thinking model may take long): the
            # connection that new_session()'s pools handed out has the socket.
            sock = getattr(self._conn, "sock", None)
        else:
            sock = _socket_of(response)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if response is not None:
            response.close()

    @property
    def stopped(self):
        """True when close() ended the stream before Gemini did."""
        return self._closed and not self._ended and self.error is None

    # -- the stream -------------------------------------------------------
    def _read(self, response):
        lines, events = sse.LineDecoder(), sse.EventDecoder()
        bare = []   # a bare JSON block (an error after the 200, no "data:" prefix)
        read1 = _reader(response)
        while not self._closed:
            # read1 returns as soon as some bytes arrived, chunked or not; requests'
            # iter_lines would wait for 512 bytes, or for the end with chunk_size=None.
            chunk = read1(READ_SIZE)
            if not chunk:
                break
            for line in lines.feed(chunk):
                if bare or line.startswith("{"):
                    bare.append(line)
                    if self._bare_done(bare):
                        return
                    continue
                event = events.decode(line)
                if event is not None and event.data:
                    yield from self._event(event.data)
                    if self.error is not None:
                        return
        if bare and self.error is None:
            self.error = unreadable()
        # A last event whose blank line never came: its data lines arrived whole, and a
        # chunk that parses as JSON is whole (a torn one is counted as damaged).
        event = events.flush() if not self._closed and self.error is None else None
        if event is not None and event.data:
            yield from self._event(event.data)

    def _bare_done(self, bare):
        text = "\n".join(bare)
        if len(text) > MAX_BARE_JSON:
            self.error = unreadable()
            return True
        try:
            doc = json.loads(text)
        except ValueError:
            return False
        self.error = from_error_body(None, text) if isinstance(doc, dict) and "error" in doc else unreadable()
        return True

    def _event(self, data):
        try:
            chunk = json.loads(data)
        except ValueError:
            self.damaged += 1
            return
        if not isinstance(chunk, dict):
            self.damaged += 1
            return
        if "error" in chunk:
            self.error = from_error_body(None, data)
            return
        if chunk.get("usageMetadata"):
            self.usage = chunk["usageMetadata"]   # cumulative: the last one counts
        candidates = chunk.get("candidates") or []
        if not candidates:
            feedback = chunk.get("promptFeedback") or {}
            if feedback.get("blockReason"):
                self.error = blocked(feedback["blockReason"], feedback.get("blockReasonMessage"))
            return
        candidate = candidates[0]
        for part in (candidate.get("content") or {}).get("parts") or []:
            text = part_text(part) if isinstance(part, dict) else ""
            if text:
                yield Delta(text, bool(part.get("thought")))
        reason = candidate.get("finishReason")
        if reason:
            self._ended = True
            if reason != "STOP":
                self.finish = finish_note(reason, candidate.get("finishMessage"))


def _reader(response):
    """The body's read1: it returns as soon as some bytes arrived, chunked or not.
    A body with no Content-Encoding is read with http.client's own read1 (which
    undoes the chunked framing): urllib3's wrapper around it costs more CPU per
    event than the event's JSON (bench/relay_cpu.py). A gzip body goes through
    urllib3's read1, which decodes it."""
    raw = response.raw
    fp = getattr(raw, "_fp", None)
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity") and hasattr(fp, "read1"):
        return fp.read1
    return lambda size: raw.read1(size, decode_content=True)


def _read_some(response):
    """Up to MAX_ERROR_BODY bytes of the body, as text (an error body or a login page)."""
    try:
        data = b""
        while len(data) < MAX_ERROR_BODY:
            chunk = response.raw.read1(MAX_ERROR_BODY - len(data), decode_content=True)
            if not chunk:
                break
            data += chunk
    except Exception:  # noqa: BLE001 -- a body we could not read is just empty
        pass
    return data.decode("utf-8", "replace")


def _socket_of(response):
    """The response's socket. http.client drops the connection's own reference when the
    server said Connection: close, so look in the response's file object first."""
    try:
        return response.raw._fp.fp.raw._sock
    except AttributeError:
        pass
    try:
        return response.raw._connection.sock
    except AttributeError:
        return None


_sending = threading.local()   # the ReplyStream whose request this thread sends


def _tracking(pool_class):
    """A connection pool that tells the stream being sent which connection it got, so
    close() can shut its socket even before the response headers have arrived."""
    class TrackingPool(pool_class):
        def _get_conn(self, timeout=None):
            conn = super()._get_conn(timeout)
            stream = getattr(_sending, "stream", None)
            if stream is not None:
                stream._conn = conn
            return conn
    return TrackingPool


def new_session():
    """A requests session for Gemini; imported late, since requests costs ~0.1 s of
    start-up on a Kindle and is not needed until the first reply."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": _tracking(HTTPConnectionPool), "https": _tracking(HTTPSConnectionPool)}

    session = requests.Session()
    session.mount("http://", Adapter())
    session.mount("https://", Adapter())
    return session

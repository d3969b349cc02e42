"""Gemini's wire format: the request for streamGenerateContent?alt=sse, and a
decoder that turns the stream's lines into the reply. Knows no network (the
transport reads, see transport.py and stream.py) and no web page.

    >>> body = build_body([("user", "Hi")], {"system_instruction": "Be brief.",
    ...                   "temperature": 0.2, "max_output_tokens": None,
    ...                   "thinking_budget": None, "show_thoughts": False})
    >>> body["contents"], body["generationConfig"]
    ([{'role': 'user', 'parts': [{'text': 'Hi'}]}], {'temperature': 0.2})
    >>> decoder = Decoder()
    >>> decoder.feed('data: {"candidates": [{"content": {"parts": [{"text": "Hi"}]}, '
    ...              '"finishReason": "STOP"}]}') + decoder.feed("")
    [Delta(text='Hi', thought=False)]
    >>> decoder.ended, decoder.error
    (True, None)

Sharp edges, stated plainly: a stream that ends without a finishReason was cut
short (Gemini always closes with one); an error may arrive after the 200, inside a
data line or as a bare multi-line JSON block; the API key travels only in the
x-goog-api-key header, never in the URL, never in a log.
"""
import json

from . import sse
from .errors import blocked, finish_note, from_error_body, not_event_stream, unreadable
from .stream import Delta

CONTENT_TYPE = "text/event-stream"
MAX_BARE_JSON = 65536


def request(history, settings, base_url, api_key):
    """(url, headers, body bytes) of the request for a reply to history."""
    headers = {"x-goog-api-key": api_key, "Content-Type": "application/json", "Accept": CONTENT_TYPE}
    body = json.dumps(build_body(history, settings), ensure_ascii=False).encode("utf-8")
    return stream_url(base_url, settings["model"]), headers, body


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


class Decoder:
    """Gemini's event stream, one line at a time (sse.LineDecoder's lines): feed()
    returns the Deltas the line completes; afterwards error, finish, usage,
    ended (a finishReason came) and damaged (data lines that were not JSON) say
    how the reply ended. end() at the body's end returns the last Deltas."""

    content_type = CONTENT_TYPE

    def __init__(self):
        self.error = self.finish = self.usage = None
        self.ended = False
        self.damaged = 0
        self._events = sse.EventDecoder()
        self._bare = []   # a bare JSON block (an error after the 200, no "data:" prefix)

    @staticmethod
    def http_error(status, text):
        """The error of an answer that is not 200, from its body."""
        return from_error_body(status, text)

    @staticmethod
    def not_a_stream(status, text):
        """The error of a 200 that is not an event stream (a Wi-Fi login page)."""
        return not_event_stream(status, text)

    def feed(self, line):
        if self._bare or line.startswith("{"):
            self._bare.append(line)
            self._bare_done()
            return []
        event = self._events.decode(line)
        return self._event(event.data) if event is not None and event.data else []

    def end(self):
        """At the body's end. A last event whose blank line never came: its data
        lines arrived whole, and a chunk that parses as JSON is whole (a torn one
        is counted as damaged)."""
        if self._bare and self.error is None:
            self.error = unreadable()
        event = self._events.flush() if self.error is None else None
        return self._event(event.data) if event is not None and event.data else []

    def _bare_done(self):
        text = "\n".join(self._bare)
        if len(text) > MAX_BARE_JSON:
            self.error = unreadable()
            return
        try:
            doc = json.loads(text)
        except ValueError:
            return
        self.error = from_error_body(None, text) if isinstance(doc, dict) and "error" in doc else unreadable()

    def _event(self, data):
        try:
            chunk = json.loads(data)
        except ValueError:
            chunk = None
        if not isinstance(chunk, dict):
            self.damaged += 1
            return []
        if "error" in chunk:
            self.error = from_error_body(None, data)
            return []
        if chunk.get("usageMetadata"):
            self.usage = chunk["usageMetadata"]   # cumulative: the last one counts
        candidates = chunk.get("candidates") or []
        if not candidates:
            feedback = chunk.get("promptFeedback") or {}
            if feedback.get("blockReason"):
                self.error = blocked(feedback["blockReason"], feedback.get("blockReasonMessage"))
            return []
        candidate = candidates[0] if isinstance(candidates[0], dict) else {}
        out = []
        for part in (candidate.get("content") or {}).get("parts") or []:
            text = part_text(part) if isinstance(part, dict) else ""
            if text:
                out.append(Delta(text, bool(part.get("thought"))))
        reason = candidate.get("finishReason")
        if reason:
            self.ended = True
            if reason != "STOP":
                self.finish = finish_note(reason, candidate.get("finishMessage"))
        return out

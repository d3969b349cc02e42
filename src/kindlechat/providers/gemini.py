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
import re
from urllib.parse import urlencode

from . import model_pages, resume_turns, sse
from ..errors import blocked, finish_note, from_error_body, not_event_stream, unreadable
from .base import json_object
from .gemini_grounding import Collector
from .gemini_text_only import text_only
from .stream import Delta

CONTENT_TYPE = "text/event-stream"
MAX_BARE_JSON = 65536


# A message that links to a web page: Gemini's url_context tool reads it.
URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.I)
LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")


def request(history, settings, base_url, api_key, options=None):
    """(url, headers, body bytes) of the request for a reply to history; options:
    {"search": bool (Google Search grounding), "thinking": bool or None (the model
    list's word on whether the model thinks; None: not known)}."""
    headers = {"x-goog-api-key": api_key, "Content-Type": "application/json", "Accept": CONTENT_TYPE}
    body = json.dumps(build_body(history, settings, options), ensure_ascii=False).encode("utf-8")
    return stream_url(base_url, settings["model"]), headers, body


def stream_url(base_url, model):
    """The endpoint; a path prefix in base_url is kept (relays).

        >>> stream_url("http://127.0.0.1:9/relay/", "gemini-2.5-flash")
        'http://127.0.0.1:9/relay/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
    """
    return "%s/v1beta/models/%s:streamGenerateContent?alt=sse" % (base_url.rstrip("/"), model)


def build_body(history, settings, options=None):
    """The JSON body: history is [(role, text)], roles "user" and "model". A cut
    reply (options["partial"]) is continued by instruction (resume_turns.py): a
    trailing model turn is no documented prefill in generateContent."""
    options = options or {}
    turns = resume_turns.instruct(history, options["partial"]) if "partial" in options else history
    body = {"contents": [{"role": role, "parts": [{"text": text}]} for role, text in turns]}
    if settings.get("system_instruction"):
        body["systemInstruction"] = {"parts": [{"text": settings["system_instruction"]}]}
    tools = build_tools(history, settings, options.get("search"))
    if tools:
        body["tools"] = tools
    config = {}
    if settings.get("temperature") is not None:
        config["temperature"] = settings["temperature"]
    if settings.get("max_output_tokens") is not None:
        config["maxOutputTokens"] = settings["max_output_tokens"]
    thinking = thinking_config(settings, options.get("thinking"), options.get("refused"))
    if thinking:
        config["thinkingConfig"] = thinking
    if config:
        body["generationConfig"] = config
    return body


def build_tools(history, settings, search=None):
    """Google Search when the message asks for it (its default: the google_search
    setting), and URL context when the last message links to a page (unless the
    url_context setting is off). Both may go in one request.

        >>> build_tools([("user", "Read https://example.org please")], {"url_context": True}, search=True)
        [{'google_search': {}}, {'url_context': {}}]
    """
    tools = []
    if settings.get("google_search") if search is None else search:
        tools.append({"google_search": {}})
    last = history[-1][1] if history and history[-1][0] == "user" else ""
    if settings.get("url_context", True) and URL.search(last):
        tools.append({"url_context": {}})
    return tools


def thinking_kind(model, thinking=None, level_set=False):
    """Which thinking knob a model takes: "level" (Gemini 3 and later, by name),
    "budget" (2.5 and any other model that may think), or None (the model list
    says it does not think). Never both: Gemini answers that with a 400. A name with
    no version (an alias: gemini-flash-latest) takes the knob the reader set.

        >>> thinking_kind("gemini-3-flash-preview"), thinking_kind("gemini-2.5-pro"), thinking_kind("x", False)
        ('level', 'budget', None)
        >>> thinking_kind("gemini-flash-latest", True, level_set=True)
        'level'
    """
    if thinking is False:
        return None
    match = re.match(r"(?:models/)?gemini-(\d+)", model or "", re.I)
    if match is None and level_set:
        return "level"
    return "level" if match and int(match.group(1)) >= 3 else "budget"


def thinking_config(settings, thinking=None, refused=()):
    """generationConfig.thinkingConfig for the model in settings, or {}. A level the
    model refused once (refused: notes.py) is never sent again: the model's default.

        >>> thinking_config({"model": "gemini-3.8-flash", "thinking_level": "MINIMAL"}, True, {"MINIMAL"})
        {}
    """
    level = settings.get("thinking_level") if settings.get("thinking_level") not in (refused or ()) else ""
    kind, config = thinking_kind(settings.get("model", ""), thinking, bool(level)), {}
    if kind == "level" and level:
        config["thinkingLevel"] = level
    if kind == "budget" and settings.get("thinking_budget") is not None:
        config["thinkingBudget"] = settings["thinking_budget"]
    if settings.get("show_thoughts") and kind is not None:
        config["includeThoughts"] = True
    return config


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
    how the reply ended. end() at the body's end returns the last Deltas.
    sources, queries and urls (gemini_grounding.py) are known as soon as a chunk
    names them, and None until then."""

    content_type = CONTENT_TYPE

    def __init__(self, who="Gemini"):
        self.who = who   # what messages call the service: the profile's name
        self.error = self.finish = self._usage = None
        self._usage_data = None   # the newest event with usage that text_only() read: parsed when asked
        self.ended = False
        self.damaged = 0
        self.sources = self.queries = self.urls = None
        self.extras_version = 0   # counts changes of the three: stream.ReplyStream checks it per Delta
        self._grounding = Collector()
        self._events = sse.EventDecoder()
        self._bare = []   # a bare JSON block (an error after the 200, no "data:" prefix)

    def http_error(self, status, text, headers=None):
        """The error of an answer that is not 200, from its body (Gemini says when
        to retry in the body's RetryInfo, so the headers are not read)."""
        return from_error_body(status, text, self.who)

    def not_a_stream(self, status, text):
        """The error of a 200 that is not an event stream (a Wi-Fi login page)."""
        return not_event_stream(status, text, self.who)

    def feed(self, line):
        if self._bare or line.startswith("{"):
            self._bare.append(line)
            self._bare_done()
            return []
        event = self._events.decode(line)
        if event is None or not event.data:
            return []
        # Only a whole event (its blank line came) may take the short way: a body's
        # torn last line could begin like a text-only event (end() reads it in full).
        found = text_only(event.data)
        if found is None:
            return self._event(event.data)
        if found[1]:
            self._usage_data = event.data
        return [Delta(found[0], False)] if found[0] else []

    @property
    def usage(self):
        """Gemini's usageMetadata, cumulative: the last event's that had one counts."""
        if self._usage_data is not None:
            chunk = json_object(self._usage_data)
            self._usage_data = None
            if chunk is not None and chunk.get("usageMetadata"):
                self._usage = chunk["usageMetadata"]
        return self._usage

    def end(self):
        """At the body's end. A last event whose blank line never came: its data
        lines arrived whole, and a chunk that parses as JSON is whole (a torn one
        is counted as damaged)."""
        if self._bare and self.error is None:
            self.error = unreadable(self.who)
        event = self._events.flush() if self.error is None else None
        return self._event(event.data) if event is not None and event.data else []

    def _bare_done(self):
        text = "\n".join(self._bare)
        if len(text) > MAX_BARE_JSON:
            self.error = unreadable(self.who)
            return
        try:
            doc = json.loads(text)
        except ValueError:
            return
        self.error = from_error_body(None, text, self.who) if isinstance(doc, dict) and "error" in doc \
            else unreadable(self.who)

    def _event(self, data):
        chunk = json_object(data)
        if chunk is None:
            self.damaged += 1
            return []
        if "error" in chunk:
            self.error = from_error_body(None, data, self.who)
            return []
        if chunk.get("usageMetadata"):
            self._usage, self._usage_data = chunk["usageMetadata"], None   # cumulative: the last one counts
        candidates = chunk.get("candidates") or []
        if not candidates:
            feedback = chunk.get("promptFeedback") or {}
            if feedback.get("blockReason"):
                self.error = blocked(feedback["blockReason"], feedback.get("blockReasonMessage"), self.who)
            return []
        candidate = candidates[0] if isinstance(candidates[0], dict) else {}
        if ("groundingMetadata" in candidate or "urlContextMetadata" in candidate) \
                and self._grounding.candidate(candidate):
            grounding = self._grounding
            self.sources, self.queries, self.urls = grounding.sources, grounding.queries, grounding.urls
            self.extras_version += 1
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


# -- the model list: GET {base}/v1beta/models, every page (model_pages.py) ------

def models_url(base_url, page_token=None):
    """
        >>> models_url("https://g.example/relay/", "a b")
        'https://g.example/relay/v1beta/models?pageSize=1000&pageToken=a+b'
    """
    query = {"pageSize": 1000}
    if page_token:
        query["pageToken"] = page_token
    return "%s/v1beta/models?%s" % (base_url.rstrip("/"), urlencode(query))


def model_entry(model):
    """A listed model that can write a chat reply, or None (embeddings, image-only ...).

        >>> model_entry({"name": "models/gemini-flash-latest", "displayName": "Gemini Flash Latest",
        ...              "supportedGenerationMethods": ["generateContent"], "thinking": True})
        {'name': 'gemini-flash-latest', 'display_name': 'Gemini Flash Latest', 'thinking': True}
        >>> model_entry({"name": "models/text-embedding-004", "supportedGenerationMethods": ["embedContent"]})
    """
    methods = model.get("supportedGenerationMethods")
    if not isinstance(model.get("name"), str) or not isinstance(methods, list) or "generateContent" not in methods:
        return None
    name = model["name"][len("models/"):] if model["name"].startswith("models/") else model["name"]
    thinking = model.get("thinking") if isinstance(model.get("thinking"), bool) else None
    return model_pages.entry(name, model.get("displayName"), thinking)


def list_models(transport, base_url, api_key, timeouts, who="Gemini"):
    """(models, None) or (None, error): every page, nextPageToken followed."""
    return model_pages.fetch(
        transport, lambda token: models_url(base_url, token),
        {"x-goog-api-key": api_key, "Accept": "application/json"}, timeouts,
        lambda doc: map(model_entry, model_pages.dicts(doc.get("models"))), who,
        lambda status, text: not_event_stream(status, text, who),
        lambda status, text: from_error_body(status, text, who), lambda doc: doc.get("nextPageToken"))

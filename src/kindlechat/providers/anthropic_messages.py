"""Anthropic's Messages API wire format: the request for POST {base}/v1/messages
with stream: true, and a decoder of its event stream. Knows no network.

    >>> url, headers, body = request([("user", "Hi")], {"model": "claude-sonnet-4-0"},
    ...                              "https://api.anthropic.com", "sk-ant-test")
    >>> url, headers["x-api-key"], headers["anthropic-version"], json.loads(body)["max_tokens"]
    ('https://api.anthropic.com/v1/messages', 'sk-ant-test', '2023-06-01', 4096)
    >>> decoder = Decoder()
    >>> decoder.feed("event: content_block_delta")
    []
    >>> decoder.feed('data: {"type": "content_block_delta", "index": 0, '
    ...              '"delta": {"type": "text_delta", "text": "Hi"}   }') + decoder.feed("")
    [Delta(text='Hi', thought=False)]

Sharp edges, stated plainly: max_tokens is required (a request without it is a
400); the system prompt is a top-level field, not a message; extended thinking
needs budget_tokens below max_tokens and refuses a temperature other than 1;
the usage in message_delta is cumulative; an error (overloaded_error) may come as
an event after the 200; new event and block types appear over time and are
skipped; the key travels only in x-api-key, with anthropic-version beside it.
"""
import json
from urllib.parse import urlencode

from . import model_pages, resume_turns, sse
from .base import BaseDecoder, usage
from ..errors import provider_finish, provider_mid_stream
from .stream import Delta

CONTENT_TYPE = "text/event-stream"
VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
MIN_THINKING_BUDGET = 1024   # Anthropic's floor for budget_tokens
ROLES = {"user": "user", "model": "assistant"}
# stop_reason values that say the reply is not all there; end_turn,
# stop_sequence, tool_use and pause_turn are a normal end for a chat with no tools.
FINISHES = {"max_tokens": "MAX_TOKENS", "model_context_window_exceeded": "CONTEXT", "refusal": "REFUSAL"}


def request(history, settings, base_url, api_key, options=None):
    """(url, headers, body bytes) of the request for a reply to history, roles
    "user" and "model"; options: {"thinking": bool or None (whether the model
    thinks: only then is a thinking budget sent)}."""
    headers = {"x-api-key": api_key, "anthropic-version": VERSION,
               "Content-Type": "application/json", "Accept": CONTENT_TYPE}
    body = json.dumps(build_body(history, settings, options), ensure_ascii=False).encode("utf-8")
    return base_url.rstrip("/") + "/v1/messages", headers, body


def build_body(history, settings, options=None):
    """The JSON body. Empty turns are left out: Anthropic refuses an empty text
    (a reply that failed before its first word is stored as "").

        >>> body = build_body([("user", "Hi"), ("model", ""), ("user", "Again")],
        ...     {"model": "m", "system_instruction": "Be brief.", "thinking_budget": 2000,
        ...      "show_thoughts": True, "temperature": 0.3}, {"thinking": True})
        >>> body["system"], len(body["messages"]), body["thinking"], body["max_tokens"], "temperature" in body
        ('Be brief.', 2, {'type': 'enabled', 'budget_tokens': 2000}, 4096, False)
    """
    options = options or {}
    max_tokens = settings.get("max_output_tokens") or DEFAULT_MAX_TOKENS
    thinking = _thinking(settings, options, max_tokens)
    if "partial" in options:   # prefill, which extended thinking refuses (resume_turns.py)
        history = (resume_turns.instruct if thinking else resume_turns.prefill)(history, options["partial"])
    messages = [{"role": ROLES.get(role, role), "content": text} for role, text in history if text]
    body = {"model": settings["model"], "max_tokens": max_tokens, "messages": messages, "stream": True}
    if settings.get("system_instruction"):
        body["system"] = settings["system_instruction"]
    if thinking:
        body["thinking"] = thinking
    elif settings.get("temperature") is not None:
        body["temperature"] = settings["temperature"]
    return body


def _thinking(settings, options, max_tokens):
    """{"type": "enabled", "budget_tokens": n} when the model thinks and a budget
    fits under max_tokens (Anthropic refuses one that does not), or None."""
    budget = settings.get("thinking_budget")
    if not options.get("thinking") or not budget or budget < MIN_THINKING_BUDGET or budget >= max_tokens:
        return None
    return {"type": "enabled", "budget_tokens": budget}


class Decoder(BaseDecoder):
    """The event stream, one line at a time (sse.LineDecoder's lines): feed()
    returns the Deltas the line completes; afterwards error, finish, usage
    (usageMetadata's names), ended (message_stop, or a message_delta with its
    stop_reason) and damaged (data lines that were not JSON). end() at the body's end."""

    content_type = CONTENT_TYPE
    who = "Anthropic"

    def __init__(self, who=None):
        BaseDecoder.__init__(self, who)
        self._events = sse.EventDecoder()
        self._counts = {}   # message_start's usage, updated by each message_delta

    def feed(self, line):
        event = self._events.decode(line)
        return self._event(event) if event is not None and event.data else []

    def end(self):
        """At the body's end: a last event whose blank line never came still counts
        if its JSON is whole (a torn one is counted as damaged)."""
        event = self._events.flush()
        return self._event(event) if event is not None and event.data else []

    def _event(self, event):
        data = self.chunk_of(event.data)   # whitespace inside and after the JSON is fine here
        if data is None:
            return []
        kind = data.get("type") or event.event
        handler = getattr(self, "_on_" + str(kind), None) if kind in HANDLED else None
        return (handler(data) or []) if handler else []

    def _on_message_start(self, data):
        message = data.get("message") if isinstance(data.get("message"), dict) else {}
        self._usage(message.get("usage"))

    def _on_content_block_start(self, data):
        block = data.get("content_block") if isinstance(data.get("content_block"), dict) else {}
        return _deltas(block)

    def _on_content_block_delta(self, data):
        delta = data.get("delta") if isinstance(data.get("delta"), dict) else {}
        return _deltas(delta)

    def _on_message_delta(self, data):
        self._usage(data.get("usage"))
        delta = data.get("delta") if isinstance(data.get("delta"), dict) else {}
        reason = delta.get("stop_reason")
        if reason:
            self.ended = True
            if reason in FINISHES:
                details = delta.get("stop_details") if isinstance(delta.get("stop_details"), dict) else {}
                self.finish = provider_finish(self.who, FINISHES[reason], details.get("explanation"))

    def _on_message_stop(self, data):
        self.ended = True

    def _on_error(self, data):
        self.error = provider_mid_stream(self.who, data.get("error") or {})

    def _usage(self, raw):
        if isinstance(raw, dict):
            self._counts.update({k: v for k, v in raw.items() if isinstance(v, int)})
            counts = self._counts
            self.usage = usage(counts.get("input_tokens"), counts.get("output_tokens"))


HANDLED = frozenset(("message_start", "content_block_start", "content_block_delta",
                     "message_delta", "message_stop", "error"))


def _deltas(part):
    """The text or thought a block (at its start) or a delta adds; the others
    (signature_delta, input_json_delta, tool_use, and types to come) add none."""
    kind = part.get("type")
    if kind in ("text", "text_delta") and part.get("text"):
        return [Delta(part["text"], False)]
    if kind in ("thinking", "thinking_delta") and part.get("thinking"):
        return [Delta(part["thinking"], True)]
    return []


# -- the model list: GET {base}/v1/models, every page (model_pages.py) ----------

def list_models(transport, base_url, api_key, timeouts, who="Anthropic"):
    """(models, None) or (None, error): after_id followed while has_more.

        >>> model_entries({"data": [{"id": "claude-x", "display_name": "Claude X"}]})[0]["display_name"]
        'Claude X'
    """
    headers = {"x-api-key": api_key, "anthropic-version": VERSION, "Accept": "application/json"}

    def url(after):
        query = dict({"limit": 1000}, **({"after_id": after} if after else {}))
        return "%s/v1/models?%s" % (base_url.rstrip("/"), urlencode(query))
    return model_pages.fetch(transport, url, headers, timeouts, model_entries, who, *model_pages.provider_words(who),
                             next_page=lambda doc: doc.get("last_id") if doc.get("has_more") else None)


def model_entries(doc):
    return [model_pages.entry(m.get("id"), m.get("display_name")) for m in model_pages.dicts(doc.get("data"))]

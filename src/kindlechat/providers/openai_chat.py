"""The OpenAI-compatible Chat Completions wire format (OpenAI, OpenRouter,
DeepSeek, Groq, Mistral, llama.cpp, LM Studio, Ollama's /v1): the request for
POST {base}/chat/completions with stream: true, and a decoder of its event
stream. Knows no network (transport.py reads, stream.ReplyStream joins).

    >>> url, headers, body = request([("user", "Hi")], {"model": "gpt-4.1-nano"},
    ...                              "https://api.openai.com/v1/", "sk-test")
    >>> url, headers["Authorization"]
    ('https://api.openai.com/v1/chat/completions', 'Bearer sk-test')
    >>> decoder = Decoder("OpenAI")
    >>> decoder.feed('data: {"choices": [{"delta": {"reasoning_content": "Hm."}}]}') + decoder.feed("")
    [Delta(text='Hm.', thought=True)]
    >>> decoder.feed('data: {"choices": [{"delta": {"content": "Hi"}, "finish_reason": "length"}]}')
    []
    >>> decoder.feed(""), decoder.ended, decoder.finish["reason"]
    ([Delta(text='Hi', thought=False)], True, 'MAX_TOKENS')

Sharp edges, stated plainly: reasoning comes as delta.reasoning_content
(DeepSeek, llama.cpp) or delta.reasoning (OpenRouter, Ollama), both shown as
thoughts; the usage arrives last in a chunk with "choices": [] (asked for with
stream_options.include_usage); OpenRouter keeps the connection warm with
": OPENROUTER PROCESSING" comment lines and reports a failure after the 200 as an
"error" key on a chunk whose finish_reason is null; the key travels only as
Authorization: Bearer, and only when there is one (llama.cpp and LM Studio on a
LAN take none).
"""
import json

from . import model_pages, resume_turns, sse
from .base import BaseDecoder, usage
from ..errors import provider_finish, provider_mid_stream
from .stream import Delta

CONTENT_TYPE = "text/event-stream"
ROLES = {"user": "user", "model": "assistant"}
# finish_reason values that say the reply is not all there; "stop", "tool_calls"
# and "function_call" are a normal end.
FINISHES = {"length": "MAX_TOKENS", "content_filter": "BLOCKED"}


def request(history, settings, base_url, api_key, options=None):
    """(url, headers, body bytes) of the request for a reply to history, roles
    "user" and "model"; options: {"thinking": bool or None (whether the model
    reasons: only then is reasoning_effort sent, others refuse it),
    "max_tokens_field": "max_tokens" (default) or "max_completion_tokens" (what
    OpenAI's reasoning models demand)}."""
    headers = {"Content-Type": "application/json", "Accept": CONTENT_TYPE}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    body = json.dumps(build_body(history, settings, options), ensure_ascii=False).encode("utf-8")
    return base_url.rstrip("/") + "/chat/completions", headers, body


def build_body(history, settings, options=None):
    """The JSON body.

        >>> build_body([("user", "Hi"), ("model", "Hello"), ("user", "More")],
        ...            {"model": "m", "system_instruction": "Be brief.", "max_output_tokens": 50})["messages"][:2]
        [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'}]
    """
    options = options or {}
    if "partial" in options:   # no prefill in Chat Completions: by instruction (resume_turns.py)
        history = resume_turns.instruct(history, options["partial"])
    messages = [{"role": ROLES.get(role, role), "content": text} for role, text in history]
    if settings.get("system_instruction"):
        messages.insert(0, {"role": "system", "content": settings["system_instruction"]})
    body = {"model": settings["model"], "messages": messages, "stream": True,
            "stream_options": {"include_usage": True}}
    if settings.get("temperature") is not None:
        body["temperature"] = settings["temperature"]
    if settings.get("max_output_tokens") is not None:
        body[options.get("max_tokens_field") or "max_tokens"] = settings["max_output_tokens"]
    if options.get("thinking") and settings.get("thinking_level"):
        body["reasoning_effort"] = str(settings["thinking_level"]).lower()
    return body


class Decoder(BaseDecoder):
    """The event stream, one line at a time (sse.LineDecoder's lines): feed()
    returns the Deltas the line completes; afterwards error, finish, usage
    (usageMetadata's names), ended (a finish_reason or [DONE] came) and damaged
    (data lines that were not JSON). end() at the body's end."""

    content_type = CONTENT_TYPE

    def __init__(self, who=None):
        BaseDecoder.__init__(self, who)
        self._events = sse.EventDecoder()   # comment lines (": OPENROUTER PROCESSING") are skipped there

    def feed(self, line):
        event = self._events.decode(line)
        return self._event(event.data) if event is not None and event.data else []

    def end(self):
        """At the body's end: a last event whose blank line never came still counts
        if its JSON is whole (a torn one is counted as damaged)."""
        event = self._events.flush()
        return self._event(event.data) if event is not None and event.data else []

    def _event(self, data):
        if data.strip() == "[DONE]":
            self.ended = True
            return []
        chunk = self.chunk_of(data)
        if chunk is None or self.failed(chunk):
            return []
        if isinstance(chunk.get("usage"), dict):
            self.usage = _usage(chunk["usage"])
        choices = chunk.get("choices") or []
        choice = choices[0] if choices and isinstance(choices[0], dict) else {}
        out = _deltas(choice.get("delta"))
        self._finished(choice.get("finish_reason"))
        return out

    def _finished(self, reason):
        if not reason:
            return
        self.ended = True
        if reason == "error":   # OpenRouter: the upstream provider failed, no error object
            self.error = provider_mid_stream(self.who, {"message": "the provider stopped with an error"})
        elif reason in FINISHES:
            self.finish = provider_finish(self.who, FINISHES[reason])


def _deltas(delta):
    """The thought and the text a chunk's delta adds, in that order."""
    if not isinstance(delta, dict):
        return []
    out = []
    thought = delta.get("reasoning_content") or delta.get("reasoning")
    if isinstance(thought, str) and thought:
        out.append(Delta(thought, True))
    text = delta.get("content")
    if isinstance(text, str) and text:
        out.append(Delta(text, False))
    return out


def _usage(raw):
    """OpenAI's usage object in usageMetadata's names."""
    details = raw.get("completion_tokens_details")
    thoughts = details.get("reasoning_tokens") if isinstance(details, dict) else None
    return usage(raw.get("prompt_tokens"), raw.get("completion_tokens"), raw.get("total_tokens"), thoughts)


# -- the model list: GET {base}/models (model_pages.py) -------------------------

def list_models(transport, base_url, api_key, timeouts, who="The service"):
    """(models, None) or (None, error).

        >>> [m["name"] for m in model_entries({"object": "list", "data": [{"id": "gpt-4.1-nano"}]})]
        ['gpt-4.1-nano']
    """
    return model_pages.fetch(transport, lambda _: base_url.rstrip("/") + "/models", bearer(api_key), timeouts,
                             model_entries, who, *model_pages.provider_words(who))


def model_entries(doc):
    return [model_pages.entry(m.get("id")) for m in model_pages.dicts(doc.get("data"))]


def bearer(api_key):
    """OpenAI-compatible services and Ollama (behind a proxy) take the key as a bearer
    token; on the reader's own network there may be none."""
    headers = {"Accept": "application/json"}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    return headers

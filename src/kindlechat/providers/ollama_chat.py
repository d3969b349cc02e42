"""Ollama's own chat API: the request for POST {base}/api/chat, and a decoder of
its answer, which is NDJSON (one JSON object a line), not an event stream.
Knows no network. (Ollama's /v1 endpoint speaks openai_chat's format instead.)

    >>> url, headers, body = request([("user", "Hi")], {"model": "qwen3", "temperature": 0.2},
    ...                              "http://192.168.1.20:11434", "")
    >>> url, "Authorization" in headers, json.loads(body)["options"]
    ('http://192.168.1.20:11434/api/chat', False, {'temperature': 0.2})
    >>> decoder = Decoder()
    >>> decoder.feed('{"message": {"role": "assistant", "content": "", "thinking": "Hm."}, "done": false}')
    [Delta(text='Hm.', thought=True)]
    >>> decoder.feed('{"message": {"content": "4"}, "done": true, "done_reason": "stop", '
    ...              '"prompt_eval_count": 26, "eval_count": 2}'), decoder.ended, decoder.usage["totalTokenCount"]
    ([Delta(text='4', thought=False)], True, 28)

Sharp edges, stated plainly: each line is a whole JSON object (sse.LineDecoder
still splits the bytes, so a line torn across reads is joined first); the last
object has "done": true and the counts; an error after the 200 is a line
{"error": "..."} (docs/api/errors.mdx); on a LAN Ollama takes no key, and one is
sent (Authorization: Bearer) only when set, for ollama.com or a proxy in front.
"""
import json

from . import model_pages, resume_turns
from .openai_chat import bearer
from .base import BaseDecoder, usage
from ..errors import provider_finish
from .stream import Delta

CONTENT_TYPE = "application/x-ndjson"
ROLES = {"user": "user", "model": "assistant"}
FINISHES = {"length": "MAX_TOKENS"}   # "stop" is a normal end; "load"/"unload" never end a chat


def request(history, settings, base_url, api_key, options=None):
    """(url, headers, body bytes) of the request for a reply to history, roles
    "user" and "model"; options: {"thinking": bool or None (whether the model
    thinks: only then is "think" sent; others answer it with a 400)}."""
    headers = {"Content-Type": "application/json", "Accept": CONTENT_TYPE}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    body = json.dumps(build_body(history, settings, options), ensure_ascii=False).encode("utf-8")
    return base_url.rstrip("/") + "/api/chat", headers, body


def build_body(history, settings, options=None):
    """The JSON body; the model's settings go in "options" (Modelfile names).

        >>> build_body([("user", "Hi")], {"model": "qwen3", "max_output_tokens": 64,
        ...            "thinking_level": "HIGH"}, {"thinking": True})
        {'model': 'qwen3', 'messages': [{'role': 'user', 'content': 'Hi'}], 'stream': True, 'options': {'num_predict': 64}, 'think': 'high'}
    """
    options = options or {}
    if "partial" in options:   # /api/chat extends a last assistant message (resume_turns.py)
        history = resume_turns.prefill(history, options["partial"])
    messages = [{"role": ROLES.get(role, role), "content": text} for role, text in history]
    if settings.get("system_instruction"):
        messages.insert(0, {"role": "system", "content": settings["system_instruction"]})
    body = {"model": settings["model"], "messages": messages, "stream": True}
    model_options = {}
    if settings.get("temperature") is not None:
        model_options["temperature"] = settings["temperature"]
    if settings.get("max_output_tokens") is not None:
        model_options["num_predict"] = settings["max_output_tokens"]
    if model_options:
        body["options"] = model_options
    if options.get("thinking"):
        level = str(settings.get("thinking_level") or "").lower()
        body["think"] = level if level in ("low", "medium", "high") else True
    return body


class Decoder(BaseDecoder):
    """NDJSON, one line at a time (sse.LineDecoder's lines): feed() returns the
    Deltas the line adds; afterwards error, finish, usage (usageMetadata's names),
    ended ("done": true came) and damaged (lines that were not JSON)."""

    content_type = CONTENT_TYPE
    who = "Ollama"

    def feed(self, line):
        if not line.strip():
            return []
        chunk = self.chunk_of(line)
        if chunk is None or self.failed(chunk):
            return []
        out = _deltas(chunk.get("message"))
        if chunk.get("done"):
            self._done(chunk)
        return out

    def end(self):
        """At the body's end: every line came whole through feed(), nothing is left."""
        return []

    def _done(self, chunk):
        self.ended = True
        self.usage = usage(chunk.get("prompt_eval_count"), chunk.get("eval_count")) or None
        reason = chunk.get("done_reason")
        if reason in FINISHES:
            self.finish = provider_finish(self.who, FINISHES[reason])


def _deltas(message):
    """The thought and the text a line's message adds, in that order."""
    if not isinstance(message, dict):
        return []
    out = []
    if isinstance(message.get("thinking"), str) and message["thinking"]:
        out.append(Delta(message["thinking"], True))
    if isinstance(message.get("content"), str) and message["content"]:
        out.append(Delta(message["content"], False))
    return out


# -- the model list: GET {base}/api/tags (model_pages.py) -----------------------

def list_models(transport, base_url, api_key, timeouts, who="Ollama"):
    """(models, None) or (None, error).

        >>> model_entries({"models": [{"name": "qwen3:0.6b", "model": "qwen3:0.6b"}]})[0]["name"]
        'qwen3:0.6b'
    """
    return model_pages.fetch(transport, lambda _: base_url.rstrip("/") + "/api/tags", bearer(api_key), timeouts,
                             model_entries, who, *model_pages.provider_words(who))


def model_entries(doc):
    return [model_pages.entry(m.get("model") or m.get("name"), m.get("name"))
            for m in model_pages.dicts(doc.get("models"))]

"""The demo emulator's other wire formats (emulator.py speaks Gemini's): the
OpenAI-compatible event stream, Anthropic's named events and Ollama's NDJSON,
laid out as the captures in tests/fixtures/{openai,anthropic,ollama} are, with
the same trigger words as Gemini's (demo:thoughts, demo:429, demo:midstream, ...).

    >>> kind_of("POST", "/chat/completions", {}), kind_of("GET", "/api/tags", {})
    ('openai', 'ollama')
    >>> frames = list(stream("ollama", ["Hi ", "there."], "", "qwen3:demo"))
    >>> json.loads(frames[-1][0])["done"], json.loads(frames[-1][0])["eval_count"]
    (True, 2)
    >>> error_for("openai", "demo:429")[:2]
    (429, {'Retry-After': '26'})

stream() yields (bytes to send, tokens they stand for) and, for the triggers that
break a stream, the words "drop" or "stall" for emulator.py to act on.
"""
import json
import re
import time

CONTENT_TYPES = {"openai": "text/event-stream", "anthropic": "text/event-stream",
                 "ollama": "application/x-ndjson"}
_POSTS = ((re.compile(r"/v1/messages$"), "anthropic"), (re.compile(r"/chat/completions$"), "openai"),
          (re.compile(r"/api/chat$"), "ollama"))
_GETS = ((re.compile(r"/api/tags$"), "ollama"), (re.compile(r"(?<!/v1beta)/models$"), "openai"))   # not Gemini's
PROMPT_TOKENS = 12
THOUGHT = "**Thinking about the question.** The user wants a demo answer."
MODELS = {"openai": ["demo/reasoning-small", "demo/chat-large"], "anthropic": ["claude-demo-4"],
          "ollama": ["qwen3:demo", "llama3.2:demo"]}


def kind_of(method, path, headers):
    """The wire format a request is in, by its path (anthropic-version tells
    Anthropic's /v1/models from an OpenAI base ending in /v1), or None: Gemini."""
    if method == "GET" and path.endswith("/v1/models") and headers.get("anthropic-version"):
        return "anthropic"
    for pattern, kind in _POSTS if method == "POST" else _GETS:
        if pattern.search(path):
            return kind
    return None


def refusal(kind, headers):
    """(status, body) when the request lacks its kind's key header, else None
    (Ollama on a LAN takes none)."""
    if kind == "openai" and not (headers.get("Authorization") or "").startswith("Bearer "):
        return 401, _openai_error("You didn't provide an API key.", "invalid_request_error", None)
    if kind == "anthropic" and not (headers.get("x-api-key") and headers.get("anthropic-version")):
        return 401, _anthropic_error("authentication_error", "x-api-key header is required")
    return None


def question(kind, request):
    """The last message's text; KeyError, TypeError or IndexError if malformed."""
    content = request["messages"][-1]["content"]
    if isinstance(content, list):   # Anthropic's content blocks
        content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
    if not isinstance(content, str):
        raise TypeError("content")
    return content


def models_doc(kind):
    names = MODELS[kind]
    if kind == "ollama":
        return {"models": [{"name": n, "model": n, "size": 522653767, "details": {"family": "demo"}} for n in names]}
    if kind == "anthropic":
        return {"data": [{"type": "model", "id": n, "display_name": "Claude (demo)"} for n in names],
                "has_more": False, "first_id": names[0], "last_id": names[-1]}
    return {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "demo"} for n in names]}


def _openai_error(message, kind, code):
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _anthropic_error(kind, message):
    return {"type": "error", "error": {"type": kind, "message": message}}


# trigger: {kind: (status, body)}; Ollama's errors are {"error": text}.
_ERRORS = {
    "demo:429": {"openai": (429, _openai_error("Rate limit reached for requests", "requests", "rate_limit_exceeded")),
                 "anthropic": (429, _anthropic_error("rate_limit_error", "Number of requests has exceeded your "
                                                     "per-minute rate limit")),
                 "ollama": (429, {"error": "too many requests"})},
    "demo:badkey": {"openai": (401, _openai_error("Incorrect API key provided.", "invalid_request_error",
                                                  "invalid_api_key")),
                    "anthropic": (401, _anthropic_error("authentication_error", "invalid x-api-key")),
                    "ollama": (401, {"error": "unauthorized"})},
    "demo:404": {"openai": (404, _openai_error("The model `unknown` does not exist", "invalid_request_error",
                                               "model_not_found")),
                 "anthropic": (404, _anthropic_error("not_found_error", "model: unknown")),
                 "ollama": (404, {"error": "model 'unknown' not found"})},
    "demo:503": {"openai": (503, _openai_error("The server is overloaded.", "server_error", None)),
                 "anthropic": (529, _anthropic_error("overloaded_error", "Overloaded")),
                 "ollama": (503, {"error": "server busy, please try again. maximum pending requests exceeded"})},
    "demo:daily": {"openai": (402, {"error": {"code": 402, "message": "Insufficient credits. Add more using "
                                              "https://openrouter.ai/settings/credits"}}),
                   "anthropic": (400, _anthropic_error("invalid_request_error", "Your credit balance is too low "
                                                       "to access the Anthropic API.")),
                   "ollama": (429, {"error": "you have reached your weekly usage limit"})},
}


def unknown_model(kind, model):
    """The body of each service's 404 for a model it does not have (as demo:404's)."""
    body = {"openai": _openai_error("The model `%s` does not exist" % model, "invalid_request_error",
                                    "model_not_found"),
            "anthropic": _anthropic_error("not_found_error", "model: %s" % model),
            "ollama": {"error": "model '%s' not found" % model}}[kind]
    return json.dumps(body, indent=2).encode("utf-8") + b"\n"


def error_for(kind, trigger):
    """(status, headers, body bytes) of the HTTP error a trigger asks for, or None."""
    found = _ERRORS.get(trigger, {}).get(kind)
    if found is None:
        return None
    headers = {"Retry-After": "26"} if found[0] == 429 else {}
    return found[0], headers, json.dumps(found[1], indent=2).encode("utf-8") + b"\n"


def stream(kind, pieces, trigger, model):
    """The reply's frames in the kind's wire format: a thought first for
    demo:thoughts, the pieces, then the end, the usage, or the trigger's break."""
    frames = {"openai": _OpenAI, "anthropic": _Anthropic, "ollama": _Ollama}[kind](model)
    yield from frames.start()
    if trigger == "demo:thoughts":
        yield frames.thought(THOUGHT), 12
    if trigger == "demo:blocked":
        yield from frames.end(0, "blocked")
        return
    sent = 0
    for n, piece in enumerate(pieces):
        if trigger in ("demo:drop", "demo:stall", "demo:midstream", "demo:maxtokens") and n == 3:
            if trigger in ("demo:drop", "demo:stall"):
                yield trigger[5:], 0
            elif trigger == "demo:midstream":
                yield frames.error(), 0
            else:
                yield from frames.end(sent, "length")
            return
        sent += len(piece.split()) or 1
        yield frames.text(piece), len(piece.split()) or 1
    yield from frames.end(sent, "stop")


class _OpenAI:
    """Chat Completions chunks, as OpenRouter sends them (its comment line included)."""

    def __init__(self, model):
        self.base = {"id": "gen-demo", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

    def _data(self, doc):
        return b"data: " + json.dumps(dict(self.base, **doc), ensure_ascii=False).encode("utf-8") + b"\n\n"

    def _delta(self, delta, finish=None):
        return self._data({"choices": [{"index": 0, "delta": dict(delta, role="assistant"), "finish_reason": finish}]})

    def start(self):
        yield b": OPENROUTER PROCESSING\n\n", 0

    def thought(self, text):
        return self._delta({"content": "", "reasoning": text})

    def text(self, text):
        return self._delta({"content": text})

    def error(self):
        return self._data({"error": {"code": 502, "message": "Provider returned error",
                                     "metadata": {"raw": "upstream overloaded (demo)"}},
                           "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]})

    def end(self, sent, reason):
        yield self._delta({"content": ""}, {"blocked": "content_filter"}.get(reason, reason)), 0
        yield self._data({"choices": [], "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": sent,
                                                   "total_tokens": PROMPT_TOKENS + sent}}), 0
        yield b"data: [DONE]\n\n", 0


class _Anthropic:
    """Messages API events, each named, a ping among them."""

    def __init__(self, model):
        self.model, self.block, self.open = model, -1, None

    @staticmethod
    def _event(name, doc):
        return ("event: %s\ndata: %s\n\n" % (name, json.dumps(dict(doc, type=name), ensure_ascii=False))).encode("utf-8")

    def start(self):
        yield self._event("message_start", {"message": {
            "id": "msg_demo", "type": "message", "role": "assistant", "model": self.model, "content": [],
            "stop_reason": None, "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": 1}}}), 0
        yield self._event("ping", {}), 0

    def _block(self, kind):
        """The events that close the open block and open one of kind, if needed."""
        if self.open == kind:
            return b""
        out = self._event("content_block_stop", {"index": self.block}) if self.open else b""
        self.block, self.open = self.block + 1, kind
        empty = {"type": "thinking", "thinking": "", "signature": ""} if kind == "thinking" else {"type": "text", "text": ""}
        return out + self._event("content_block_start", {"index": self.block, "content_block": empty})

    def thought(self, text):
        return (self._block("thinking") + self._event("content_block_delta", {"index": self.block, "delta": {
            "type": "thinking_delta", "thinking": text}}) + self._event("content_block_delta", {
                "index": self.block, "delta": {"type": "signature_delta", "signature": "ZGVtbw=="}}))

    def text(self, text):
        return self._block("text") + self._event("content_block_delta", {"index": self.block, "delta": {
            "type": "text_delta", "text": text}})

    def error(self):
        return self._event("error", {"error": {"type": "overloaded_error", "message": "Overloaded"}})

    def end(self, sent, reason):
        if self.open:
            yield self._event("content_block_stop", {"index": self.block}), 0
        stop = {"stop": "end_turn", "length": "max_tokens", "blocked": "refusal"}[reason]
        yield self._event("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None},
                                            "usage": {"output_tokens": sent}}), 0
        yield self._event("message_stop", {}), 0


class _Ollama:
    """/api/chat's NDJSON: one object a line, the last with done and the counts."""

    def __init__(self, model):
        self.model = model

    def _line(self, doc):
        return json.dumps(dict({"model": self.model, "created_at": "2025-01-01T00:00:00Z"}, **doc),
                          ensure_ascii=False).encode("utf-8") + b"\n"

    def start(self):
        return iter(())

    def thought(self, text):
        return self._line({"message": {"role": "assistant", "content": "", "thinking": text}, "done": False})

    def text(self, text):
        return self._line({"message": {"role": "assistant", "content": text}, "done": False})

    def error(self):
        return self._line({"error": "an error was encountered while running the model: unexpected EOF (demo)"})

    def end(self, sent, reason):
        if reason == "blocked":   # Ollama has no content filter: a local model just declines
            yield self.text("I can't help with that (demo: blocked)."), 0
            reason = "stop"
        yield self._line({"message": {"role": "assistant", "content": ""}, "done": True, "done_reason": reason,
                          "total_duration": 1000000, "prompt_eval_count": PROMPT_TOKENS, "eval_count": sent}), 0

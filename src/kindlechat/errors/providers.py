"""What the other model services answered, in plain words: OpenAI-compatible
services (OpenAI, OpenRouter, DeepSeek, Groq, Mistral, llama.cpp, LM Studio),
Anthropic and Ollama. Each message names the service (`who`) the reader chose.

    >>> provider_http_error("OpenRouter", 402, '{"error": {"code": 402, "message": "Insufficient credits"}}').code
    'no_credits'
    >>> provider_http_error("Anthropic", 529, '{"type": "error", "error": {"type": "overloaded_error"}}').message
    'Anthropic is overloaded right now (529). Try again in a moment.'
    >>> provider_http_error("OpenAI", 429, "", {"Retry-After": "20"}).message
    "OpenAI's rate limit was reached. Try again in 20 seconds."

The three services' error bodies differ: OpenAI-compatible ones send
{"error": {"message", "type", "code"}}, Anthropic {"type": "error", "error":
{"type", "message"}}, Ollama {"error": "text"}; one reader takes all three.
"""
import json
import math
import re

from .base import GeminiError, _detail
from .upstream import MODEL_GONE, model_unavailable

# Anthropic's error types, as the HTTP status each stands for (docs.anthropic.com,
# "Errors"); the same types arrive in a mid-stream `error` event, with no status.
_ANTHROPIC_TYPES = {
    "invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
    "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
    "rate_limit_error": 429, "api_error": 500, "timeout_error": 504, "overloaded_error": 529}
# OpenAI's quota error is a 429 that waiting does not cure: the account has no credit.
_NO_CREDIT = ("insufficient_quota", "billing_not_active", "billing_error")


def _error_of(text):
    """(message, type) from any of the three services' error bodies."""
    try:
        doc = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return "", ""
    error = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(error, str):
        return error, ""
    if not isinstance(error, dict):
        return "", ""
    kind = error.get("type") or error.get("code")
    message = error.get("message") or ""
    raw = (error.get("metadata") or {}).get("raw") if isinstance(error.get("metadata"), dict) else None
    if raw and isinstance(raw, str):   # OpenRouter: the upstream provider's own words
        message = "%s: %s" % (message, raw) if message else raw
    return str(message), str(kind or "")


def retry_after(headers):
    """Seconds a Retry-After header asks for, or None (absent, or an HTTP date).

        >>> retry_after({"retry-after": "1.5"}), retry_after({})
        (2, None)
    """
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(1, int(math.ceil(float(value))))
            except ValueError:
                return None
    return None


def provider_http_error(who, status, text, headers=None):
    """An answer that is not 200 (status), from its body and headers."""
    message, kind = _error_of(text)
    return _for_status(who, status, _detail(message), kind, retry_after(headers))


def provider_mid_stream(who, error):
    """An error object that came inside the stream (after the 200): OpenRouter's
    {"code", "message"}, Anthropic's {"type", "message"}, Ollama's text."""
    message, kind = _error_of({"error": error})
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) else _ANTHROPIC_TYPES.get(kind)
    if status is None and kind in ("server_error", "internal_error"):
        status = 500
    label = str(code) if isinstance(code, int) else kind   # no status after the 200: name what was sent
    return _for_status(who, status, _detail(message), kind, None, mid_stream=True, label=label)


# The plain words for each status, filled with who (the service), label (the status
# or the error type), when (a 429's wait) and said (what the service said, if anything).
_BY_STATUS = {
    "stopped": ("gemini_error", "{who} stopped the reply with an error ({label}). The text so far is kept; "
                "tap Retry.{said}"),
    400: ("bad_request", "{who} refused the request (400). Check the model and the generation settings.{said}"),
    401: ("api_key_invalid", "{who} says the API key is not valid. Check the key in Settings.{said}"),
    402: ("no_credits", "{who} says the account has no credit left. Add credit on its website, or choose "
          "a free model.{said}"),
    403: ("forbidden", "{who} refused access (403): the key may not be allowed to use this model.{said}"),
    404: ("model_not_found", "{who} does not know this model (404). Choose another model in Settings.{said}"),
    413: ("too_long", "{who} says the conversation is too long (413). Start a new chat.{said}"),
    429: ("rate_limited", "{who}'s rate limit was reached. Try again {when}."),
    503: ("overloaded", "{who} is overloaded right now ({label}). Try again in a moment."),
    408: ("gemini_timeout", "{who} took too long to answer ({label}). Try again, perhaps with a shorter question."),
    500: ("gemini_error", "{who} had an internal error ({label}). Try again in a moment.{said}"),
}
_BY_STATUS[529] = _BY_STATUS[503]   # Anthropic's "overloaded"
_BY_STATUS[504] = _BY_STATUS[408]


def _for_status(who, status, detail, kind, wait, mid_stream=False, label=None):
    said = (" %s said: %s" % (who, detail)) if detail else ""
    status = status if isinstance(status, int) else _ANTHROPIC_TYPES.get(kind, status)
    label = label or str(status)
    if mid_stream and status in (400, 413):   # after the 200 the request was fine: the reply hit a limit
        key = "stopped"
    elif status == 404 and MODEL_GONE.search(detail or "") or kind == "model_not_found":
        # Ollama: "model 'x' not found"; OpenAI: "The model `x` does not exist"; Anthropic: not_found_error
        return model_unavailable(who, _quoted_model(detail), said=said)
    elif status == 429 and kind in _NO_CREDIT:
        key = 402
    elif status in _BY_STATUS or not (isinstance(status, int) and status >= 500):
        key = status
    else:
        key = 500
    if key not in _BY_STATUS:
        where = "in the middle of the reply" if mid_stream else "(HTTP %s)" % status
        return GeminiError("gemini_error", "%s sent an error %s.%s" % (who, where, said))
    code, words = _BY_STATUS[key]
    when = ("in %d seconds" % wait) if wait else "in a minute"
    return GeminiError(code, words.format(who=who, label=label, when=when, said=said))


def _quoted_model(detail):
    """The model an error's words name in quotes or backticks, or None.

        >>> _quoted_model("model 'qwen3:0.6b' not found"), _quoted_model("The model `gpt-9` does not exist")
        ('qwen3:0.6b', 'gpt-9')
    """
    found = re.search(r"model[:\s]+[`'\"]([^`'\"]{1,200})[`'\"]", detail or "", re.I)
    return found.group(1) if found else None


def provider_not_a_stream(who, status, text):
    """A 200 that is not the stream asked for: an error body, or a Wi-Fi login page."""
    message, kind = _error_of(text)
    if message or kind:
        return _for_status(who, status if status != 200 else None, _detail(message), kind, None)
    return GeminiError("not_event_stream", "The network answered with a web page instead of %s. Is the "
                       "Wi-Fi logged in? Open any web page in the browser to see its login page." % who)


def provider_unreadable(who):
    return GeminiError("bad_reply", "The reply from %s could not be read (it was not in the expected format). "
                       "The text so far is kept; tap Retry." % who)


_FINISH = {
    "MAX_TOKENS": "The reply reached the length limit (max output tokens in Settings).",
    "CONTEXT": "The conversation filled the model's context window. Start a new chat to go on.",
    "BLOCKED": "{who}'s content filter stopped the reply.",
    "REFUSAL": "{who} declined to answer this. Try asking it another way.",
}


def provider_finish(who, reason, message=None):
    """The note under a reply that ended for another reason than a normal stop;
    reason is MAX_TOKENS, CONTEXT, BLOCKED, REFUSAL or the service's own word.

        >>> provider_finish("DeepSeek", "BLOCKED")["message"]
        "DeepSeek's content filter stopped the reply."
    """
    note = _FINISH.get(reason, "{who} ended the reply early (%s)." % reason).replace("{who}", who)
    if message:
        note += " " + _detail(message)
    return {"reason": reason, "message": note}


# A profile PUT /api/settings could not take: (problem: words). %(name)s is the profile's name.
_PROFILE = {
    "not_object": 'Send each profile as an object {"kind", "base_url", "model", "api_key"} (or null to delete it).',
    "bad_name": "A profile's name must be 1 to %(limit)d characters, with no spaces at either end.",
    "unknown_field": 'The profile "%(name)s" has no setting "%(field)s".',
    "not_text": 'The profile "%(name)s": %(field)s must be text.',
    "bad_kind": 'The profile "%(name)s" needs a kind: one of %(kinds)s.',
    "bad_url": 'The profile "%(name)s" needs a base URL that starts with http:// or https:// '
               '(with no key or login in it).',
    "bad_option": 'The profile "%(name)s": %(why)s',
    "keep_gemini": 'The "Gemini" profile holds the Gemini settings: it can be changed, not deleted '
                   'or made another kind.',
    "too_many": "At most %(limit)d profiles can be kept.",
    "unknown_profile": 'There is no profile called "%(name)s": add it first.',
}


def bad_profile(name, problem, **values):
    """The error of a profile change that was refused.

        >>> bad_profile("Groq", "bad_url").message[:33]
        'The profile "Groq" needs a base U'
    """
    return GeminiError("bad_profile", _PROFILE[problem] % dict(values, name=name))

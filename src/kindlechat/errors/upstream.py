"""What the model's service answered, in plain words: HTTP errors and their JSON
bodies, errors after the 200, blocked prompts, finish reasons, and failures of the
connection itself.

    >>> from_error_body(429, '{"error": {"code": 429, "message": "Quota", "details": '
    ...     '[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34.4s"}]}}').message
    "Gemini's rate limit or quota was reached. Try again in 35 seconds."
"""
import json
import math
import re

from .base import GeminiError, _detail


def _retry_delay(details):
    for item in details or []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            delay = str(item.get("retryDelay", "")).rstrip("s")
            try:
                return int(math.ceil(float(delay)))
            except ValueError:
                return None
    return None


def _reasons(details):
    return {str(d.get("reason")) for d in details or [] if isinstance(d, dict) and d.get("reason")}


def from_error_body(status, text, who="Gemini"):
    """An HTTP error status with Gemini's JSON body (or an error object that arrived
    mid-stream, status None) turned into a message; who names the service."""
    try:
        error = json.loads(text).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else status
    detail = _detail(error.get("message"))
    details = error.get("details") if isinstance(error.get("details"), list) else []
    return for_status(code, detail, details, mid_stream=status is None, status=error.get("status"), who=who)


def for_status(code, detail, details=(), mid_stream=False, status=None, who="Gemini"):
    if detail.startswith("$"):
        detail = ""    # an unfilled template in Google's answer says nothing
    said = (" %s said: %s" % (who, detail)) if detail else ""
    if code == 400 and ("API_KEY_INVALID" in _reasons(details) or "API key not valid" in detail):
        return GeminiError("api_key_invalid", "%s says the API key is not valid. "
                           "Check the key in Settings (keys come from aistudio.google.com)." % who)
    if code == 400 and status == "FAILED_PRECONDITION":
        return GeminiError("unavailable_here", "%s refused (FAILED_PRECONDITION): the free tier is not "
                           "available in your location, or the project needs billing enabled.%s" % (who, said))
    if code == 400 and _thinking_refused(detail, who):
        return _thinking_refused(detail, who)
    if code == 400:
        return GeminiError("bad_request", "%s refused the request (400). Check the model and "
                           "the generation settings.%s" % (who, said))
    if code in (401, 403):
        return GeminiError("forbidden", "%s refused access (%d): the key may not be allowed to "
                           "use this model, or the API is not enabled for its project.%s" % (who, code, said))
    if code == 404 and MODEL_GONE.search(detail):
        return model_unavailable(who, *retired_names(detail), said=said)
    if code == 404:
        return GeminiError("model_not_found", "%s does not know this model (404). "
                           "Choose another model in Settings.%s" % (who, said))
    if code == 429 and quota_period(details) == "day":
        return daily_quota(who)
    if code == 429:
        delay = _retry_delay(details)
        when = ("in %d seconds" % delay) if delay else "in a minute"
        which = "per-minute rate limit" if quota_period(details) == "minute" else "rate limit or quota"
        return GeminiError("rate_limited", "%s's %s was reached. Try again %s." % (who, which, when))
    if code == 499:
        return GeminiError("cancelled", "%s cancelled the reply (499). Tap Retry.%s" % (who, said))
    if code == 503:
        return GeminiError("overloaded", "%s is overloaded right now (503). Try again in a moment." % who)
    if code == 504:
        return GeminiError("gemini_timeout", "%s took too long to answer (504). Try again, "
                           "perhaps with a shorter question." % who)
    if isinstance(code, int) and code >= 500:
        return GeminiError("gemini_error", "%s had an internal error (%d). Try again in a moment.%s"
                           % (who, code, said))
    where = "in the middle of the reply" if mid_stream else "(HTTP %s)" % code
    return GeminiError("gemini_error", "%s sent an error %s.%s" % (who, where, said))


# A 404 about the model itself: retired ("is no longer available [to new users]"),
# or never known ("models/x is not found for API version v1beta"; other services:
# "model not found", "does not exist").
MODEL_GONE = re.compile(r"no longer available|not found|does not exist|not supported for generateContent", re.I)
_NAMED = re.compile(r"models/([\w.\-]+\w)")
# Google names the replacement: "Please update your code to use models/gemini-3.8-flash".
_REPLACEMENT = re.compile(r"\buse (?:the model )?(?:models/)?([a-z][\w.\-]*\d[\w.\-]*\w)", re.I)


def retired_names(detail):
    """(the model a 404's message names, the replacement it names), each or None.

        >>> retired_names("This model models/gemini-2.5-flash is no longer available to new users. "
        ...               "Please update your code to use models/gemini-3.8-flash")
        ('gemini-2.5-flash', 'gemini-3.8-flash')
        >>> retired_names("This model models/x-preview is no longer available. Please update your code to "
        ...               "use a newer model for the latest features and improvements.")
        ('x-preview', None)
    """
    named = _NAMED.search(detail or "")
    replacement = _REPLACEMENT.search(detail or "")
    model = named.group(1) if named else None
    replacement = replacement.group(1) if replacement else None
    return model, (replacement if replacement != model else None)


def model_unavailable(who, model=None, replacement=None, said=""):
    """A model the service no longer serves (or never knew): the page offers the
    replacement (Google's, else one from the key's list: the service adds it) in one tap."""
    retired = "no longer available" in said
    words = "%s no longer offers %s to this key (404)." if retired else "%s does not know the model %s (404)."
    return GeminiError("model_unavailable", (words % (who, model or _THIS)) + " Tap below to switch to another "
                       "model and ask again, or choose one in Settings." + said,
                       {"model": model, "replacement": replacement})


_THIS = "this model"


def naming_model(error, model):
    """A model_unavailable error whose words said "this model", naming model instead."""
    if (error.extra or {}).get("model") or not model:
        return error
    return error._replace(message=error.message.replace(_THIS, model, 1),
                          extra=dict(error.extra, model=model))


def quota_period(details):
    """"day" if a 429's QuotaFailure names a daily quota (quotaId ...PerDay...: its
    RetryInfo may say seconds, but waiting would not help until the day's end),
    "minute" for ...PerMinute..., else None (an older body that says neither)."""
    ids = [str(v.get("quotaId", "")) for item in details or [] if isinstance(item, dict)
           and str(item.get("@type", "")).endswith("QuotaFailure")
           for v in item.get("violations") or [] if isinstance(v, dict)]
    if any("PerDay" in i for i in ids):
        return "day"
    return "minute" if any("PerMinute" in i for i in ids) else None


def daily_quota(who="Gemini"):
    """A model's daily limit used up (free keys: as few as 20 requests a day)."""
    return GeminiError("daily_quota", "%s: this model's daily limit is used up (requests per day). It "
                       "resets at midnight Pacific time; until then, tap a lighter model below or pick another model "
                       "in Settings." % who)


# The ways Gemini has said a thinking level is refused (tests/fixtures/gemini:
# err_400_thinking_*; docs/MODELS.md): the level, if named, is the first group.
_LEVEL_REFUSED = (re.compile(r"Thinking level (\w+) is not supported"),
                  re.compile(r"'(\w+)' is not a supported thinking level", re.I),
                  re.compile(r"THINKING_LEVEL_(\w+) is unsupported|unsupported: THINKING_LEVEL_(\w+)"),
                  re.compile(r"Thinking level is not supported()"))


def _thinking_refused(detail, who="Gemini"):
    """The 400s of a thinking setting the model does not take, or None."""
    for pattern in _LEVEL_REFUSED:
        found = pattern.search(detail)
        if found:
            level = next((g for g in found.groups() if g), "").upper() or None
            named = (" the thinking level %s" % level) if level else " a thinking level"
            return GeminiError("thinking_refused", "This model does not take%s. Tap below to ask again with "
                               "the model's default, or choose another level in Settings." % named,
                               {"level": level})
    if "only one of thinking budget and thinking level" in detail:
        return GeminiError("bad_request", "%s takes a thinking budget or a thinking level, not both: "
                           "clear one of them in Settings." % who)
    return None


def not_event_stream(status, text, who="Gemini"):
    """A 200 that is not an event stream: a hotel or café network's login page."""
    if text.lstrip().startswith("{"):
        error = from_error_body(status, text, who)
        if error.code != "gemini_error" or "error" in text:
            return error
    return GeminiError("not_event_stream", "The network answered with a web page instead of %s. "
                       "Is the Wi-Fi logged in? Open any web page in the browser to see its login page." % who)


def blocked(reason, message=None, who="Gemini"):
    extra = (" (%s)" % _detail(message)) if message else ""
    return GeminiError("blocked", "%s blocked this question (%s)%s. Try asking it another way."
                       % (who, reason, extra))


def dropped(who="the service"):
    return GeminiError("dropped", "The connection to %s dropped before the reply was complete. "
                       "The text so far is kept; tap Retry for a full reply." % who)


def unreadable(who="the service"):
    return GeminiError("bad_reply", "The reply from %s could not be read (it was not in the expected format). "
                       "The text so far is kept; tap Retry." % who)


def stalled(seconds, who="the service"):
    return GeminiError("stalled", "%s sent nothing for %d seconds, so KindleChat gave up. "
                       "The text so far is kept; tap Retry." % (who, seconds))


_FINISH = {
    "MAX_TOKENS": "The reply reached the length limit (max output tokens in Settings).",
    "SAFETY": "Gemini stopped the reply for safety reasons.",
    "RECITATION": "Gemini stopped the reply because it resembled published text too closely.",
    "LANGUAGE": "Gemini stopped: the reply's language is not supported.",
    "BLOCKLIST": "Gemini stopped the reply: it contained blocked terms.",
    "PROHIBITED_CONTENT": "Gemini stopped the reply: prohibited content.",
    "SPII": "Gemini stopped the reply: it may have contained personal information.",
    "MALFORMED_FUNCTION_CALL": "Gemini stopped the reply: a tool call went wrong.",
}


def finish_note(reason, message=None):
    """The note under a reply that ended for another reason than STOP."""
    note = _FINISH.get(reason, "Gemini ended the reply early (%s)." % reason)
    if message:
        note += " " + _detail(message)
    return {"reason": reason, "message": note}


def damaged_note(finish=None, who="the service"):
    """The note under a reply some of whose events could not be read (skipped, so
    text may be missing), kept beside a finishReason note if there is one."""
    text = ("Part of the reply from %s could not be read, so some text may be missing. Tap Retry for a "
            "full reply." % who)
    if finish:
        return dict(finish, message=finish["message"] + " " + text)
    return {"reason": "DAMAGED", "message": text}


def from_exception(exc, timeouts, who="the service", local=False):
    """A failure of the connection itself, from requests or urllib3. who names the
    service ("Gemini", "Ollama at 192.168.1.20"); local: it runs on the reader's own
    network, so the computer may be off."""
    names, text, seen = set(), "", exc
    for _ in range(5):   # requests wraps urllib3's error, which wraps the socket's
        if seen is None:
            break
        names |= {c.__name__ for c in type(seen).__mro__}
        text += repr(seen)
        seen = seen.__cause__ or seen.__context__
    check = "Is Wi-Fi on and connected, and is the computer running it switched on?" if local \
        else "Is Wi-Fi on and connected?"
    if "NameResolutionError" in names or "gaierror" in names or "Name or service not known" in text \
            or "Temporary failure in name resolution" in text or "nodename nor servname" in text:
        return GeminiError("dns", "Can't find %s (the name lookup failed). Is Wi-Fi on? "
                           "Just after the Kindle wakes the network needs a few seconds: try again." % who)
    if "ConnectTimeout" in names or "ConnectTimeoutError" in names:
        return GeminiError("no_network", "Connecting to %s timed out after %d seconds. %s"
                           % (who, timeouts["connect"], check))
    # A read straight from http.client (gemini._reader) times out as the socket's own
    # error: socket.timeout ("timeout") before Python 3.10, TimeoutError since.
    if names & {"ReadTimeout", "ReadTimeoutError", "timeout", "TimeoutError"}:
        return stalled(timeouts["read"], who)
    if "ConnectionError" in names and ("refused" in text.lower() or "NewConnectionError" in text
                                       or "Max retries" in text):
        return GeminiError("no_network", "Can't connect to %s. %s" % (who, check))
    if names & {"ProtocolError", "ChunkedEncodingError", "IncompleteRead", "ConnectionError",
                "ConnectionResetError", "OSError", "DecodeError", "ContentDecodingError"}:
        return dropped(who)
    return GeminiError("internal", "Something went wrong while reading the reply from %s (%s). "
                       "Tap Retry." % (who, type(exc).__name__))

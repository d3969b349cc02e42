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


def from_error_body(status, text):
    """An HTTP error status with Gemini's JSON body (or an error object that arrived
    mid-stream, status None) turned into a message."""
    try:
        error = json.loads(text).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else status
    detail = _detail(error.get("message"))
    details = error.get("details") if isinstance(error.get("details"), list) else []
    return for_status(code, detail, details, mid_stream=status is None, status=error.get("status"))


def for_status(code, detail, details=(), mid_stream=False, status=None):
    if detail.startswith("$"):
        detail = ""    # an unfilled template in Google's answer says nothing
    said = (" Gemini said: %s" % detail) if detail else ""
    if code == 400 and ("API_KEY_INVALID" in _reasons(details) or "API key not valid" in detail):
        return GeminiError("api_key_invalid", "Gemini says the API key is not valid. "
                           "Check the key in Settings (keys come from aistudio.google.com).")
    if code == 400 and status == "FAILED_PRECONDITION":
        return GeminiError("unavailable_here", "Gemini refused (FAILED_PRECONDITION): the free tier is not "
                           "available in your location, or the project needs billing enabled." + said)
    if code == 400 and _thinking_refused(detail):
        return _thinking_refused(detail)
    if code == 400:
        return GeminiError("bad_request", "Gemini refused the request (400). Check the model and "
                           "the generation settings." + said)
    if code in (401, 403):
        return GeminiError("forbidden", "Gemini refused access (%d): the key may not be allowed to "
                           "use this model, or the API is not enabled for its project.%s" % (code, said))
    if code == 404:
        return GeminiError("model_not_found", "Gemini does not know this model (404). "
                           "Choose another model in Settings." + said)
    if code == 429 and _per_day(details):
        return daily_quota()
    if code == 429:
        delay = _retry_delay(details)
        when = ("in %d seconds" % delay) if delay else "in a minute"
        return GeminiError("rate_limited", "Gemini's rate limit or quota was reached. Try again %s." % when)
    if code == 499:
        return GeminiError("cancelled", "Gemini cancelled the reply (499). Tap Retry." + said)
    if code == 503:
        return GeminiError("overloaded", "Gemini is overloaded right now (503). Try again in a moment.")
    if code == 504:
        return GeminiError("gemini_timeout", "Gemini took too long to answer (504). Try again, "
                           "perhaps with a shorter question.")
    if isinstance(code, int) and code >= 500:
        return GeminiError("gemini_error", "Gemini had an internal error (%d). Try again in a moment.%s"
                           % (code, said))
    where = "in the middle of the reply" if mid_stream else "(HTTP %s)" % code
    return GeminiError("gemini_error", "Gemini sent an error %s.%s" % (where, said))


def _per_day(details):
    """True if a 429's QuotaFailure names a daily quota (quotaId ...PerDay...): its
    RetryInfo then says hours, and waiting a minute would not help."""
    for item in details or []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("QuotaFailure"):
            for violation in item.get("violations") or []:
                if isinstance(violation, dict) and "PerDay" in str(violation.get("quotaId", "")):
                    return True
    return False


def daily_quota():
    """A model's daily limit used up (free keys: as few as 20 requests a day)."""
    return GeminiError("daily_quota", "This model's daily limit is used up. It resets at midnight "
                       "Pacific time; until then, pick another model.")


def _thinking_refused(detail):
    """The 400s of a thinking setting the model does not take, or None."""
    level = re.search(r"Thinking level (\w+) is not supported", detail)
    if level:
        return GeminiError("bad_request", "This model does not take the thinking level %s. Choose "
                           "another level in Settings, or leave it at the model's default." % level.group(1))
    if "only one of thinking budget and thinking level" in detail:
        return GeminiError("bad_request", "Gemini takes a thinking budget or a thinking level, not both: "
                           "clear one of them in Settings.")
    return None


def not_event_stream(status, text):
    """A 200 that is not an event stream: a hotel or café network's login page."""
    if text.lstrip().startswith("{"):
        error = from_error_body(status, text)
        if error.code != "gemini_error" or "error" in text:
            return error
    return GeminiError("not_event_stream", "The network answered with a web page instead of Gemini. "
                       "Is the Wi-Fi logged in? Open any web page in the browser to see its login page.")


def blocked(reason, message=None):
    extra = (" (%s)" % _detail(message)) if message else ""
    return GeminiError("blocked", "Gemini blocked this question (%s)%s. Try asking it another way."
                       % (reason, extra))


def dropped():
    return GeminiError("dropped", "The connection dropped before the reply was complete. "
                       "The text so far is kept; tap Retry for a full reply.")


def unreadable():
    return GeminiError("bad_reply", "Gemini's reply could not be read (it was not in the expected format). "
                       "The text so far is kept; tap Retry.")


def stalled(seconds):
    return GeminiError("stalled", "Gemini sent nothing for %d seconds, so KindleChat gave up. "
                       "The text so far is kept; tap Retry." % seconds)


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


def damaged_note(finish=None):
    """The note under a reply some of whose events could not be read (skipped, so
    text may be missing), kept beside a finishReason note if there is one."""
    text = "Part of Gemini's reply could not be read, so some text may be missing. Tap Retry for a full reply."
    if finish:
        return dict(finish, message=finish["message"] + " " + text)
    return {"reason": "DAMAGED", "message": text}


def from_exception(exc, timeouts):
    """A failure of the connection itself, from requests or urllib3."""
    names, text, seen = set(), "", exc
    for _ in range(5):   # requests wraps urllib3's error, which wraps the socket's
        if seen is None:
            break
        names |= {c.__name__ for c in type(seen).__mro__}
        text += repr(seen)
        seen = seen.__cause__ or seen.__context__
    if "NameResolutionError" in names or "gaierror" in names or "Name or service not known" in text \
            or "Temporary failure in name resolution" in text or "nodename nor servname" in text:
        return GeminiError("dns", "Can't find Gemini's server (name lookup failed). Is Wi-Fi on? "
                           "Just after the Kindle wakes the network needs a few seconds: try again.")
    if "ConnectTimeout" in names or "ConnectTimeoutError" in names:
        return GeminiError("no_network", "Connecting to Gemini timed out after %d seconds. "
                           "Is Wi-Fi on and connected?" % timeouts["connect"])
    # A read straight from http.client (gemini._reader) times out as the socket's own
    # error: socket.timeout ("timeout") before Python 3.10, TimeoutError since.
    if names & {"ReadTimeout", "ReadTimeoutError", "timeout", "TimeoutError"}:
        return stalled(timeouts["read"])
    if "ConnectionError" in names and ("refused" in text.lower() or "NewConnectionError" in text
                                       or "Max retries" in text):
        return GeminiError("no_network", "Can't connect to Gemini. Is Wi-Fi on and connected?")
    if names & {"ProtocolError", "ChunkedEncodingError", "IncompleteRead", "ConnectionError",
                "ConnectionResetError", "OSError", "DecodeError", "ContentDecodingError"}:
        return dropped()
    return GeminiError("internal", "Something went wrong while reading the reply (%s). "
                       "Tap Retry." % type(exc).__name__)

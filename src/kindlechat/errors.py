"""Errors as values: a short code for programs and a plain message for the person
holding the Kindle, saying what happened and what to do.

    >>> dropped().code
    'dropped'
    >>> from_error_body(429, '{"error": {"code": 429, "message": "Quota", "details": '
    ...     '[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34.4s"}]}}').message
    "Gemini's rate limit or quota was reached. Try again in 35 seconds."
"""
import errno
import json
import math
import re
from collections import namedtuple

GeminiError = namedtuple("GeminiError", "code message")

MAX_DETAIL = 300


# What the page can offer beside an error's words, by code: a daily quota used up
# offers a one-tap switch to another model from the list.
_OFFERS = {"daily_quota": {"switch": True}}


def as_dict(error):
    return dict(_OFFERS.get(error.code, {}), code=error.code, message=error.message)


def _detail(message):
    message = " ".join(str(message or "").split())
    return message[:MAX_DETAIL] + ("..." if len(message) > MAX_DETAIL else "")


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


def interrupted():
    """A reply cut short because the server stopped (a kill, a crash, a restart)."""
    return GeminiError("interrupted", "KindleChat was stopped while this reply was streaming. "
                       "The text so far is kept; tap Retry for a full reply.")


def reply_too_long(limit):
    """A reply that passed KindleChat's size limit (replies.MAX_REPLY): only an
    upstream that never ends gets there."""
    return GeminiError("reply_too_long", "This reply passed %s characters, far more than any model "
                       "writes, so KindleChat ended it. The text so far is kept." % format(limit, ","))


def no_thread():
    """The Kindle could not start one more thread for the reply (its memory is short)."""
    return GeminiError("no_thread", "The Kindle is short of memory and could not start the reply. "
                       "Close a chat page in another tab, or restart KindleChat from KUAL, then try again.")


def internal(what):
    """A bug of ours while a reply was written: say so, keep the text."""
    return GeminiError("internal", "Something went wrong while writing the reply (%s). "
                       "The text so far is kept; tap Retry." % what)


def damaged_chat():
    """A chat whose file holds a record KindleChat never wrote (store.Damaged)."""
    return GeminiError("damaged", "This chat's file is damaged: it can be read and deleted, "
                       "but not continued. Start a new chat.")


# errno values that mean the storage itself is full, not away: FAT on a Kindle
# full of books answers ENOSPC; EFBIG is FAT's 4 GiB file limit.
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG)


def storage(exc):
    """What an OSError of the data folder means to the reader: the storage is full,
    or the folder is away (USB mode unmounts /mnt/us) or read-only.

    >>> storage(OSError(errno.ENOSPC, "No space left on device")).code
    'storage_full'
    """
    if getattr(exc, "errno", None) in _FULL:
        return GeminiError("storage_full", "The Kindle's storage is full, so KindleChat could not save. "
                           "Delete a book or two (or old chats), then try again.")
    return GeminiError("storage", "Can't use the data folder (%s). If the Kindle is connected by USB, "
                       "eject it and try again." % (getattr(exc, "strerror", None) or exc.__class__.__name__))


# The API's own answers (4xx/5xx), by key: (code, words). The page shows the words
# as they are; programs read the code. %(name)s fills in from api()'s keywords.
_API = {
    "bad_host": ("bad_host", "This server answers only to %(hosts)s."),
    "bad_token": ("bad_token", "This KindleChat needs its access token: open it from the KUAL menu."),
    "bad_content_type": ("bad_content_type", "Send the request body as JSON (Content-Type: application/json)."),
    "bad_origin": ("bad_origin", "Requests from other web sites are refused."),
    "bad_message": ("bad_message", 'Send {"text": "..."}: the message as a string.'),
    "bad_search": ("bad_message", '"search" must be true or false.'),
    "empty_message": ("empty_message", "The message is empty."),
    "message_too_long": ("message_too_long", "This message is too long to send (%(length)d characters; "
                         "at most %(limit)d). Shorten it and try again."),
    "too_large": ("too_large", "This message is too long to send. Shorten it and try again."),
    "not_a_number": ("bad_query", "%(name)s must be a number."),
    "out_of_range": ("bad_query", "%(name)s must be between %(low)s and %(high)s."),
    "bad_event_id": ("bad_query", "Last-Event-ID must be an offset."),
    "bad_offset": ("bad_offset", "from=%(offset)d is beyond the reply's %(length)d characters: reload the chat."),
    "not_found": ("not_found", "No such chat or message."),
    "settings_object": ("bad_request", "Send the settings as a JSON object."),
    "not_editable": ("bad_setting", "%(name)s cannot be changed here."),
    "bad_setting": ("bad_setting", "%(why)s"),
    "no_key": ("no_key", "No API key is set: add one in Settings."),
    "busy": ("busy", "A reply is still streaming in this chat: wait or stop it."),
    "nothing_to_retry": ("nothing_to_retry", "There is no reply to retry in this chat."),
    "bad_coding": ("bad_request", "Send the body plainly or chunked, not %(coding)s."),
    "bad_length": ("bad_request", "The request's Content-Length is not a number."),
    "body_timeout": ("timeout", "The request's body did not arrive in time."),
    "body_cut": ("bad_request", "The request's body was cut short."),
    "bad_chunks": ("bad_request", "The request's chunked body is malformed."),
    "not_utf8": ("bad_encoding", "The request body is not UTF-8."),
    "too_deep": ("bad_json", "The request body is nested too deeply (at most %(depth)d levels)."),
    "bad_json": ("bad_json", "The request body is not valid JSON."),
    "head_too_large": ("headers_too_large", "The request's headers are too large (at most %(kb)d KB)."),
    "head_timeout": ("timeout", "The request did not arrive in time."),
    "overloaded_here": ("busy", "KindleChat is answering too many requests at once. Try again in a moment."),
}


def api(key, **values):
    """One of the API's own answers.

    >>> api("out_of_range", name="wait", low=0, high=60).message
    'wait must be between 0 and 60.'
    """
    code, words = _API[key]
    return GeminiError(code, words % values if values else words)


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


# -- the Kindle's library (library.py, kindledb.py) ----------------------------------
def no_sqlite():
    return GeminiError("no_sqlite", "This Kindle's Python has no sqlite3 module, so the looked-up words and the "
                       "books you read can't be shown. Highlights and saving still work.")


def library_missing(path):
    return GeminiError("library_missing", "Not found: %s. On a Kindle it appears once you have used that "
                       "feature (look up a word, open a book)." % path)


def library_busy(path):
    return GeminiError("library_busy", "The Kindle is writing %s right now. Try again in a moment." % path)


def library_schema(path):
    return GeminiError("library_schema", "%s is not laid out as KindleChat expects (another firmware?), "
                       "so nothing could be read from it." % path)


def library_unreadable(path, exc=None):
    why = (" (%s)" % _detail(exc)) if exc else ""
    return GeminiError("library_unreadable", "%s could not be read%s." % (path, why))


def clippings_encoding(name):
    return GeminiError("clippings_encoding", "%s is not UTF-8 as a Kindle writes it; it was read as "
                       "Windows-1252, so some letters may look wrong." % name)


def clippings_skipped(count):
    return GeminiError("clippings_skipped", "%d part(s) of My Clippings.txt could not be read as highlights "
                       "and were passed over." % count)


def clippings_too_large(size_mb, limit_mb):
    return GeminiError("clippings_too_large", "My Clippings.txt is %d MB, more than the %d MB KindleChat reads. "
                       "Move older clippings out of it (the Kindle starts a new file)." % (size_mb, limit_mb))


def no_such_highlight():
    return GeminiError("not_found", "That highlight is no longer in My Clippings.txt. Reload the list.")


def bad_library_action(actions):
    return GeminiError("bad_request", "Choose one of: %s." % ", ".join(actions))


def no_words():
    return GeminiError("no_words", "No looked-up words yet: look one up in a book, then try again.")


def documents_away(path):
    return GeminiError("storage", "The Kindle's documents folder (%s) can't be reached; if the Kindle is "
                       "connected by USB, eject it and try again. Nothing was saved." % path)


def documents_readonly(path):
    return GeminiError("storage", "The documents folder (%s) is read-only, so the chat could not be saved. "
                       "Nothing was changed." % path)

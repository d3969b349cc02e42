"""The API's own answers (4xx/5xx), by key.

    >>> api("busy").code
    'busy'
"""
from .base import GeminiError


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
    "no_model": ("no_model", 'The profile "%(profile)s" has no model yet: pick one in Settings (the list '
                 'there is the service\'s own) or type its name.'),
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

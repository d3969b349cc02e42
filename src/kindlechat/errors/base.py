"""The value every error is: a short code for programs and a plain message for
the person holding the Kindle.

    >>> as_dict(GeminiError("dropped", "The connection dropped."))
    {'code': 'dropped', 'message': 'The connection dropped.'}
"""
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

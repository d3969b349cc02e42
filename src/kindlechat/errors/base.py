"""The value every error is: a short code for programs and a plain message for
the person holding the Kindle.

    >>> as_dict(GeminiError("dropped", "The connection dropped."))
    {'code': 'dropped', 'message': 'The connection dropped.'}
    >>> as_dict(GeminiError("model_unavailable", "Retired.", {"model": "m", "replacement": None}))["switch"]
    True

extra holds what a program needs beside the words (the model a 404 named, its
replacement, the level a 400 refused, the lighter models a quota suggests).
"""
from collections import namedtuple


GeminiError = namedtuple("GeminiError", "code message extra", defaults=(None,))


MAX_DETAIL = 300


# What the page can offer beside an error's words, by code: a daily quota used up or
# a model the service no longer serves offers a one-tap switch to another model of
# the list; a thinking level refused offers to ask again with the model's default.
_OFFERS = {"daily_quota": {"switch": True}, "model_unavailable": {"switch": True},
           "thinking_refused": {"use_default": True}}


def as_dict(error):
    return dict(_OFFERS.get(error.code, {}), **dict(error.extra or {}, code=error.code, message=error.message))


def with_extra(error, **values):
    """The error with more in extra (the service adds what the list tells)."""
    return error._replace(extra=dict(error.extra or {}, **values))


def _detail(message):
    message = " ".join(str(message or "").split())
    return message[:MAX_DETAIL] + ("..." if len(message) > MAX_DETAIL else "")

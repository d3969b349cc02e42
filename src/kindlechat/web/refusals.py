"""Errors to HTTP statuses, in one place: a refusal's reason word (errors.Refused),
a chat that is not there, storage that is full, away or damaged.

    >>> from kindlechat.errors import Refused
    >>> answer_for(Refused("conflict", "busy"))[:2]
    (409, 'busy')
    >>> answer_for(ValueError("not ours")) is None
    True
"""
from .. import errors
from ..store import NotFound, StorageError

STATUS = {"bad_input": 400, "not_found": 404, "too_slow": 408, "conflict": 409,
          "too_large": 413, "unsupported": 501, "upstream": 502, "unavailable": 503}


def answer_for(exc):
    """(status, code, message) for an error the API answers with words, else None."""
    if isinstance(exc, errors.Refused):
        return STATUS[exc.reason], exc.code, exc.message
    if isinstance(exc, NotFound):
        return (404,) + tuple(errors.api("not_found"))[:2]
    if isinstance(exc, StorageError):   # a damaged chat (409), storage full or away (503)
        return 409 if exc.code == "damaged" else 503, exc.code, str(exc)
    return None

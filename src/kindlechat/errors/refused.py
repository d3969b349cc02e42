"""The one error a request is refused with, wherever the refusal is found (the
service, the library, the phone link, a request's body). It says what kind of
refusal it is in a reason word; web/ alone turns reasons into HTTP statuses.

    >>> r = Refused("conflict", "busy")
    >>> r.reason, r.code
    ('conflict', 'busy')
    >>> from kindlechat.errors import no_words
    >>> Refused("not_found", no_words()).message[:10]
    'No looked-'
"""
from .answers import api

# What a refusal can be: web/refusals.py gives each its status.
REASONS = ("bad_input", "not_found", "too_slow", "conflict", "too_large", "unsupported",
           "upstream", "unavailable")


class Refused(Exception):
    """reason: one of REASONS; error: an error value (errors/*), or a key of
    errors.api() filled with values."""

    def __init__(self, reason, error, **values):
        if reason not in REASONS:
            raise ValueError("unknown reason %r" % reason)
        error = api(error, **values) if isinstance(error, str) else error
        super().__init__(error.message)
        self.reason, self.error = reason, error
        self.code, self.message = error.code, error.message

"""The one exception reading a book raises: a reason for programs and a plain
message (worded in errors/books.py) for the person holding the Kindle.

    >>> e = BookError("damaged", "Emma.mobi looks damaged.")
    >>> e.reason, e.error.code, str(e)
    ('damaged', 'book_damaged', 'Emma.mobi looks damaged.')
"""
from ..errors.base import GeminiError

REASONS = ("drm", "kfx", "pdf", "missing", "unsupported", "damaged", "too_big")


class BookError(Exception):
    def __init__(self, reason, message):
        Exception.__init__(self, message)
        self.reason, self.message = reason, message

    @property
    def error(self):
        """The errors-module value (code book_<reason>, message) the API answers with."""
        return GeminiError("book_" + self.reason, self.message)

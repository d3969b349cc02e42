"""A chat about the book being read, in plain words: the book gone, a position past
its end, an unknown book or action (reading/bookchat.py).

    >>> position_past_end("Emma").code
    'position_past_end'
"""
from .base import GeminiError


def position_past_end(title):
    return GeminiError("position_past_end", "The Kindle's note of where you are in %s lies past the end of its "
                       "text (the book was replaced?); the end of the text is used." % title)


def book_gone_reading(title):
    return GeminiError("book_gone_reading", "%s is no longer in the Kindle's library (removed while being "
                       "read?), so this answer knows only its title." % title)


def no_such_book(book_id):
    return GeminiError("no_such_book", "No book %s is in the Kindle's library (it was removed, or the list is "
                       "old: open Books again)." % book_id)


def bad_book_question():
    return GeminiError("bad_book_question", "Ask a question about the book (\"question\": text).")

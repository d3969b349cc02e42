"""The Kindle's library in plain words: highlights, looked-up words, books, saving.

    >>> no_sqlite().code
    'no_sqlite'
"""
from .base import GeminiError, _detail


# -- the Kindle's library (library/kindle.py, kindledb.py) ----------------------------------
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


# -- words: reviews, cards, exports (words/) ---------------------------------------


def bad_rating(ratings):
    return GeminiError("bad_rating", "Rate the word with one of: %s. Nothing was changed." % ", ".join(ratings))


def unknown_word():
    return GeminiError("unknown_word", "That word is not among the looked-up words (reload Review). "
                       "Nothing was changed.")


def bad_word_ids():
    return GeminiError("bad_request", 'Send {"ids": [...]}: the ids of words from GET /api/reviews.')


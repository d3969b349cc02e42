"""A book's own files in plain words: why its text, its position, its pages or its
X-Ray can't be read (src/kindlechat/reading/ raises or returns these).

    >>> book_drm("Emma.azw").code
    'book_drm'
    >>> "DRM" in book_drm("Emma.azw").message
    True
"""
from .base import GeminiError, _detail

FALLBACK = " KindleChat can still talk about it by its title, author and how far you have read."


def book_drm(name):
    return GeminiError("book_drm", "%s is locked by DRM (a store book's copy protection), so KindleChat "
                       "can't read its text.%s" % (name, FALLBACK))


def book_kfx(name):
    return GeminiError("book_kfx", "%s is in Amazon's KFX format, which KindleChat can't read yet. A "
                       "sideloaded MOBI or AZW3 can be read.%s" % (name, FALLBACK))


def book_pdf(name):
    return GeminiError("book_pdf", "%s is a PDF; KindleChat reads the text of MOBI and AZW3 books only.%s"
                       % (name, FALLBACK))


def book_missing(name):
    return GeminiError("book_missing", "%s is no longer on the Kindle (removed or moved?).%s" % (name, FALLBACK))


def book_unsupported(name):
    return GeminiError("book_unsupported", "%s is not a MOBI or AZW3 book, so KindleChat can't read its "
                       "text.%s" % (name, FALLBACK))


def book_damaged(name, detail=None):
    why = (" (%s)" % _detail(detail)) if detail else ""
    return GeminiError("book_damaged", "%s looks damaged or cut short%s, so its text could not be read. "
                       "Copying it to the Kindle again may help.%s" % (name, why, FALLBACK))


def book_too_big(name, size_mb, cap_mb):
    return GeminiError("book_too_big", "%s has about %d MB of text, more than the %d MB KindleChat reads on "
                       "the Kindle's small memory.%s" % (name, max(1, size_mb), cap_mb, FALLBACK))


# -- the reader's position and page map (reading/krds.py, reading/apnx.py) ------------
def sidecar_unreadable(name, detail=None):
    why = (" (%s)" % _detail(detail)) if detail else ""
    return GeminiError("sidecar_unreadable", "The Kindle's note of where you are (%s) could not be read%s; "
                       "the percent from the library is used instead." % (name, why))


def no_sidecar(folder):
    return GeminiError("no_sidecar", "The Kindle has not noted a position in %s yet (it does so when the "
                       "Kindle sleeps or goes Home inside the book); the percent from the library is used "
                       "instead." % folder)


def apnx_unreadable(name, detail=None):
    why = (" (%s)" % _detail(detail)) if detail else ""
    return GeminiError("apnx_unreadable", "The page numbers (%s) could not be read%s; Kindle locations are "
                       "shown instead." % (name, why))


# -- X-Ray (reading/xray.py) ----------------------------------------------------------
def xray_missing(name):
    return GeminiError("xray_missing", "This book has no X-Ray file (%s)." % name)


def xray_busy(name):
    return GeminiError("xray_busy", "The Kindle is using the X-Ray file %s right now. Try again in a moment."
                       % name)


def xray_foreign(name):
    return GeminiError("xray_foreign", "%s is not an X-Ray file as the Kindle writes it, so nothing was read "
                       "from it." % name)


def xray_unreadable(name, detail=None):
    why = (" (%s)" % _detail(detail)) if detail else ""
    return GeminiError("xray_unreadable", "The X-Ray file %s could not be read%s." % (name, why))

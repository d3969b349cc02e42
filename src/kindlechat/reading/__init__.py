"""The reader's own Kindle files, read-only and in pure stdlib Python: a book's
text, where the reader is in it, its printed pages and its X-Ray. Nothing here
knows the web layer, the service, a provider or the chats; files are read record
by record so a book never sits whole in the Kindle's memory twice.

    failures.py   BookError(reason, message): why a book's text can't be read
    palmdb.py     the PalmDB container: records, record 0's MOBI header and EXTH
    lz77.py       PalmDOC decompression, hardened against damaged records
    huffcdic.py   HUFF/CDIC decompression (kindlegen's compression for big books)
    markup.py     MOBI/KF8 markup to plain text, with raw-offset checkpoints
    mobi_text.py  text_status (cheap) and read_text -> BookText (MOBI6, KF8, hybrids)
    krds.py       the reader's sidecars (.mbs, .azw3f, .yjf ...): values, read_position
    apnx.py       printed page numbers (.apnx), and the Kindle's location otherwise
    xray.py       X-Ray databases (XRAY.entities.<ASIN>.asc): who's who up to a position

and what is built on them, for the chats about a book:

    shelf.py      the books of the library (cc.db), without KUAL, apps and periodicals
    position.py   where the reader is: the sidecar's lpr, else cc.db's percent
    hybrid.py     a MOBI-form position placed in a hybrid's KF8 text
    bookindex.py  a book's text extracted once (size and mtime), kept in the data folder
    retrieval.py  BM25 over the paragraphs before the position
    context.py    the request's text: passages and what comes just before, in a budget
    recap.py      the story so far, in parts whose summaries are kept per book
    asks.py       the words of a book chat's requests around that text
    bookchat.py   chats about the book: the list, the binding, each message's request

    >>> BookError("drm", "locked").reason
    'drm'
"""
from .failures import BookError  # noqa: F401

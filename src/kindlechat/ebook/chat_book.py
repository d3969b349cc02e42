"""A chat written as a book the Kindle lists: as MOBI (html.py, mobi.py), and only as
MOBI: a plain-text copy beside it made the library list every saved chat twice
(issue 22.9).
"""
import re

from . import html as book_html, mobi


def chat_mobi(chat):
    """The whole chat as a MOBI book: headings, bold and lists as the reader shows them."""
    return mobi.build(book_html.chat_html(chat), chat["title"], "KindleChat")


def file_name(title, chat_id):
    """A FAT-safe name, the same for the same chat (so saving again replaces it).

        >>> file_name('Emma — “Emma Woodhouse, handsome…” (Explain)', "ab12")
        'Emma - Emma Woodhouse, handsome - (Explain) - ab12.mobi'
    """
    clean = re.sub(r'(?:\s*[\\/:*?"<>|“”…—\x00-\x1f]+\s*)+', " - ", title)
    clean = " ".join(clean.split()).strip(" -.")[:50].strip(" -.")
    return "%s - %s.mobi" % (clean or "KindleChat", chat_id)

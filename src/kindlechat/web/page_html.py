"""The page's index.html, in the reader's language from its first byte (issue 22.12).

The language is the setting `language`, else the browser's first choice the page has a
table for (Accept-Language), else English. The file names it in ``<html lang>``, says
which setting it was served for (``data-language``, so a later change reloads the page
once) and which tables exist (``data-languages``), and loads only that language's table
beside English (strings.js, which also stands in for a key a table lacks). The page
used to load all four tables, then reload itself when the setting differed from the
browser, which doubled the start where the Kindle browser empties localStorage.
Knows nothing of HTTP: routes call it with the setting and the header.
"""
import os

from ..settings import LANGUAGES

STRINGS_TAG = '<script src="strings.js"></script>'
HTML_TAG = '<html lang="en">'


def browser_language(accept):
    """The first language in an Accept-Language header (RFC 9110 12.5.4: q-values, a
    region ignored) that the page has, or ''.

    >>> browser_language("nl-NL, fr;q=0.5, de-AT;q=0.7"), browser_language("nl")
    ('de', '')
    """
    best = []
    for n, part in enumerate((accept or "").split(",")):
        tag, _, params = part.partition(";")
        code = tag.strip().lower().replace("_", "-").split("-")[0]
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if code in LANGUAGES and q > 0:
            best.append((-q, n, code))
    return min(best)[2] if best else ""


def page_language(setting, accept):
    """The language the page is served in."""
    return setting if setting in LANGUAGES else browser_language(accept) or "en"


def index_html(www, setting, accept):
    """index.html (bytes) for this setting and Accept-Language header."""
    with open(os.path.join(www, "index.html"), encoding="utf-8") as f:
        html = f.read()
    code = page_language(setting or "", accept)
    html = html.replace(HTML_TAG, '<html lang="%s" data-language="%s" data-languages="%s">'
                        % (code, setting if setting in LANGUAGES else "", " ".join(LANGUAGES)), 1)
    if code != "en":
        html = html.replace(STRINGS_TAG, STRINGS_TAG + '\n<script src="strings-%s.js" charset="utf-8"></script>' % code, 1)
    return html.encode("utf-8")

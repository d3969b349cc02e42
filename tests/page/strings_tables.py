"""The page's string tables (www/strings.js, www/strings-*.js) read in Python, for
tests/page/test_page_languages.py and tests/page/test_page_german.py: no JavaScript engine needed.
Also, for the tests of labels on a screen: the browser locale of each table, and the
labels shown twice.

    >>> tables = read_tables()
    >>> tables["en"]["send"], sorted(tables) == sorted(set(tables))
    ('Send', True)

The tables are object literals (strings, arrays, nested objects, `+` between strings),
assigned as `var Strings = {en: {...}}` or `Strings.xx = {...}`; anything else in a
strings file is an error here, so a table written some other way is noticed.
"""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WWW = os.path.join(ROOT, "www")
_TOKEN = re.compile(r"""\s*(?:(//[^\n]*|/\*.*?\*/)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_$][\w$]*)|(\S))""", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES"}   # a browser that asks for each table


def twice(labels):
    """The labels shown more than once on a screen (none may be: issue 22.7)."""
    return sorted({t for t in labels if t and labels.count(t) > 1})


def tokens(source):
    """(kind, text) pairs: 'str' (unquoted), 'name' or 'punct'; comments dropped."""
    out = []
    for m in _TOKEN.finditer(source):
        comment, string, name, punct = m.groups()
        if string:
            out.append(("str", _unquote(string[1:-1])))
        elif name:
            out.append(("name", name))
        elif punct:
            out.append(("punct", punct))
    return out


def _unquote(body):
    def escape(m):
        c = m.group(1)
        if c[0] == "u":
            return chr(int(c[1:], 16))
        return _ESCAPES.get(c, c)
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", escape, body, flags=re.S)


class _Parser:
    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def take(self, text=None):
        kind, value = self.toks[self.i]
        if text is not None and value != text:
            raise ValueError("expected %r, found %r at token %d" % (text, value, self.i))
        self.i += 1
        return kind, value

    def peek(self):
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def value(self):
        if self.peek() == "{":
            return self.obj()
        if self.peek() == "[":
            return self.array()
        kind, text = self.take()
        if kind != "str":
            raise ValueError("a table holds strings, arrays and objects, not %r" % text)
        while self.peek() == "+":
            self.take("+")
            text += self.take()[1]
        return text

    def obj(self):
        self.take("{")
        out = {}
        while self.peek() != "}":
            key = self.take()[1]
            self.take(":")
            out[key] = self.value()
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return out

    def array(self):
        self.take("[")
        out = []
        while self.peek() != "]":
            out.append(self.value())
            if self.peek() == ",":
                self.take(",")
        self.take("]")
        return out


def parse_file(path):
    """The tables one strings file assigns, as {code: table}."""
    with open(path, encoding="utf-8") as f:
        p = _Parser(tokens(f.read()))
    found = {}
    while p.peek() is not None:
        if p.peek() == "var":
            p.take("var")
        p.take("Strings")
        if p.peek() == ".":
            p.take(".")
            code = p.take()[1]
            p.take("=")
            found[code] = p.value()
        else:
            p.take("=")
            found.update(p.value())
        p.take(";")
    return found


def strings_files():
    """strings.js first, then the other languages' files."""
    return [os.path.join(WWW, "strings.js")] + sorted(glob.glob(os.path.join(WWW, "strings-*.js")))


def read_tables():
    tables = {}
    for path in strings_files():
        tables.update(parse_file(path))
    return tables


def flat(table, prefix=""):
    """{dotted key: string} for a table's every string (arrays by index)."""
    items = table.items() if isinstance(table, dict) else enumerate(table)
    out = {}
    for key, value in items:
        name = "%s%s" % (prefix, key)
        if isinstance(value, (dict, list)):
            out.update(flat(value, name + "."))
        else:
            out[name] = value
    return out

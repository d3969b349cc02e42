"""The page in the reader's language (issue 15, must 4): every table has every key of
the English one, index.html's texts all come from the table, and the `language` setting
takes exactly the languages the page has. Pure Python over the files, plus one real
server for the setting; the German page itself is tests/page/test_page_german.py."""
import html.parser
import os
import re

import pytest

from kindlechat import settings
from strings_tables import WWW, flat, read_tables, strings_files
from testkit.serverproc import HTTPFailure, ServerProcess

TABLES = read_tables()
EN = flat(TABLES["en"])
OTHERS = sorted(code for code in TABLES if code != "en")
# Texts in index.html that are the same in every language: names and signs.
SAME_EVERYWHERE = {"KindleChat", "Gemini", "A\u2212", "A+"}


def test_there_is_a_german_table():
    assert "de" in OTHERS


@pytest.mark.parametrize("code", OTHERS)
def test_every_table_has_every_key(code):
    table = flat(TABLES[code])
    missing = sorted(set(EN) - set(table))
    extra = sorted(set(table) - set(EN))
    assert not missing, "%s lacks (English stands in on the page): %s" % (code, missing)
    assert not extra, "%s has keys English lacks: %s" % (code, extra)


@pytest.mark.parametrize("code", OTHERS)
def test_each_text_is_joined_as_in_english(code):
    """A leading or trailing space is where the page joins two texts; a thinking level's
    first item is the value sent to the server, never translated."""
    table = flat(TABLES[code])
    for key, text in EN.items():
        if key not in table or re.match(r"levels\.\d+\.0$", key):
            continue
        other = table[key]
        assert isinstance(other, str) and other.strip(), "%s.%s is empty" % (code, key)
        assert (other[:1] == " ", other[-1:] == " ") == (text[:1] == " ", text[-1:] == " "), \
            "%s.%s is joined differently from English: %r vs %r" % (code, key, other, text)
    assert [pair[0] for pair in TABLES[code]["levels"]] == [pair[0] for pair in TABLES["en"]["levels"]]


def test_each_language_names_itself_apart():
    names = [TABLES[code]["langName"] for code in TABLES]
    assert len(set(names)) == len(names) and "Deutsch" in names


class _Texts(html.parser.HTMLParser):
    """index.html's visible texts and placeholders, each with whether a data-t names it."""

    VOID = {"meta", "link", "input", "br", "hr", "img"}

    def __init__(self):
        super().__init__()
        self.stack, self.texts, self.placeholders, self.keys = [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "placeholder" in a:
            self.placeholders.append((a["placeholder"], a.get("data-t-placeholder")))
            self.keys.append(a.get("data-t-placeholder"))
        if a.get("data-t"):
            self.keys.append(a["data-t"])
        if tag not in self.VOID:
            self.stack.append((tag, a.get("data-t")))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if data.strip() and "body" in tags and "script" not in tags:
            self.texts.append((data.strip(), any(key for _, key in self.stack)))


def index_texts():
    parser = _Texts()
    with open(os.path.join(WWW, "index.html"), encoding="utf-8") as f:
        parser.feed(f.read())
    return parser


def test_index_html_names_the_key_of_every_text():
    p = index_texts()
    unnamed = [text for text, named in p.texts if not named and text not in SAME_EVERYWHERE]
    assert not unnamed, "texts in index.html no table owns (give them data-t): %r" % unnamed
    assert all(key for _, key in p.placeholders), "placeholders without data-t-placeholder: %r" % p.placeholders
    assert len(p.texts) > 20     # the parser saw the page


def test_index_html_keys_are_in_the_table_with_its_english():
    """The English in index.html (shown before the scripts run) is the table's."""
    p = index_texts()
    unknown = sorted({key for key in p.keys if key not in TABLES["en"]})
    assert not unknown, "data-t keys Strings.en lacks: %s" % unknown
    english = set(EN.values())
    differs = [text for text, named in p.texts if named and text not in english]
    assert not differs, "index.html's English differs from Strings.en: %r" % differs


def test_index_html_loads_every_table_before_kit_js():
    with open(os.path.join(WWW, "index.html"), encoding="utf-8") as f:
        scripts = re.findall(r'<script src="([^"]+)"', f.read())
    tables = [os.path.basename(p) for p in strings_files()]
    assert set(tables) <= set(scripts), "tables index.html does not load: %s" % (set(tables) - set(scripts))
    assert max(scripts.index(t) for t in tables) < scripts.index("kit.js")


def test_the_setting_takes_the_languages_the_page_has():
    assert set(settings.LANGUAGES) == set(TABLES)


@pytest.mark.parametrize("given, kept", [("de", "de"), ("DE", "de"), ("de-AT", "de"), ("es_ES", "es"),
                                         ("", ""), (" fr ", "fr")])
def test_language_setting_is_a_table_code_or_empty(given, kept):
    assert settings.coerce("language", given) == kept


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(str(tmp_path_factory.mktemp("kc-lang") / "data"), "--demo")
    srv.start()
    yield srv
    srv.stop()


def test_a_language_the_page_lacks_is_refused_and_nothing_is_lost(server):
    server.request("PUT", "/api/settings", {"language": "de", "model": "kept-model"})
    with pytest.raises(HTTPFailure) as info:
        server.request("PUT", "/api/settings", {"language": "klingon", "model": "lost-model"})
    assert info.value.status == 400
    assert "language must be one of" in info.value.body["error"]["message"]
    after = server.get("/api/settings")
    assert (after["language"], after["model"]) == ("de", "kept-model")
    assert server.request("PUT", "/api/settings", {"language": ""})["language"] == ""

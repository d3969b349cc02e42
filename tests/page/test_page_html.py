"""index.html in the reader's language from its first byte (issue 22.12): the setting,
else the browser's first language the page has, else English; one table loaded."""
import http.client
import re

import pytest

from kindlechat.web import page_html
from page_fixtures import Server


@pytest.mark.parametrize("accept, code", [
    ("de-DE,de;q=0.9,en;q=0.8", "de"), ("en-US,en;q=0.9", "en"), ("nl-NL, fr;q=0.5, es;q=0.7", "es"),
    ("fr;q=0, es;q=0.1", "es"), ("", ""), (None, ""), ("xx, ;q=bad, de;q=x", ""), ("ES_es", "es")])
def test_the_browsers_first_language_the_page_has(accept, code):
    assert page_html.browser_language(accept) == code


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-page-html"))
    yield srv
    srv.stop()


def index(server, accept):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/", headers={"Accept-Language": accept})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read().decode("utf-8")
    finally:
        conn.close()


def served(html):
    return (re.search(r'<html lang="(\w+)" data-language="(\w*)"', html).groups(),
            [s for s in re.findall(r'<script src="([^"]+)"', html) if s.startswith("strings")])


def test_served_in_the_setting_else_the_browsers_language(server):
    status, headers, html = index(server, "fr-FR,fr;q=0.9")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Accept-Language" in headers["Vary"]
    assert served(html) == (("fr", ""), ["strings.js", "strings-fr.js"])
    assert served(index(server, "nl")[2]) == (("en", ""), ["strings.js"])
    server.request("PUT", "api/settings", {"language": "de"})
    try:
        assert served(index(server, "fr-FR,fr;q=0.9")[2]) == (("de", "de"), ["strings.js", "strings-de.js"])
    finally:
        server.request("PUT", "api/settings", {"language": ""})

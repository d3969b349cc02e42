"""The docs are tested (issue 11, must 6; the Datasette habit): the "HTTP API" sections
of README.md and docs/ARCHITECTURE.md list every route the server has, and no route it
lacks. Whoever adds, renames or removes a route is told here which doc to change.

Routes come from the real app (kindlechat.web.routes.make_app over a real service.ChatServer),
the docs' from their curl lines and their `METHOD /api/...` spans. Placeholders are
compared as `{}`: bottle's <cid> and <index:int>, the docs' {id}, {N}, $ID and 1.
"""
import os
import re
import shlex

import pytest

from kindlechat.web import routes as server
from kindlechat import service, settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = {"README.md": "## HTTP API", "docs/ARCHITECTURE.md": "## HTTP API"}
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")
SPAN = re.compile(r"`(%s) (/[^`\s?]*)" % "|".join(METHODS))


def normalise(path):
    """/api/chats/<cid>/messages/<index:int> and /api/chats/$ID/messages/1 both give
    /api/chats/{}/messages/{}."""
    path = path.split("?", 1)[0].split("#", 1)[0].rstrip("/") or "/"
    parts = ["{}" if re.fullmatch(r"<[^>]*>|\{[^}]*\}|\$\w+|\d+|\.\.\.", p) else p
             for p in path.split("/")]
    return "/".join(parts)


def section(path, heading):
    """The text of the section that starts with heading, up to the next heading of
    its level."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    start = text.index(heading)
    level = heading.split(" ", 1)[0] + " "
    end = text.find("\n" + level, start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def curl_routes(line):
    """(METHOD, path) of each curl command on a shell line."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return []
    out, i = [], 0
    while i < len(tokens):
        if not tokens[i].endswith("curl"):
            i += 1
            continue
        method, url, i = None, None, i + 1
        while i < len(tokens) and tokens[i] != "|" and not tokens[i].endswith("curl"):
            tok = tokens[i]
            if tok in ("-X", "--request") and i + 1 < len(tokens):
                method, i = tokens[i + 1], i + 1
            elif tok.startswith("-X"):
                method = tok[2:]
            elif tok in ("-d", "--data") and method is None:
                method = "POST"
            elif "/api/" in tok and url is None:
                url = tok[tok.index("/api/"):]
            i += 1
        if url:
            out.append((method or "GET", normalise(url)))
    return out


def documented(text):
    """{(METHOD, normalised path)} a doc section names."""
    found = set()
    for line in text.splitlines():
        found.update(curl_routes(line))
        found.update((m, normalise(p)) for m, p in SPAN.findall(line))
    return found


def app_routes():
    """{(METHOD, normalised rule): rule} of the real app's API routes (the page's
    static routes, / and /<name:path>, are not API)."""
    import tempfile
    with tempfile.TemporaryDirectory() as data:
        chat = service.ChatServer(settings.load(["--data-dir", data], environ={}))
        app = server.make_app(chat)
        return {(r.method, normalise(r.rule)): r.rule for r in app.routes if r.rule.startswith("/api/")}


def differences(doc, has, lists):
    """The failure message: each route missing from the doc, and each the doc lists
    that the server does not have, one a line."""
    lines = ["%s: route %s %s (server rule %s) is not in its HTTP API section: document it "
             "there (a curl line or a `%s %s` span)" % (doc, m, p, has[(m, p)], m, p)
             for m, p in sorted(set(has) - lists)]
    lines += ["%s: its HTTP API section lists %s %s, which the server has no route for: "
              "remove it or fix the method/path" % (doc, m, p) for m, p in sorted(lists - set(has))]
    return "\n".join(lines)


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_http_api_section_lists_exactly_the_routes(doc):
    has = app_routes()
    lists = documented(section(doc, DOCS[doc]))
    assert len(has) >= 10, has      # the app's routes were read at all
    problems = differences(doc, has, lists)
    assert not problems, "\n" + problems


def test_a_missing_or_extra_route_is_named():
    """The check itself: a doc that forgets one route and invents another is told both."""
    has = app_routes()
    text = section("README.md", DOCS["README.md"]).replace("/retry", "/redo")
    problems = differences("README.md", has, documented(text))
    assert "route POST /api/chats/{}/retry (server rule /api/chats/<cid>/retry) is not in" in problems
    assert "lists POST /api/chats/{}/redo, which the server has no route for" in problems


def test_curl_lines_are_read_as_the_shell_would():
    assert curl_routes('ID=$(curl -s -XPOST -H "$J" -d \'{}\' $K/api/chats | python3 -c x)') == \
        [("POST", "/api/chats")]
    assert curl_routes('curl "$K/api/chats/$ID/messages/1?from=0&wait=20"    # long poll') == \
        [("GET", "/api/chats/{}/messages/{}")]
    assert curl_routes("curl -X DELETE $K/api/chats/$ID") == [("DELETE", "/api/chats/{}")]


def test_architecture_names_every_module_of_the_server():
    """docs/ARCHITECTURE.md's file list names each module of src/kindlechat (a new one
    is documented where a reader looks for it)."""
    import glob
    src = os.path.join(ROOT, "src", "kindlechat")
    with open(os.path.join(ROOT, "docs", "ARCHITECTURE.md"), encoding="utf-8") as f:
        doc = f.read()
    names = [os.path.basename(p) for p in glob.glob(os.path.join(src, "*.py")) if not p.endswith("__init__.py")]
    names += [os.path.basename(p) + "/" for p in glob.glob(os.path.join(src, "*")) if os.path.isdir(p)
              and os.path.exists(os.path.join(p, "__init__.py"))]
    missing = sorted(n for n in names if n not in doc)
    assert missing == [], "docs/ARCHITECTURE.md does not name: %s" % ", ".join(missing)

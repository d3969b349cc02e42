"""A loopback upstream that behaves like today's Gemini (December 2026, docs/MODELS.md),
for the tests of issue 21: Upstream(route=Today()) answers by path and body, with the
real bodies of tests/fixtures/gemini, instead of a script.

- GET .../v1beta/models: the lineup, 2.5 Flash still listed (as for a new key);
- a generate request for gemini-2.0-* or gemini-2.5-*: Google's retirement 404
  (err_404_retired_new_users_9router_2788.json, naming the model asked for);
- thinkingLevel MINIMAL to 3.7/3.8 Flash or the Flash alias: the 400
  (err_400_thinking_minimal_38flash_pi_9455.json);
- anything else: a short streamed reply.
Every request stays in Upstream.requests; asked() gives the generate requests' (model, body).
"""
import json
import os
import re

from testkit.fixtures import gemini_dir
from testkit.gemini_chunks import sse_body
from testkit.upstream import Reply

GENERATE = re.compile(r"/v1beta/models/([^/:]+):streamGenerateContent")
RETIRED = re.compile(r"^gemini-2\.[05]-")
NO_MINIMAL = re.compile(r"^gemini-(3\.[78]-flash$|flash-latest$)")
LISTED = ("gemini-3.8-flash", "gemini-3.7-flash", "gemini-3.5-flash-lite", "gemini-3.1-flash-lite",
          "gemini-3.1-pro-preview", "gemini-flash-latest", "gemini-flash-lite-latest", "gemini-2.5-flash")
ANSWER = "Today's answer."


def fixture(name):
    with open(os.path.join(gemini_dir(), name), "rb") as f:
        return f.read()


def listing():
    """The models list: the captured 3.8 Flash entry, the others laid out like it."""
    entry = json.loads(fixture("models_gemini_3_8_flash_ibuhub_257.json").decode("utf-8"))
    models = [dict(entry, name="models/" + n, displayName=n) for n in LISTED]
    return json.dumps({"models": models}).encode("utf-8")


def retired(model):
    doc = json.loads(fixture("err_404_retired_new_users_9router_2788.json").decode("utf-8"))
    doc["error"]["message"] = doc["error"]["message"].replace("gemini-2.5-flash", model)
    return json.dumps(doc, indent=2).encode("utf-8")


class Today:
    """The route: request -> Reply."""

    def __call__(self, request):
        if request["method"] == "GET" and request["path"].split("?")[0].endswith("/v1beta/models"):
            return Reply(body=listing(), content_type="application/json; charset=UTF-8", framing="length")
        found = GENERATE.search(request["path"])
        if not found:
            return Reply(status=404, body=b'{"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}}',
                         content_type="application/json", framing="length")
        model, body = found.group(1), json.loads(request["body"].decode("utf-8"))
        level = ((body.get("generationConfig") or {}).get("thinkingConfig") or {}).get("thinkingLevel")
        if RETIRED.match(model):
            return Reply(status=404, body=retired(model), content_type="application/json", framing="length")
        if level == "MINIMAL" and NO_MINIMAL.match(model):
            return Reply(status=400, body=fixture("err_400_thinking_minimal_38flash_pi_9455.json"),
                         content_type="application/json", framing="length")
        return Reply(body=sse_body([ANSWER]))


def asked(up):
    """(model, body) of every generate request the upstream got, in order."""
    out = []
    for request in up.requests:
        found = GENERATE.search(request["path"])
        if found:
            out.append((found.group(1), json.loads(request["body"].decode("utf-8"))))
    return out

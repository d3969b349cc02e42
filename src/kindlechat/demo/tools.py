"""What the demo emulator (emulator.py) says for Gemini's tools and the model list,
laid out as the real service lays it out (the captures in tests/fixtures/gemini:
pai_google_search_gemini25pro.sse, pai_url_context_gemini25flash.sse,
err_400_thinking_config_vercel.json, err_400_thinking_minimal_38flash_pi_9455.json,
err_404_retired_new_users_9router_2788.json; Gemini's models.list), as of December
2026 (docs/MODELS.md).

    >>> page, token = models_page(None)
    >>> page[0]["name"], token
    ('models/gemini-3.8-flash', 'demo-page-2')
    >>> [m["name"] for m in models_page(token)[0]][-1], models_page(token)[1]
    ('models/gemini-embedding-001', None)
    >>> json.loads(retired_body("gemini-2.5-flash"))["error"]["message"][-23:]
    'models/gemini-3.8-flash'
"""
import json
import re
from urllib.parse import quote_plus

from ..words import cards

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.I)


def _model(name, display, thinking, methods=("generateContent", "countTokens", "createCachedContent",
                                             "batchGenerateContent")):
    return {"name": "models/" + name, "version": "001", "displayName": display,
            "description": "%s (KindleChat demo list)" % display, "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536, "supportedGenerationMethods": list(methods),
            "temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2, "thinking": thinking}


# Two pages, so that a client that does not follow nextPageToken misses models. As
# for a key made since July 2026, the list still names 2.5 Flash and Flash-Lite, which
# then answer 404 (RETIRED): the list alone cannot be trusted.
MODELS = [
    _model("gemini-3.8-flash", "Gemini 3.8 Flash", True),
    _model("gemini-3.7-flash", "Gemini 3.7 Flash", True),
    _model("gemini-3.5-flash-lite", "Gemini 3.5 Flash-Lite", True),
    _model("gemini-3.1-flash-lite", "Gemini 3.1 Flash-Lite", True),
    _model("gemini-3.1-pro-preview", "Gemini 3.1 Pro Preview", True),
    _model("gemini-flash-latest", "Gemini Flash Latest", True),
    _model("gemini-flash-lite-latest", "Gemini Flash-Lite Latest", True),
    _model("gemini-2.5-flash", "Gemini 2.5 Flash", True),
    _model("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", True),
    _model("gemma-3-27b-it", "Gemma 3 27B", None),
    _model("gemini-embedding-001", "Gemini Embedding 001", None, ("embedContent", "countTextTokens")),
]
PAGE = 6
# Retired for new keys: Google's 404 names the model to use instead.
RETIRED = re.compile(r"^gemini-2\.[05]-")
REPLACEMENT = "gemini-3.8-flash"
# The models that take LOW, MEDIUM and HIGH only (the alias points at 3.8 Flash).
NO_MINIMAL = re.compile(r"^gemini-(3\.[78]-flash|flash-latest|3\.1-pro)")


def retired_body(model, replacement=REPLACEMENT):
    """Gemini's 404 for a model a new key may no longer use, in its own words."""
    error = {"code": 404, "status": "NOT_FOUND", "message": "This model models/%s is no longer available to new "
             "users. Please update your code to use models/%s" % (model, replacement)}
    return json.dumps({"error": error}, indent=2).encode("utf-8") + b"\n"


def models_page(token):
    """(models of the page, nextPageToken or None) for pageToken token."""
    start = PAGE if token == "demo-page-2" else 0
    page = [{k: v for k, v in m.items() if v is not None} for m in MODELS[start:start + PAGE]]
    return page, ("demo-page-2" if start == 0 else None)


def thinking_refusal(model, request):
    """The 400 message Gemini gives for a thinking setting this model refuses, or None."""
    thinking = ((request.get("generationConfig") or {}).get("thinkingConfig")) or {}
    if "thinkingBudget" in thinking and "thinkingLevel" in thinking:
        return "You can only set only one of thinking budget and thinking level."
    if thinking.get("thinkingLevel") == "MINIMAL" and NO_MINIMAL.match(model):
        return "Thinking level MINIMAL is not supported for this model. Please retry with other thinking level."
    return None


def tools_of(request):
    """The names of the tools a request asks for (either spelling Gemini takes)."""
    names = set()
    for tool in request.get("tools") or []:
        for name in tool:
            names.add({"googleSearch": "google_search", "urlContext": "url_context"}.get(name, name))
    return names


def search_answer(question):
    """(text, groundingMetadata) of a grounded answer: sentences each backed by
    sources, the offsets counting UTF-8 bytes as Gemini's do."""
    topic = " ".join(question.split())[:80] or "your question"
    sentences = [("Here is what the web says about %s (demo mode: these sources are examples)." % topic, []),
                 ("The first source, an encyclopaedia, gives the background.", [0]),
                 ("A news site adds what changed this week \u2014 in °C and °F alike.", [1, 2]),
                 ("A search page lists more to read.", [3])]
    text = "### From the web\n\n"
    supports = []
    for sentence, chunks in sentences:
        start = len(text.encode("utf-8"))
        text += sentence + " "
        if chunks:
            supports.append({"segment": {"startIndex": start, "endIndex": start + len(sentence.encode("utf-8")),
                                         "text": sentence}, "groundingChunkIndices": chunks})
    sources = [{"web": {"uri": REDIRECT + "demo-encyclopaedia", "title": "wikipedia.org"}},
               {"web": {"uri": REDIRECT + "demo-news", "title": "bbc.co.uk"}},
               {"web": {"uri": REDIRECT + "demo-weather", "title": "weather.gov"}},
               {"web": {"uri": "https://www.google.com/search?q=" + quote_plus(topic),
                        "title": "More about " + topic}}]
    meta = {"searchEntryPoint": {"renderedContent": "<style>.container{display:flex}</style>"
                                                    "<div class=\"container\">demo</div>"},
            "groundingChunks": sources, "groundingSupports": supports, "webSearchQueries": [topic]}
    return text.rstrip() + "\n", meta


def url_metadata(question, fail_last):
    """urlContextMetadata for the URLs in question (two examples if it names none);
    fail_last: the last one could not be read (demo:url)."""
    found = URL.findall(question) or ["https://example.com/article", "https://example.org/unreachable"]
    found = [u.rstrip(".,;:!?)") for u in found]   # the sentence's punctuation is not the URL's
    found = ["https://" + u if u.lower().startswith("www.") else u for u in found]
    out = []
    for n, url in enumerate(found):
        failed = fail_last and n == len(found) - 1
        out.append({"retrievedUrl": url, "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_" +
                    ("ERROR" if failed else "SUCCESS")})
    return {"urlMetadata": out}


def url_answer(meta):
    lines = ["### The pages you linked\n"]
    for item in meta["urlMetadata"]:
        ok = item["urlRetrievalStatus"].endswith("SUCCESS")
        lines.append("- %s: %s" % (item["retrievedUrl"], "read (demo mode: a made-up summary, it is a short page "
                                   "about its own subject)." if ok else "could not be read."))
    return "\n".join(lines) + "\n"


def decorate(chunks, grounding=None, url_meta=None):
    """The answer's chunks with groundingMetadata {} on each but the last (the full
    one there, beside finishReason, as in the real capture) and urlContextMetadata
    on the first."""
    first = True
    for event, tokens in chunks:
        if isinstance(event, dict) and event.get("candidates"):
            candidate = event["candidates"][0]
            if grounding is not None:
                candidate["groundingMetadata"] = grounding if candidate.get("finishReason") else {}
            if url_meta is not None and first:
                candidate["urlContextMetadata"] = url_meta
            first = False
        yield event, tokens


def daily_quota_body(model):
    """A 429 for a per-day quota: the free tier's current layout (see
    err_429_quota_retryinfo_roocode_issue_3883.json), the quotaId naming the day."""
    error = {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": (
        "You exceeded your current quota, please check your plan and billing details. For more information "
        "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. \n* Quota exceeded for "
        "metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 20, model: %s"
        % model), "details": [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            "quotaDimensions": {"location": "global", "model": model}, "quotaValue": "20"}]},
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
            "description": "Learn more about Gemini API quotas",
            "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "65205s"}]}
    return json.dumps({"error": error}, indent=2).encode("utf-8") + b"\n"


def card_answer(question):
    """A card request's answer (words/cards.py's prompt), in the format it asks for,
    or None for any other question: the demo writes cards as a model would.

        >>> print(card_answer(cards.prompt([{"word": "grapple", "lang": "en", "usage": "I grapple."}], "German")))
        #1
        meaning: (demo, in German) what "grapple" means in its sentence
        example: A second sentence with grapple, written by the demo.
        <BLANKLINE>
    """
    if not question.startswith(cards.MARKER):
        return None
    language = re.search(r"written in (.+?), in one short line", question)
    language = language.group(1) if language else "English"
    out = []
    for n, word, _lang in cards.asked(question):
        out += ["#%d" % n, 'meaning: (demo, in %s) what "%s" means in its sentence' % (language, word),
                "example: A second sentence with %s, written by the demo." % word, ""]
    return "\n".join(out)

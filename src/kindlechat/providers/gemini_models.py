"""Gemini's model list: GET {base}/v1beta/models, every page, the models that can
write a chat reply. The transport is passed in (transport.Transport.get); errors
come back as values (errors.py), never raised.

    >>> entry({"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash",
    ...        "supportedGenerationMethods": ["generateContent", "countTokens"], "thinking": True})
    {'name': 'gemini-2.5-flash', 'display_name': 'Gemini 2.5 Flash', 'thinking': True}
    >>> entry({"name": "models/text-embedding-004", "supportedGenerationMethods": ["embedContent"]}) is None
    True
    >>> models_url("https://g.example/relay/", "a b")
    'https://g.example/relay/v1beta/models?pageSize=1000&pageToken=a+b'
"""
import json
from urllib.parse import urlencode

from ..errors import from_error_body, from_exception, not_event_stream

# A list that never ends (a relay repeating its nextPageToken) stops here: Gemini
# has about 50 models, one page at pageSize=1000.
MAX_PAGES = 20
MAX_MODELS = 500


def models_url(base_url, page_token=None):
    query = {"pageSize": 1000}
    if page_token:
        query["pageToken"] = page_token
    return "%s/v1beta/models?%s" % (base_url.rstrip("/"), urlencode(query))


def entry(model):
    """{"name", "display_name", "thinking"} of one listed model, or None if it can't
    write a reply (embeddings, image-only, ...). thinking is None when not said."""
    if not isinstance(model, dict) or not isinstance(model.get("name"), str):
        return None
    methods = model.get("supportedGenerationMethods")
    if not isinstance(methods, list) or "generateContent" not in methods:
        return None
    name = model["name"][len("models/"):] if model["name"].startswith("models/") else model["name"]
    display = model.get("displayName") if isinstance(model.get("displayName"), str) else ""
    thinking = model.get("thinking") if isinstance(model.get("thinking"), bool) else None
    return {"name": name[:200], "display_name": (display or name)[:200], "thinking": thinking}


def list_models(transport, base_url, api_key, timeouts, who="Gemini"):
    """(models, None) or (None, error): every page, nextPageToken followed."""
    headers = {"x-goog-api-key": api_key, "Accept": "application/json"}
    models, token = [], None
    try:
        for _ in range(MAX_PAGES):
            status, content_type, text = transport.get(models_url(base_url, token), headers, timeouts)
            doc, error = _page(status, content_type, text, who)
            if error is not None:
                return None, error
            models += [m for m in map(entry, _list(doc.get("models"))) if m is not None]
            token = doc.get("nextPageToken")
            if not token or not isinstance(token, str) or len(models) >= MAX_MODELS:
                break
    except Exception as exc:  # noqa: BLE001 -- offline, DNS, timeouts: said in plain words
        return None, from_exception(exc, dict({"connect": 15, "read": 120}, **timeouts), who)
    return models[:MAX_MODELS], None


def _page(status, content_type, text, who="Gemini"):
    """(the page's JSON object, None), or (None, error)."""
    if 300 <= status < 400:   # Gemini does not redirect; Wi-Fi login pages do
        return None, not_event_stream(status, "", who)
    if status != 200:
        return None, from_error_body(status, text, who)
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):   # a login page answering 200
        return None, not_event_stream(status, text, who)
    return doc, None


def _list(value):
    return value if isinstance(value, list) else []

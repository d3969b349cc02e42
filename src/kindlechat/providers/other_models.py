"""The model lists of the providers other than Gemini (gemini_models.py has
Gemini's): OpenAI-compatible GET {base}/models, Anthropic GET {base}/v1/models
(every page), Ollama GET {base}/api/tags. Each gives (models, None) or (None,
error), errors as values (errors.py), never raised.

    >>> openai_entries({"object": "list", "data": [{"id": "gpt-4.1-nano", "object": "model"}]})
    [{'name': 'gpt-4.1-nano', 'display_name': 'gpt-4.1-nano', 'thinking': None}]
    >>> ollama_entries({"models": [{"name": "qwen3:0.6b", "model": "qwen3:0.6b"}]})[0]["name"]
    'qwen3:0.6b'

None of the three lists says whether a model thinks (thinking is None): the
request builders then send no reasoning setting the model could refuse.
"""
import json
from urllib.parse import urlencode

from ..errors import from_exception, provider_http_error, provider_not_a_stream

MAX_PAGES, MAX_MODELS = 20, 500


def _entry(name, display=None):
    if not isinstance(name, str) or not name:
        return None
    display = display if isinstance(display, str) and display else name
    return {"name": name[:200], "display_name": display[:200], "thinking": None}


def openai_entries(doc):
    return [e for e in (_entry(m.get("id")) for m in _dicts(doc.get("data"))) if e]


def anthropic_entries(doc):
    return [e for e in (_entry(m.get("id"), m.get("display_name")) for m in _dicts(doc.get("data"))) if e]


def ollama_entries(doc):
    return [e for e in (_entry(m.get("model") or m.get("name"), m.get("name")) for m in _dicts(doc.get("models")))
            if e]


def _dicts(value):
    return [m for m in value if isinstance(m, dict)] if isinstance(value, list) else []


def _bearer(api_key):
    """OpenAI-compatible services and Ollama (behind a proxy) take the key as a bearer token;
    on the reader's own network there may be none."""
    headers = {"Accept": "application/json"}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    return headers


def openai_models(transport, base_url, api_key, timeouts, who="The service"):
    return _fetch(transport, who, lambda _: base_url.rstrip("/") + "/models", _bearer(api_key),
                  timeouts, openai_entries)


def ollama_models(transport, base_url, api_key, timeouts, who="Ollama"):
    return _fetch(transport, who, lambda _: base_url.rstrip("/") + "/api/tags", _bearer(api_key),
                  timeouts, ollama_entries)


def anthropic_models(transport, base_url, api_key, timeouts, who="Anthropic"):
    from .anthropic_messages import VERSION
    headers = {"x-api-key": api_key, "anthropic-version": VERSION, "Accept": "application/json"}

    def url(after):
        query = dict({"limit": 1000}, **({"after_id": after} if after else {}))
        return "%s/v1/models?%s" % (base_url.rstrip("/"), urlencode(query))
    return _fetch(transport, who, url, headers, timeouts, anthropic_entries,
                  lambda doc: doc.get("last_id") if doc.get("has_more") else None)


def _fetch(transport, who, url, headers, timeouts, entries, next_page=lambda doc: None):
    """Every page's models, or the first error."""
    models, after = [], None
    try:
        for _ in range(MAX_PAGES):
            status, _, text = transport.get(url(after), headers, timeouts)
            doc, error = _page(who, status, text)
            if error is not None:
                return None, error
            models += entries(doc)
            after = next_page(doc)
            if not isinstance(after, str) or not after or len(models) >= MAX_MODELS:
                break
    except Exception as exc:  # noqa: BLE001 -- offline, DNS, timeouts: said in plain words
        return None, from_exception(exc, dict({"connect": 15, "read": 120}, **timeouts), who)
    return models[:MAX_MODELS], None


def _page(who, status, text):
    """(the page's JSON object, None), or (None, error)."""
    if 300 <= status < 400:   # no model API redirects; Wi-Fi login pages do
        return None, provider_not_a_stream(who, status, "")
    if status != 200:
        return None, provider_http_error(who, status, text)
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):   # a login page answering 200
        return None, provider_not_a_stream(who, status, text)
    return doc, None

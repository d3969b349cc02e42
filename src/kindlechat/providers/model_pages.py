"""Every page of a service's model list, read the one way all kinds share: GET each
page, read it as a JSON object, take its models, follow the next-page token. Each
wire-format module says only its URL, headers, entries and token (its own
list_models); errors come back as values, never raised.

    >>> entry("gpt-4.1-nano"), entry("", "x")
    ({'name': 'gpt-4.1-nano', 'display_name': 'gpt-4.1-nano', 'thinking': None}, None)
    >>> dicts([{"id": 1}, "x"]), dicts(None)
    ([{'id': 1}], [])
"""
import json

from ..errors import from_exception, provider_http_error, provider_not_a_stream

# A list that never ends (a relay repeating its token) stops here: the largest
# services list a few hundred models.
MAX_PAGES, MAX_MODELS = 20, 500


def entry(name, display=None, thinking=None):
    """{"name", "display_name", "thinking"} of one model, or None without a name.
    thinking is None where the list does not say: the request builders then send
    no thinking setting the model could refuse."""
    if not isinstance(name, str) or not name:
        return None
    display = display if isinstance(display, str) and display else name
    return {"name": name[:200], "display_name": display[:200], "thinking": thinking}


def dicts(value):
    return [m for m in value if isinstance(m, dict)] if isinstance(value, list) else []


def provider_words(who):
    """(not_json, refused) for fetch, in the words of the services other than Gemini
    (errors/providers.py); Gemini's list says its own (gemini.py)."""
    return (lambda status, text: provider_not_a_stream(who, status, text),
            lambda status, text: provider_http_error(who, status, text))


def fetch(transport, url, headers, timeouts, entries, who, not_json, refused, next_page=lambda doc: None):
    """(models, None) or (None, the first error). url(token) is a page's URL (token
    None for the first), entries(doc) its models, next_page(doc) the next token;
    not_json(status, text) and refused(status, text) are the kind's words for a page
    that is not a list (a Wi-Fi login page) and for an HTTP error."""
    models, token = [], None
    try:
        for _ in range(MAX_PAGES):
            status, _, text = transport.get(url(token), headers, timeouts)
            doc, error = _page(status, text, not_json, refused)
            if error is not None:
                return None, error
            models += [m for m in entries(doc) if m is not None]
            token = next_page(doc)
            if not isinstance(token, str) or not token or len(models) >= MAX_MODELS:
                break
    except Exception as exc:  # noqa: BLE001 -- offline, DNS, timeouts: said in plain words
        return None, from_exception(exc, dict({"connect": 15, "read": 120}, **timeouts), who)
    return models[:MAX_MODELS], None


def _page(status, text, not_json, refused):
    """(the page's JSON object, None), or (None, error)."""
    if 300 <= status < 400:   # no model API redirects; Wi-Fi login pages do
        return None, not_json(status, "")
    if status != 200:
        return None, refused(status, text)
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):   # a login page answering 200
        return None, not_json(status, text)
    return doc, None

"""The model list the page picks from, fetched once and kept for the server's life
(a Kindle's Wi-Fi is slow, and the list changes every few months), fetched again
on request or when the service it came from changes (a new API key, demo mode
ended). Knows no provider: fetch is providers.ask.list_models.

    >>> calls = []
    >>> def fetch():
    ...     calls.append(1)
    ...     return [{"name": "gemini-3-flash-preview", "display_name": "Gemini 3 Flash", "thinking": True}], None
    >>> cache = ModelList()
    >>> cache.get(fetch, "key-1")[0][0]["name"], cache.get(fetch, "key-1")[1], len(calls)
    ('gemini-3-flash-preview', None, 1)
    >>> cache.thinking("gemini-3-flash-preview", "key-1"), cache.thinking("other", "key-1")
    (True, None)
    >>> _ = cache.get(fetch, "key-2"); len(calls)
    2
"""
import threading


class ModelList:
    """One cached list: [{"name", "display_name", "thinking"}]. A failed fetch is
    never cached: the list (if any) stays, and the next request tries again."""

    def __init__(self):
        self._models = None
        self._source = None
        self._lock = threading.Lock()   # one fetch at a time; the others wait for its list

    def get(self, fetch, source, refresh=False):
        """(models, None), or (None, error) if fetch() failed; source names where
        the list comes from (a different one fetches anew)."""
        with self._lock:
            if refresh or self._models is None or self._source != source:
                models, error = fetch()
                if error is not None:
                    return None, error
                self._models, self._source = models, source
            return self._models, None

    def thinking(self, name, source):
        """The list's word on whether a model thinks: True, False, or None when not
        known (no list yet, a list from elsewhere, a model it does not name)."""
        models = self._models if self._source == source else None
        for model in models or ():
            if model["name"] == name:
                return model.get("thinking")
        return None

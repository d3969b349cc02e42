"""What Gemini says about where an answer came from, in provider-neutral fields:
the web sources (groundingMetadata.groundingChunks), the searches it ran
(webSearchQueries), and how each page a message linked to was read
(urlContextMetadata). Knows no network; gemini.Decoder calls it per candidate.

    >>> meta = {"groundingChunks": [{"web": {"uri": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AU",
    ...                                      "title": "weather.gov"}}],
    ...         "webSearchQueries": ["weather in San Francisco today"]}
    >>> sources(meta)
    [{'title': 'weather.gov', 'uri': 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AU', 'site': 'weather.gov'}]
    >>> queries(meta)
    ['weather in San Francisco today']
    >>> urls({"urlMetadata": [{"retrievedUrl": "https://x.org", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_PAYWALL"}]})
    [{'url': 'https://x.org', 'status': 'PAYWALL'}]

Not carried: searchEntryPoint.renderedContent, the search suggestions as HTML and
CSS that Google's terms ask to be shown. The Kindle's page never runs HTML it was
sent (a reply is text, always): the page shows the searches as plain text instead
(README, "HTTP API"). groundingSupports are not used either: their segment offsets
count UTF-8 bytes of the text, and the list of sources under the reply is enough.
"""
from urllib.parse import urlsplit

# Bounds, so a broken or hostile upstream can't grow a message without end: Gemini
# sends a handful of each (the real captures: 5 sources, 1 query, 1 URL).
MAX_ITEMS = 40
MAX_TITLE = 300
MAX_URI = 2048
# Search sources point at Google's redirect; the site is then in the title.
REDIRECT_HOST = "vertexaisearch.cloud.google.com"
URL_STATUS_PREFIX = "URL_RETRIEVAL_STATUS_"


def _text(value, limit):
    return value[:limit] if isinstance(value, str) else ""


def site_of(uri, title):
    """The site a source is on, for the reader: the URI's host, or for Google's
    redirect links the title (Google puts the domain there).

        >>> site_of("https://www.ktvu.com/weather", "KTVU"), site_of("https://" + REDIRECT_HOST + "/r/1", "ktvu.com")
        ('ktvu.com', 'ktvu.com')
    """
    try:
        host = (urlsplit(uri).hostname or "").lower()
    except ValueError:
        host = ""
    if host == REDIRECT_HOST or not host:
        return title
    return host[4:] if host.startswith("www.") else host


def sources(meta):
    """[{"title", "uri", "site"}] of a groundingMetadata object, or None if it names none."""
    out = []
    for chunk in _list(meta.get("groundingChunks")):
        web = chunk.get("web") if isinstance(chunk, dict) else None
        if not isinstance(web, dict):
            continue
        uri, title = _text(web.get("uri"), MAX_URI), _text(web.get("title"), MAX_TITLE)
        if uri or title:
            out.append({"title": title or uri, "uri": uri, "site": site_of(uri, title)})
    return out[:MAX_ITEMS] or None


def queries(meta):
    """The searches Gemini ran ([str]), or None."""
    out = [q[:MAX_TITLE] for q in _list(meta.get("webSearchQueries")) if isinstance(q, str) and q]
    return out[:MAX_ITEMS] or None


def urls(meta, before=None):
    """[{"url", "status"}] of a urlContextMetadata object, merged into before (the
    list so far: a URL keeps its place, its status is the latest); None if none.
    Status is SUCCESS, ERROR, PAYWALL, UNSAFE (or UNSPECIFIED) without Google's prefix."""
    out = [dict(u) for u in before or []]
    for item in _list(meta.get("urlMetadata")):
        if not isinstance(item, dict) or not isinstance(item.get("retrievedUrl"), str):
            continue
        status = _text(item.get("urlRetrievalStatus"), 64) or "UNSPECIFIED"
        if status.startswith(URL_STATUS_PREFIX):
            status = status[len(URL_STATUS_PREFIX):]
        url = item["retrievedUrl"][:MAX_URI]
        known = [u for u in out if u["url"] == url]
        if known:
            known[0]["status"] = status
        elif len(out) < MAX_ITEMS:
            out.append({"url": url, "status": status})
    return out or None


def _list(value):
    return value if isinstance(value, list) else []


class Collector:
    """The grounding of one reply, as its chunks arrive: groundingMetadata can come
    in any chunk and empty {} ones come before the full one, so the last one that
    names something is kept; URL statuses are merged over the chunks."""

    def __init__(self):
        self.sources = self.queries = self.urls = None

    def candidate(self, candidate):
        """Read one candidate's metadata; True if a field changed."""
        before = (self.sources, self.queries, self.urls)
        meta = candidate.get("groundingMetadata")
        if isinstance(meta, dict) and meta:
            found_sources, found_queries = sources(meta), queries(meta)
            if found_sources or found_queries:
                self.sources, self.queries = found_sources, found_queries
        url_meta = candidate.get("urlContextMetadata")
        if isinstance(url_meta, dict) and url_meta:
            merged = urls(url_meta, self.urls)
            if merged != self.urls:
                self.urls = merged
        return (self.sources, self.queries, self.urls) != before

"""The one place a reply's stream is asked for: the provider's request builder
and decoder, on the server's transport. The service and the replies name no
provider; a new provider adds its wire format module (a request() and a Decoder)
and its line here.

    >>> from kindlechat import settings, transport
    >>> s = settings.load(["--data-dir", "/nonexistent"], environ={})
    >>> stream = open_stream(transport.Transport(), s, [("user", "Hi")], "http://127.0.0.1:9")
    >>> stream.exchange.url
    'http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
"""
from . import gemini, gemini_models
from .stream import ReplyStream


def _endpoint(settings, demo_url):
    """(base URL, key, timeouts): the emulator's in demo mode, else the real service's."""
    base, key = (demo_url, "demo") if demo_url else (settings["gemini_url"], settings["api_key"])
    return base, key, {"connect": settings["connect_timeout"], "read": settings["read_timeout"]}


def open_stream(transport, settings, history, demo_url=None, options=None):
    """A ReplyStream for a reply to history ([(role, text)], roles "user" and
    "model"): to the emulator at demo_url in demo mode, else to the real service
    with the key from settings. options: {"search": bool, "thinking": bool or
    None}, see gemini.request."""
    base, key, timeouts = _endpoint(settings, demo_url)
    url, headers, body = gemini.request(history, settings, base, key, options)
    return ReplyStream(transport.exchange(url, headers, body, timeouts), gemini.Decoder(), key)


def list_models(transport, settings, demo_url=None):
    """(models, None) or (None, error): [{"name", "display_name", "thinking"}]."""
    base, key, timeouts = _endpoint(settings, demo_url)
    return gemini_models.list_models(transport, base, key, timeouts)

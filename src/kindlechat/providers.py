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
from . import gemini
from .stream import ReplyStream


def open_stream(transport, settings, history, demo_url=None):
    """A ReplyStream for a reply to history ([(role, text)], roles "user" and
    "model"): to the emulator at demo_url in demo mode, else to the real service
    with the key from settings."""
    base, key = (demo_url, "demo") if demo_url else (settings["gemini_url"], settings["api_key"])
    url, headers, body = gemini.request(history, settings, base, key)
    timeouts = {"connect": settings["connect_timeout"], "read": settings["read_timeout"]}
    return ReplyStream(transport.exchange(url, headers, body, timeouts), gemini.Decoder(), key)

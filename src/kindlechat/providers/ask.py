"""The one place a reply's stream is asked for: the profile's kind picks its
request builder and decoder, on the server's transport. The service and the
replies name no provider; a new provider adds its wire format module (a
request() and a Decoder), its model list, and its line in kinds.KINDS.

    >>> from kindlechat import settings
    >>> from kindlechat.providers import transport
    >>> s = settings.load(["--data-dir", "/nonexistent"], environ={})
    >>> stream = open_stream(transport.Transport(), s, [("user", "Hi")], "http://127.0.0.1:9")
    >>> stream.exchange.url
    'http://127.0.0.1:9/v1beta/models/gemini-flash-latest:streamGenerateContent?alt=sse'
    >>> ollama = {"kind": "ollama", "base_url": "http://192.168.1.20:11434", "model": "qwen3", "api_key": ""}
    >>> open_stream(transport.Transport(), s, [("user", "Hi")], profile=ollama, name="Ollama").exchange.url
    'http://192.168.1.20:11434/api/chat'

Each profile's key goes only to that profile's own base URL, in its kind's header
(the builders: x-goog-api-key, Authorization: Bearer, x-api-key). In demo mode every
profile's base URL is the emulator's, and its key the word "demo".
"""
from urllib.parse import urlsplit

from . import kinds, profiles
from .. import follow_ups
from .stream import ReplyStream


# A stream's data gathers (transport.py) for a fifth of the throttle between screen
# updates, at most 0.1 s: text read sooner would wait for the page's next update
# anyway, and a poll that answers meanwhile is at most this much behind.
GATHER_SHARE, GATHER_MAX = 0.2, 0.1


def gather(settings):
    """Seconds a stream's data may gather between reads: 0 with the throttle off.

        >>> gather({"throttle_ms": 500}), gather({"throttle_ms": 200}), gather({"throttle_ms": 0})
        (0.1, 0.04, 0.0)
    """
    return min(GATHER_MAX, GATHER_SHARE * settings["throttle_ms"] / 1000.0)


def _endpoint(settings, profile, demo_url):
    """(base URL, key, timeouts): the emulator's in demo mode, else the profile's own."""
    base, key = (demo_url, "demo") if demo_url else (profile["base_url"], profile.get("api_key") or "")
    return base, key, {"connect": settings["connect_timeout"], "read": settings["read_timeout"]}


def who(name, profile):
    """What a message calls the service: the profile's name, with the host for one
    on the reader's own network, where the computer may be off.

        >>> who("Ollama", {"kind": "ollama", "base_url": "http://192.168.1.20:11434"})
        'Ollama at 192.168.1.20'
        >>> who("Gemini", {"kind": "gemini", "base_url": "http://127.0.0.1:8080"})
        'Gemini'
    """
    base = profile.get("base_url") or ""
    if profiles.needs_key(base) or profile.get("kind") == "gemini":   # Gemini is Google's, a relay's too
        return name
    return "%s at %s" % (name, urlsplit(base).hostname)


def open_stream(transport, settings, history, demo_url=None, options=None, profile=None, name=None):
    """A ReplyStream for a reply to history ([(role, text)], roles "user" and
    "model") from profile (default: the current one; name: what its messages call
    the service): to the emulator at demo_url in demo mode, else to the profile's
    base URL with its key. options: {"search": bool, "thinking": bool or None,
    "follow_ups": bool, "refused": the thinking levels the model refused (notes.py)}."""
    if profile is None:
        name, profile = profiles.current(settings)
    kind = profile["kind"]
    wire = kinds.wire(kind)
    base, key, timeouts = _endpoint(settings, profile, demo_url)
    asked = profiles.effective(settings, profile)
    if (options or {}).get("follow_ups"):   # after the profile's own instruction (follow_ups.py)
        asked = follow_ups.asking(asked)
    url, headers, body = wire.request(history, asked, base, key, options)
    exchange = transport.exchange(url, headers, body, timeouts, gather(settings))
    service = who(name or profiles.GEMINI, profile)
    local = kind != "gemini" and not profiles.needs_key(profile["base_url"])
    stream = ReplyStream(exchange, wire.Decoder(service), key, service, local)
    stream.source = {"profile": name or profiles.GEMINI, "model": profile.get("model") or ""}
    return stream


def list_models(transport, settings, demo_url=None, profile=None, name=None):
    """(models, None) or (None, error): [{"name", "display_name", "thinking"}] of
    profile (default: the current one; name: what its messages call the service)."""
    if profile is None:
        name, profile = profiles.current(settings)
    base, key, timeouts = _endpoint(settings, profile, demo_url)
    return kinds.models(profile["kind"])(transport, base, key, timeouts, who(name or profiles.GEMINI, profile))

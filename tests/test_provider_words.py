"""Every provider speaks in its own name (issue 21, must 7): for each kind, the words of
a connection refused, a name that does not resolve, a stall, a damaged event and a
dropped stream name the profile's service ("Ollama at 127.0.0.1" for one on the
reader's own network), never "Gemini" for another. Real captures of each wire format
(tests/fixtures/*), damaged or cut, over a loopback upstream, through the real seam
(providers.open_stream, transport, stream)."""
import os
import re

import pytest

from kindlechat import settings as settings_mod
from kindlechat.providers import ask as providers, transport
from testkit.ports import free_port
from testkit.upstream import Reply, Upstream
from test_provider_decoders import FIXTURES, wire_body

# kind: (profile name, a capture of a whole reply, its content type)
KINDS = {
    "gemini": ("Gemini", "gemini/fb_plain_text_long.sse", "text/event-stream"),
    "openai": ("OpenRouter", "openai/vercel_openai_text.chunks.txt", "text/event-stream"),
    "anthropic": ("Anthropic", "anthropic/pai_anthropic_thinking_part_stream.sse", "text/event-stream"),
    "ollama": ("Ollama", "ollama/docs_chat_stream.ndjson", "application/x-ndjson"),
}


@pytest.fixture(scope="module")
def up():
    server = Upstream().start()
    yield server
    server.stop()


def run(kind, base_url, tmp_path):
    """(the stream after its end, the name its words should use)."""
    name = KINDS[kind][0]
    settings = settings_mod.load(["--data-dir", str(tmp_path)], environ={})
    settings.update(connect_timeout=2.0, read_timeout=1.0, throttle_ms=0)
    profile = {"kind": kind, "base_url": base_url, "model": "m", "api_key": "k", "options": {}}
    stream = providers.open_stream(transport.Transport(), settings, [("user", "Hi")], profile=profile, name=name)
    list(stream)
    return stream, providers.who(name, profile)


def body(kind):
    return wire_body(os.path.join(FIXTURES, KINDS[kind][1]))


def damaged(kind):
    """The capture with a line that is not JSON after its first event."""
    data = body(kind)
    if kind == "ollama":
        first = data.index(b"\n") + 1
        return data[:first] + b"{broken\n" + data[first:]
    first = re.search(rb"\r?\n\r?\n", data).end()
    return data[:first] + b"data: {broken\n\n" + data[first:]


def check(stream, who, kind, code, words):
    error = stream.error
    message = (error.message if error is not None else "") + " " + ((stream.finish or {}).get("message") or "")
    assert (error.code if error is not None else "damaged") == code, message
    assert who in message and words in message, message
    if kind != "gemini":
        assert "Gemini" not in message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_network(kind, tmp_path):
    stream, who = run(kind, "http://127.0.0.1:%d" % free_port(), tmp_path)
    check(stream, who, kind, "no_network", "connect")
    assert (kind == "gemini") == (who == "Gemini") and (kind == "gemini" or who.endswith(" at 127.0.0.1"))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_dns(kind, tmp_path):
    stream, who = run(kind, "http://kindlechat-words.invalid", tmp_path)
    check(stream, who, kind, "dns", "name lookup")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_timeout(kind, up, tmp_path):
    data = body(kind)
    up.script(Reply(body=data, pieces=[data[:len(data) // 3], data[len(data) // 3:]], content_type=KINDS[kind][2],
                    stall_after=1, stall_seconds=4))
    stream, who = run(kind, up.url, tmp_path)
    check(stream, who, kind, "stalled", "sent nothing for 1 seconds")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_damaged(kind, up, tmp_path):
    up.script(Reply(body=damaged(kind), content_type=KINDS[kind][2]))
    stream, who = run(kind, up.url, tmp_path)
    check(stream, who, kind, "damaged", "could not be read")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_dropped(kind, up, tmp_path):
    data = body(kind)
    up.script(Reply(body=data, pieces=[data[:len(data) // 3], data[len(data) // 3:]], content_type=KINDS[kind][2],
                    drop_after=1))
    stream, who = run(kind, up.url, tmp_path)
    check(stream, who, kind, "dropped", "dropped")

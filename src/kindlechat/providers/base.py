"""What every provider's decoder shares beyond its wire format: the attributes
stream.ReplyStream reads after the stream (error, finish, usage, ended, damaged),
the answers that are not a stream, and usage in one shape for all providers.

    >>> decoder = BaseDecoder("Ollama")
    >>> decoder.http_error(404, '{"error": "model \\'x\\' not found"}').code
    'model_unavailable'
    >>> usage(10, 5, thoughts=2)
    {'promptTokenCount': 10, 'candidatesTokenCount': 5, 'totalTokenCount': 15, 'thoughtsTokenCount': 2}

Usage takes Gemini's usageMetadata names, so whatever shows a Gemini reply's
tokens shows every provider's the same way. Every decoder (gemini.py's too) reads
an event's JSON with json_object:

    >>> json_object('{"a": 1}  '), json_object('{"a": '), json_object('[1]')
    ({'a': 1}, None, None)
"""
import json

from ..errors import provider_http_error, provider_mid_stream, provider_not_a_stream


def json_object(text):
    """The JSON object text holds, or None: torn, not JSON, or not an object. Each
    wire format sends one object an event (or an NDJSON line); anything else is a
    damaged piece, which the decoder counts (the reply then says text is missing)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def usage(prompt, output, total=None, thoughts=None):
    """Token counts in usageMetadata's names; counts a service did not send are left out."""
    counts = {"promptTokenCount": prompt, "candidatesTokenCount": output}
    if total is None and isinstance(prompt, int) and isinstance(output, int):
        total = prompt + output
    counts["totalTokenCount"] = total
    if thoughts:
        counts["thoughtsTokenCount"] = thoughts
    return {k: v for k, v in counts.items() if isinstance(v, int)}


class BaseDecoder:
    """The state a decoder ends with; `who` names the service in its messages."""

    content_type = "text/event-stream"
    who = "The service"

    def __init__(self, who=None):
        self.who = who or self.who
        self.error = self.finish = self.usage = None
        self.ended = False
        self.damaged = 0
        self.sources = self.queries = self.urls = None   # no provider here sends these
        self.extras_version = 0

    def http_error(self, status, text, headers=None):
        """The error of an answer that is not 200, from its body (and its
        Retry-After header, when the caller passes the headers)."""
        return provider_http_error(self.who, status, text, headers)

    def not_a_stream(self, status, text):
        """The error of a 200 that is not a stream (a Wi-Fi login page)."""
        return provider_not_a_stream(self.who, status, text)

    def chunk_of(self, text):
        """The event's JSON object, or None, counted as damaged."""
        chunk = json_object(text)
        if chunk is None:
            self.damaged += 1
        return chunk

    def failed(self, chunk):
        """True, with error set, when a chunk carries an "error" key: how OpenAI-
        compatible relays (OpenRouter) and Ollama report a failure after the 200."""
        if chunk.get("error"):
            self.error = provider_mid_stream(self.who, chunk["error"])
            return True
        return False

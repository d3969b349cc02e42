"""What every provider's decoder shares beyond its wire format: the attributes
stream.ReplyStream reads after the stream (error, finish, usage, ended, damaged),
the answers that are not a stream, and usage in one shape for all providers.

    >>> decoder = BaseDecoder("Ollama")
    >>> decoder.http_error(404, '{"error": "model \\'x\\' not found"}').code
    'model_not_found'
    >>> usage(10, 5, thoughts=2)
    {'promptTokenCount': 10, 'candidatesTokenCount': 5, 'totalTokenCount': 15, 'thoughtsTokenCount': 2}

Usage takes Gemini's usageMetadata names, so whatever shows a Gemini reply's
tokens shows every provider's the same way.
"""
from .errors import provider_http_error, provider_not_a_stream


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

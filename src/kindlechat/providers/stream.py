"""A reply as it streams: a transport's exchange (transport.py) read through a
provider's decoder (gemini.Decoder, ...). Iterate it for Deltas; afterwards
error, finish and usage say how it ended, and sources, queries and urls where the
answer came from (EXTRAS; extras() reads them while it streams); close() from
another thread ends it at once. Errors are values with a code and a plain message (errors.py).

    >>> from kindlechat.providers import gemini, transport
    >>> exchange = transport.Transport().exchange("http://127.0.0.1:9/", {}, b"{}", {"connect": 2})
    >>> stream = ReplyStream(exchange, gemini.Decoder())
    >>> list(stream), stream.error.code
    ([], 'no_network')
    >>> "to the service" in stream.error.message
    True
"""
import json
from collections import namedtuple

from . import sse
from ..errors import damaged_note, dropped, from_exception

Delta = namedtuple("Delta", "text thought")
Delta.__doc__ = "A piece of the reply: text, and whether it is a thought summary."
# What a reply may carry beyond its text, provider-neutral: the web sources
# [{"title", "uri", "site"}], the searches run [str], the pages read [{"url", "status"}].
EXTRAS = ("sources", "queries", "urls")


class ReplyStream:
    """One streamed reply: open the exchange, check the answer is a stream, feed
    its lines to the decoder, and let go of the connection at the end."""

    def __init__(self, exchange, decoder, api_key="", who="the service", local=False):
        self.exchange, self.decoder, self.api_key = exchange, decoder, api_key
        self.who, self.local = who, local   # the service's name in messages; on the reader's own network
        self.review = None   # error -> error: the service's look at how it ended (notes.py), or None
        self.error = self.finish = self.usage = None
        self.source = {}   # {"profile", "model"} it was asked of, stored with the reply (ask.py)
        self.sources = self.queries = self.urls = None
        self._seen = 0   # the decoder's extras_version as extras_changed() last saw it
        self._closed = False   # close() was called: the user stopped the reply
        self.cut_off = False   # cut() was called: the connection went stale
        self.opened = False    # the stream was answered (200, the right type): a cut may be continued

    def __iter__(self):
        try:
            response = self.exchange.open()
            if self._closed:
                return
            self.error = self._refusal(response)
            if self.error is None:
                self.opened = True
                yield from self._read()
        except Exception as exc:  # noqa: BLE001 -- every failure becomes a message
            if not self._closed:
                self.error = dropped(self.who) if self.cut_off else \
                    from_exception(exc, self.exchange.timeouts, self.who, self.local)
        finally:
            self.exchange.close()
            self._conclude()

    def _refusal(self, response):
        """The error of an answer that is not the stream asked for, or None."""
        status, decoder = response.status_code, self.decoder
        if 300 <= status < 400:   # no model API redirects; Wi-Fi login pages do
            return decoder.not_a_stream(status, "")
        if status != 200:
            # The headers too: a 429's Retry-After is in them, not in the body.
            return decoder.http_error(status, self.exchange.read_some(), response.headers)
        if decoder.content_type not in response.headers.get("Content-Type", "").lower():
            return decoder.not_a_stream(status, self.exchange.read_some())
        return None

    def _read(self):
        lines, decoder = sse.LineDecoder(), self.decoder
        for chunk in self.exchange.chunks():
            if self._closed:
                return
            for line in lines.feed(chunk):
                yield from decoder.feed(line)
                if decoder.error is not None:
                    return
        if self._closed or self.cut_off:
            return
        # A body whose last line has no line break (NDJSON's last object, often)
        # still ends that line: the decoder sees it before end().
        for line in lines.flush():
            yield from decoder.feed(line)
            if decoder.error is not None:
                return
        yield from decoder.end()

    def _conclude(self):
        decoder = self.decoder
        self.error = self.error or decoder.error
        self.finish, self.usage = decoder.finish, decoder.usage
        for name in EXTRAS:
            setattr(self, name, getattr(decoder, name, None))
        # An ended reply stays in memory a while (late polls read it there): let go
        # of the request body (the whole conversation) and the response's buffers.
        self.exchange.data = self.exchange.response = None
        self._mask_key()
        if self.error is None and not self._closed and not decoder.ended:
            self.error = dropped(self.who)
        if decoder.damaged and self.error is None:
            self.finish = damaged_note(self.finish, self.who)   # text is missing: say so under the reply
        if self.error is not None and self.review is not None:
            self.error = self.review(self.error)

    def _mask_key(self):
        """Upstream text may quote the key (an error body, a finishMessage, a relay's
        usage notes): it is masked before anything is stored or shown."""
        key = self.api_key or ""
        if len(key) < 8:
            return
        if self.error is not None and key in self.error.message:
            self.error = self.error._replace(message=self.error.message.replace(key, "(your API key)"))
        for name in ("finish", "usage") + EXTRAS:
            setattr(self, name, self._masked(getattr(self, name)))

    def _masked(self, value):
        key = self.api_key or ""
        if value is None or len(key) < 8:
            return value
        dumped = json.dumps(value, ensure_ascii=False)
        return json.loads(dumped.replace(key, "(your API key)")) if key in dumped else value

    def extras(self):
        """{name: value} of the EXTRAS the decoder knows so far (while it streams;
        after the end the same values are this stream's attributes)."""
        found = {n: self._masked(getattr(self.decoder, n, None)) for n in EXTRAS}
        return {n: v for n, v in found.items() if v is not None}

    def extras_changed(self):
        """True once after each change of the decoder's extras (its extras_version):
        one attribute read per Delta, as the relay's CPU per MiB counts (issue 12)."""
        version = getattr(self.decoder, "extras_version", 0)
        if version == self._seen:
            return False
        self._seen = version
        return True

    def cut(self):
        """Drop the connection now, from any thread, as a network would: the stream
        ends on a "dropped" error (continuing.py: after the Kindle slept, its socket
        is stale and a read on it would wait out the read timeout)."""
        if not self._closed:
            self.cut_off = True
            self.exchange.cancel()

    def close(self):
        """End the reply now, from any thread."""
        self._closed = True
        self.exchange.cancel()

    @property
    def stopped(self):
        """True when close() ended the stream before the model did."""
        return self._closed and not self.decoder.ended and self.error is None

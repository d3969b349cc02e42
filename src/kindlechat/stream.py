"""A reply as it streams: a transport's exchange (transport.py) read through a
provider's decoder (gemini.Decoder, ...). Iterate it for Deltas; afterwards
error, finish and usage say how it ended; close() from another thread ends it at
once. Errors are values with a code and a plain message (errors.py).

    >>> from kindlechat import gemini, transport
    >>> exchange = transport.Transport().exchange("http://127.0.0.1:9/", {}, b"{}", {"connect": 2})
    >>> stream = ReplyStream(exchange, gemini.Decoder())
    >>> list(stream), stream.error.code
    ([], 'no_network')
"""
import json
from collections import namedtuple

from . import sse
from .errors import damaged_note, dropped, from_exception

Delta = namedtuple("Delta", "text thought")
Delta.__doc__ = "A piece of the reply: text, and whether it is a thought summary."


class ReplyStream:
    """One streamed reply: open the exchange, check the answer is a stream, feed
    its lines to the decoder, and let go of the connection at the end."""

    def __init__(self, exchange, decoder, api_key=""):
        self.exchange, self.decoder, self.api_key = exchange, decoder, api_key
        self.error = self.finish = self.usage = None
        self._closed = False   # close() was called: the user stopped the reply

    def __iter__(self):
        try:
            response = self.exchange.open()
            if self._closed:
                return
            self.error = self._refusal(response)
            if self.error is None:
                yield from self._read()
        except Exception as exc:  # noqa: BLE001 -- every failure becomes a message
            if not self._closed:
                self.error = from_exception(exc, self.exchange.timeouts)
        finally:
            self.exchange.close()
            self._conclude()

    def _refusal(self, response):
        """The error of an answer that is not the stream asked for, or None."""
        status, decoder = response.status_code, self.decoder
        if 300 <= status < 400:   # no model API redirects; Wi-Fi login pages do
            return decoder.not_a_stream(status, "")
        if status != 200:
            return decoder.http_error(status, self.exchange.read_some())
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
        if not self._closed:
            yield from decoder.end()

    def _conclude(self):
        decoder = self.decoder
        self.error = self.error or decoder.error
        self.finish, self.usage = decoder.finish, decoder.usage
        # An ended reply stays in memory a while (late polls read it there): let go
        # of the request body (the whole conversation) and the response's buffers.
        self.exchange.data = self.exchange.response = None
        self._mask_key()
        if self.error is None and not self._closed and not decoder.ended:
            self.error = dropped()
        if decoder.damaged and self.error is None:
            self.finish = damaged_note(self.finish)   # text is missing: say so under the reply

    def _mask_key(self):
        """Upstream text may quote the key (an error body, a finishMessage, a relay's
        usage notes): it is masked before anything is stored or shown."""
        key = self.api_key or ""
        if len(key) < 8:
            return
        if self.error is not None and key in self.error.message:
            self.error = self.error._replace(message=self.error.message.replace(key, "(your API key)"))
        for name in ("finish", "usage"):
            value = getattr(self, name)
            if value is not None:
                dumped = json.dumps(value, ensure_ascii=False)
                if key in dumped:
                    setattr(self, name, json.loads(dumped.replace(key, "(your API key)")))

    def close(self):
        """End the reply now, from any thread."""
        self._closed = True
        self.exchange.cancel()

    @property
    def stopped(self):
        """True when close() ended the stream before the model did."""
        return self._closed and not self.decoder.ended and self.error is None

"""Feeding a provider's decoder the way stream.ReplyStream does: bytes cut into
pieces, through sse.LineDecoder, line by line until an error, then end(). Used by
the decoder tests of every wire format (tests/test_gemini_decoder.py,
tests/test_provider_decoders.py).

    >>> from kindlechat.providers import gemini
    >>> deltas, decoder = feed(gemini.Decoder(), [b'data: {"candidates": [{"content": ',
    ...                                           b'{"parts": [{"text": "Hi"}]}}]}\\n\\n'])
    >>> [d.text for d in deltas], decoder.error
    (['Hi'], None)
"""
from kindlechat.providers import sse


def feed(decoder, pieces):
    """(the Deltas, the decoder) once every piece is fed and the stream has ended."""
    lines, deltas = sse.LineDecoder(), []
    for piece in pieces:
        for line in lines.feed(piece):
            if decoder.error is None:
                deltas += decoder.feed(line)
    if decoder.error is None:
        deltas += decoder.end()
    return deltas, decoder


def texts(deltas):
    """(the reply's text, its thoughts) from Deltas."""
    return "".join(d.text for d in deltas if not d.thought), "".join(d.text for d in deltas if d.thought)

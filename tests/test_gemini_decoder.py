"""gemini.Decoder, the pure half of the Gemini client: lines in, the reply out,
no network. Every real capture (tests/fixtures/gemini) is cut in two at every byte
(in three at every pair of a sample, for the long ones), fed through
sse.LineDecoder and the decoder, and must give what the whole body gives."""
import glob
import os
import random

import pytest

from kindlechat import gemini
from testkit.decoding import feed, texts
from testkit.fixtures import gemini_dir


def decode(pieces):
    """(text, thoughts, ended, finish, usage, error code, damaged) of the pieces."""
    deltas, decoder = feed(gemini.Decoder(), pieces)
    return texts(deltas) + (decoder.ended, decoder.finish, decoder.usage,
                            decoder.error.code if decoder.error else None, decoder.damaged)


CAPTURES = sorted(glob.glob(os.path.join(gemini_dir(), "*.sse")))


@pytest.mark.parametrize("path", CAPTURES, ids=os.path.basename)
def test_every_chunk_boundary_gives_the_same_reply(path):
    with open(path, "rb") as f:
        body = f.read()
    whole = decode([body])
    assert whole[0] or whole[1] or whole[2] or whole[5], "the capture decodes to something"
    cuts = range(1, len(body)) if len(body) <= 4096 else random.Random(path).sample(range(1, len(body)), 600)
    for cut in cuts:
        assert decode([body[:cut], body[cut:]]) == whole, cut
    rng = random.Random(len(body))
    for _ in range(200):
        a, b = sorted(rng.sample(range(1, len(body)), 2))
        assert decode([body[:a], body[a:b], body[b:]]) == whole, (a, b)


def test_a_bare_json_error_after_the_200_is_an_error_under_every_split():
    body = b'data: {"candidates": [{"content": {"parts": [{"text": "Hi"}]}}]}\r\n\r\n' \
           b'{\n  "error": {\n    "code": 503,\n    "message": "overloaded",\n    "status": "UNAVAILABLE"\n  }\n}\n'
    for cut in range(1, len(body)):
        text, _, _, _, _, code, _ = decode([body[:cut], body[cut:]])
        assert (text, code) == ("Hi", "overloaded"), cut

"""gemini.Decoder, the pure half of the Gemini client: lines in, the reply out,
no network. Every real capture (tests/fixtures/gemini) is cut in two at every byte
(in three at every pair of a sample, for the long ones), fed through
sse.LineDecoder and the decoder, and must give what the whole body gives."""
import glob
import os
import random

import pytest

from kindlechat.providers import gemini
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


def _reply_both_ways(body, monkeypatch):
    """What the decoder makes of body, with text_only()'s short way and without."""
    def outcome():
        deltas, decoder = feed(gemini.Decoder(), [body])
        return deltas, decoder.ended, decoder.finish, decoder.usage, decoder.damaged, \
            decoder.error.code if decoder.error else None, decoder.sources, decoder.queries, decoder.urls
    short = outcome()
    with monkeypatch.context() as m:
        m.setattr(gemini, "text_only", lambda data: None)
        full = outcome()
    return short, full


PART = '{"candidates": [{"content": {"parts": [{"text": "%s"}%s],"role": "model"}%s}]%s}'
# Events that begin like a text-only one but are not: each must go through json.loads.
LOOKALIKES = [
    PART % ("a", ', {"text": "b"}', "", ""),                                   # a second part
    '{"candidates": [{"content": {"parts": [{"text": "a", "thought": true}]}}]}',   # a thought
    PART % ("a", "", ', "finishReason": "MAX_TOKENS"', ""),
    PART % ("a", "", ', "finish\\u0052eason": "SAFETY"', ""),                  # a key written with an escape
    PART % ("a", "", "", ', "candidates": [{"content": {"parts": [{"text": "b"}]}}]'),   # a repeated key
    PART % ("a", "", "", ', "usageMetadata": {}'),                             # empty: the earlier counts stay
    PART % ("a", "", "", ', "usageMetadata": null'),
    PART % ("a", "", ', "groundingMetadata": {"webSearchQueries": ["q"]}', ""),
    PART % ("a", "", "", ', "error": {"code": 500, "message": "x", "status": "INTERNAL"}'),
    PART % ("a", "", "", "") + "}",                                           # one brace too many: damaged
    (PART % ("a", "", "", ""))[:-2] + "}",                                    # one too few
]
# Events the short way takes.
TAKEN = [
    PART % ("a", "", "", ', "usageMetadata": {"totalTokenCount": 9}'),
    PART % ("a\\nb \\u00e9 \\ud83d\\ude00", "", "", ""),                      # escapes in the text itself
    PART % ("", "", "", ', "usageMetadata": {"totalTokenCount": 3}'),         # an empty text
]


@pytest.mark.parametrize("path", CAPTURES, ids=os.path.basename)
def test_the_short_way_reads_every_capture_as_json_loads_does(path, monkeypatch):
    """gemini.text_only() reads most events without json.loads; every real capture
    decodes the same with it and without."""
    with open(path, "rb") as f:
        short, full = _reply_both_ways(f.read(), monkeypatch)
    assert short == full


@pytest.mark.parametrize("n", range(len(LOOKALIKES + TAKEN)))
def test_the_short_way_reads_lookalike_events_as_json_loads_does(n, monkeypatch):
    usage = PART % ("x", "", "", ', "usageMetadata": {"totalTokenCount": 5}')
    done = PART % ("", "", ', "finishReason": "STOP"', "")
    other = (LOOKALIKES + TAKEN)[n]
    body = "".join("data: %s\r\n\r\n" % e for e in (usage, other, usage, other, done))
    short, full = _reply_both_ways(body.encode("utf-8"), monkeypatch)
    assert short == full


def test_the_short_way_takes_plain_text_events():
    """It is taken where it should be, or the relay pays json.loads for every event."""
    assert gemini.text_only(PART % ("a", "", "", ', "usageMetadata": {"totalTokenCount": 5}')) == ("a", True)
    assert gemini.text_only(PART % ("a\\u00e9", "", "", "")) == ("a\u00e9", False)
    assert [gemini.text_only(e) for e in TAKEN] == [("a", True), ("a\nb \u00e9 \U0001f600", False), ("", True)]
    assert [gemini.text_only(e) for e in LOOKALIKES] == [None] * len(LOOKALIKES)

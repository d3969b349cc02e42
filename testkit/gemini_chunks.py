"""Gemini's streamGenerateContent?alt=sse wire format, built for tests and benchmarks:
one chunk builder, its event framing, and a long synthetic reply.

>>> event(chunk("Hi", finish="STOP"))[:46]
b'data: {"candidates":[{"content":{"parts":[{"te'
>>> sse_body(["Hel", "lo"]).count(b"\\r\\n\\r\\n")     # two pieces and the STOP event
3
>>> events, texts = gemini_stream(2000)
>>> len(events) == len(texts) and events[-1].count(b'"finishReason": "STOP"')
1
"""
import json
import random


def chunk(text, finish=None, thought=False):
    """One GenerateContentResponse with one text part (a thought part if thought)."""
    part = {"text": text}
    if thought:
        part["thought"] = True
    cand = {"content": {"parts": [part], "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3},
            "modelVersion": "test"}


def event(obj):
    """obj as one SSE event, CRLF-framed as Gemini sends it."""
    return b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\r\n\r\n"


def sse_body(pieces, finish="STOP"):
    """An SSE body whose reply text is "".join(pieces), one event per piece; the
    last event carries finish (None: the stream just ends, as when cut)."""
    out = [event(chunk(p)) for p in pieces]
    if finish:
        out.append(event(chunk("", finish=finish)))
    return b"".join(out)


def event_split(body):
    """The body cut after every event: one send per event."""
    return [e + b"\r\n\r\n" for e in body.split(b"\r\n\r\n") if e]


def pieces_of(text, n):
    """text in n roughly equal pieces."""
    size = max(1, -(-len(text) // n))
    return [text[i:i + size] for i in range(0, len(text), size)]


def numbered_text(words):
    """A reply text in which a missing or repeated piece shows: w1 w2 w3 ..."""
    return " ".join("w%d" % i for i in range(1, words + 1)) + "."


# Words of an ordinary English answer with Markdown, a few non-ASCII characters
# (about 1 in 50 words), as Gemini writes them raw inside its JSON.
_WORDS = ("the of and to a in is that for it as with on was be by this are or from at "
          "an which have not but can more one all their also has will were been each "
          "model reply text stream Kindle screen page battery network server answer "
          "**bold** *italic* `code` ## 1. - > | café naïve — “quoted” 日本語 über").split()
# One event as Gemini 2.5 Flash sends it (the layout of a real capture:
# tests/fixtures/gemini/pai_usage_each_chunk_gemini25flash.sse).
_EVENT = ('data: {"candidates": [{"content": {"parts": [{"text": %s}],"role": "model"},%s"index": 0}],'
          '"usageMetadata": {"promptTokenCount": 18,"candidatesTokenCount": %d,"totalTokenCount": %d,'
          '"promptTokensDetails": [{"modality": "TEXT","tokenCount": 18}],"thoughtsTokenCount": 35},'
          '"modelVersion": "gemini-2.5-flash","responseId": "ru1garvBEoOiqtsP2fznmQw"}\r\n\r\n')


def _words_of(rng, want):
    words, length = [], 0
    while length < want:
        w = rng.choice(_WORDS)
        if rng.random() < 0.08:
            w += ".\n\n" if rng.random() < 0.3 else ","
        words.append(w)
        length += len(w) + 1
    return words


def gemini_stream(text_bytes, seed=1, sizes=(20, 300)):
    """A deterministic reply of about text_bytes bytes of UTF-8 text, in events of
    sizes[0]..sizes[1] characters (real Gemini 2.5 chunks carry 4..440, mostly
    100..300). Returns (events as bytes, texts as str), one text per event."""
    rng = random.Random(seed)
    texts, total = [], 0
    while total < text_bytes:
        text = " ".join(_words_of(rng, rng.randint(*sizes))) + " "
        texts.append(text)
        total += len(text.encode("utf-8"))
    out = []
    for n, text in enumerate(texts):
        finish = '"finishReason": "STOP",' if n == len(texts) - 1 else ""
        out.append((_EVENT % (json.dumps(text, ensure_ascii=False), finish, n * 5 + 5, n * 5 + 58))
                   .encode("utf-8"))
    return out, texts

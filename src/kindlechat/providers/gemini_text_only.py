"""The short way through Gemini's stream for the events that are only text.

Nearly every event of a reply is one text part in one candidate, and its usage
counts, serialized as Gemini does (tests/fixtures/gemini: with an "index" or
without). For those the text is read straight from the line with the json
module's own string scanner: json.loads builds ~20 objects an event (~3 us here,
most of the decoding, ~6,000 events a MiB of reply). Any other event goes
through json.loads. bench/relay_cpu.py measures it.
gemini.Decoder takes this way first (tests/test_gemini_decoder.py checks every capture
gives the same reply both ways).
"""
from json.decoder import scanstring

TEXT_ONLY = '{"candidates": [{"content": {"parts": [{"text": "'
CLOSED = ('}],"role": "model"},"index": 0}]', '}],"role": "model"}}]')   # part, content, candidate(s)
# After CLOSED only top-level fields follow: those _event reads besides usage, the
# key json.loads would take the last of if repeated, and a backslash (a key written
# with escapes) send the event through json.loads.
TOP_READ = ('"error"', '"promptFeedback"', '"candidates"', "\\")
USAGE = '"usageMetadata": {"'   # a usage object with counts in it; any other form goes through json.loads


def text_only(data):
    """(text, whether it carries usage counts) of an event that holds one text part
    in one candidate and nothing else _event reads, else None.

        >>> text_only('{"candidates": [{"content": {"parts": [{"text": "Hi \\u00e9"}],"role": "model"}}]}')
        ('Hi \xe9', False)
        >>> text_only('{"candidates": [{"content": {"parts": [{"text": "Hm", "thought": true}]}}]}') is None
        True
    """
    if not data.startswith(TEXT_ONLY):
        return None
    try:
        text, end = scanstring(data, len(TEXT_ONLY))
    except ValueError:
        return None
    for closing in CLOSED:
        if data.startswith(closing, end):
            break
    else:
        return None   # another part, another field of this one (thought), a candidate's field (finishReason)
    top = data[end + len(closing):]
    for name in TOP_READ:
        if name in top:
            return None
    # The top-level object, and nothing else, is still open: a cut or doubled tail is not taken for whole.
    if top.count("}") - top.count("{") != 1 or top.count("]") != top.count("["):
        return None
    usage = '"usageMetadata"' in top
    if usage and USAGE not in top:
        return None
    return text, usage

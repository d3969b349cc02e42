"""parts_first.PartsFirst: a long book's part summaries asked for first, each read whole
and kept, then the reply streams; a failing part ends the reply with the part's plain
words and keeps nothing of it. Real ReplyStreams (providers.open_stream) against the
loopback upstream in Gemini's wire format."""
import json

from kindlechat import settings as settings_mod
from kindlechat.parts_first import PartsFirst
from kindlechat.providers import transport
from kindlechat.providers.ask import open_stream
from testkit.gemini_chunks import sse_body
from testkit.upstream import Reply


class Plan(object):
    def __init__(self):
        self.jobs = [(0, "summarise part one"), (1, "summarise part two")]
        self.kept = {}

    def keep(self, key, summary):
        self.kept[key] = summary

    def build(self):
        return "recap from: " + " | ".join(self.kept[k] for k in sorted(self.kept))


def opener(upstream, tmp_path):
    s = settings_mod.load(["--data-dir", str(tmp_path)], environ={})
    t = transport.Transport()
    return lambda pairs: open_stream(t, s, pairs, upstream.url)


def asked(upstream):
    return [json.loads(r["body"])["contents"][-1]["parts"][0]["text"] for r in upstream.requests]


def test_the_parts_come_first_then_the_reply_streams(upstream, tmp_path):
    upstream.script(Reply(body=sse_body(["First part."])), Reply(body=sse_body(["Second part."])),
                    Reply(body=sse_body(["The story ", "so far."])))
    plan = Plan()
    stream = PartsFirst(opener(upstream, tmp_path), plan, [("user", "placeholder")])
    text = "".join(d.text for d in stream)
    assert text == "The story so far." and stream.error is None and not stream.stopped
    assert plan.kept == {0: "First part.", 1: "Second part."}
    assert asked(upstream) == ["summarise part one", "summarise part two", "recap from: First part. | Second part."]


def test_a_failing_part_ends_the_reply_with_its_words(upstream, tmp_path):
    body = json.dumps({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}})
    upstream.script(Reply(body=sse_body(["First part."])), Reply(status=503, body=body.encode(),
                                                                  content_type="application/json"))
    plan = Plan()
    stream = PartsFirst(opener(upstream, tmp_path), plan, [("user", "placeholder")])
    assert list(stream) == []
    assert stream.error is not None and stream.error.message and plan.kept == {0: "First part."}
    assert len(upstream.requests) == 2        # the reply's own request never went out

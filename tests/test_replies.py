"""Replies kept in memory (src/kindlechat/replies.py)."""
from kindlechat.replies import Replies, Reply, Text
from kindlechat.store import Store


def test_text_reads_from_any_code_point_offset():
    text = Text()
    for piece in ("Grü", "ße 🙂", "", " end"):
        text.append(piece)
    whole = "Grüße 🙂 end"
    assert text.length == len(whole)
    assert [text.since(i) for i in range(len(whole) + 2)] == [whole[i:] for i in range(len(whole) + 2)]


def test_prune_keeps_an_ended_reply_whose_text_is_not_on_disk_yet(tmp_path):
    replies = Replies(Store(str(tmp_path)))
    for n, (status, saved) in enumerate([("done", True), ("error", False), ("done", True)]):
        reply = Reply("0123456789ab", n, stream=None)
        reply.status, reply.saved = status, saved
        replies._active[("0123456789ab", n)] = reply
    replies.prune(keep=0)
    assert list(replies._active) == [("0123456789ab", 1)]

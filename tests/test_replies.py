"""Replies kept in memory (src/kindlechat/replies.py)."""
from kindlechat.replies import Replies, Reply
from kindlechat.text import Text
from kindlechat.store import Store


def test_text_reads_from_any_code_point_offset():
    text = Text()
    for piece in ("Grü", "ße 🙂", "", " end"):
        text.append(piece)
    whole = "Grüße 🙂 end"
    assert text.length == len(whole)
    assert [text.since(i) for i in range(len(whole) + 2)] == [whole[i:] for i in range(len(whole) + 2)]


def ended_replies(replies, *ends):
    """Put ended replies into replies: (status, saved, characters of text) each."""
    for n, (status, saved, size) in enumerate(ends):
        reply = Reply("0123456789ab", n, stream=None)
        reply.status, reply.saved = status, saved
        reply.text.append("x" * size)
        replies._active[("0123456789ab", n)] = reply


def test_prune_keeps_an_ended_reply_whose_text_is_not_on_disk_yet_and_the_newest(tmp_path):
    replies = Replies(Store(str(tmp_path)))
    ended_replies(replies, ("done", True, 5), ("error", False, 5), ("done", True, 5))
    replies.prune(keep=0)
    assert list(replies._active) == [("0123456789ab", 1), ("0123456789ab", 2)]


def test_ended_replies_kept_for_late_polls_are_bounded_by_their_size_not_their_count(tmp_path):
    replies = Replies(Store(str(tmp_path)))
    ended_replies(replies, *[("done", True, 1000)] * 40)
    replies.prune(keep=10500)          # ten of them fit; the oldest 30 go to disk
    assert [i for _, i in replies._active] == list(range(30, 40))
    ended_replies(replies, ("done", True, 50000))   # one larger than all: it stays alone
    replies._active = {k: r for k, r in replies._active.items() if k[1] == 0}
    replies.prune(keep=10500)
    assert len(replies._active) == 1


def test_text_gives_bounded_pieces_and_holds_about_a_byte_per_byte():
    text = Text()
    for _ in range(100000):
        text.append("abcde")            # 1-7 character events, as OpenAI-style streams send
    pieces = list(text.pieces(3, size=4096))
    assert max(map(len, pieces)) == 4096
    assert "".join(pieces) == ("abcde" * 100000)[3:]
    # joined into blocks: a few hundred str objects, not a hundred thousand
    assert len(text._blocks) + len(text._tail) < 100


def test_a_block_with_one_wide_character_is_kept_as_utf8_not_at_two_bytes_a_character():
    text = Text()
    english = ("word " * 2000)[:8191] + "→"      # one arrow in 8 K characters of ASCII
    text.append(english)
    text.append("more")
    assert isinstance(text._blocks[0], bytes) and len(text._blocks[0]) == 8191 + 3
    assert text.since(8188) == english[8188:] + "more"

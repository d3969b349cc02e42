"""reading/markup, property-checked (hypothesis): for any markup made of tags,
entities, comments, white space and UTF-8 text, the plain text does not depend on
where the records are cut, and the text read up to a raw offset is the whole text
cut at plain_offset(offset): the two ways a bound is computed agree everywhere
(but for a bare '&' at the stop, which a stopped read drops)."""
from hypothesis import given, settings, strategies as st

from kindlechat.reading.markup import Plain

PIECES = st.sampled_from([
    b"<p>", b"</p>", b"<div class=\"c\">", b"</div>", b"<br/>", b"<b>", b"</b>", b"<i>", b"</i>",
    b"<td>", b"<head><title>t</title></head>", b"<style>p{}</style>", b"<!-- c <b> -->", b"<mbp:pagebreak/>",
    b"&amp;", b"&lt;", b"&#233;", b"&#x2014;", b"&bogus;", b"&", b" ", b"  ", b"\n", b"\r\n\t",
    b"word", b"Caf\xc3\xa9", b"\xe2\x80\x9cq\xe2\x80\x9d", b"\xd0\x9c\xd0\xb8\xd1\x80", b"a", b"1.",
])


def convert(raw, cuts=()):
    plain = Plain("utf-8")
    at = 0
    for cut in sorted(set(c for c in cuts if 0 < c < len(raw))) + [len(raw)]:
        plain.feed(raw[at:cut])
        at = cut
    plain.close()
    return plain


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60), st.lists(st.integers(0, 400), max_size=8))
def test_the_text_does_not_depend_on_the_cuts(pieces, cuts):
    raw = b"".join(pieces)
    assert convert(raw, cuts).text == convert(raw).text


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_reading_to_an_offset_is_the_text_cut_at_its_plain_offset(pieces):
    raw = b"".join(pieces)
    whole = convert(raw)
    for pos in range(len(raw) + 1):
        upto = convert(raw[:pos]).text
        cut = whole.text[:whole.plain_offset(pos)]
        # Equal, except that a read stopping just after a bare '&' drops it (it may be
        # an entity's start): never more than the map gives, never much less.
        assert cut.startswith(upto.rstrip()), (pos, raw[:pos])
        assert len(cut.rstrip()) - len(upto.rstrip()) <= 1 + 32 * raw[:pos].count(b"&"), (pos, raw[:pos])
        if b"&" not in raw[:pos]:
            assert upto.rstrip() == cut.rstrip(), (pos, raw[:pos])

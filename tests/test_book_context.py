"""The request text of a book chat (reading/context.py, retrieval.py): it fits the
budget, it carries the text just before the position and the passages that answer
the question, each labelled with its page, and nothing past the position even when
the question names what comes later."""
import random
import re

from kindlechat.reading import context, retrieval
from testkit.books import BookSpec, marker

SPEC = BookSpec.standard(chapters=6, paragraphs=20, filler=60)


def book_text():
    return "\n\n".join(SPEC.paragraphs())


def label(at):
    return "p. %d" % (at // 2000 + 1)


def test_the_request_ends_at_the_position_and_fits_the_budget():
    text = book_text()
    bound = text.index(marker(70))             # the reader is at paragraph 70's start
    for budget in (800, 5000, 20000, 10 ** 7):
        out = context.build(text[:bound], label, "How many gulls did the keeper count?", budget)
        assert len(out.text) <= budget
        for n in range(70, 120):
            assert marker(n) not in out.text     # nothing at or after the position
        assert marker(69) in out.text            # the text just before it
        assert out.pages and out.pages[-1] == label(text.index(marker(69)))


def test_the_passages_are_the_ones_the_question_is_about():
    paras = SPEC.paragraphs()
    paras[12] = "The keeper's daughter Mirabel rowed out to the reef with a lantern."
    paras[30] = "Mirabel's lantern was found on the reef the next morning."
    paras[100] = "Mirabel came home at last, and the lighthouse went dark."   # after the position
    text = "\n\n".join(paras)
    bound = text.index(paras[90])
    out = context.build(text[:bound], label, "What happened to Mirabel and her lantern?", 6000)
    assert paras[12] in out.text and paras[30] in out.text
    assert "Mirabel came home" not in out.text
    assert out.passages == [label(text.index(paras[12])), label(text.index(paras[30]))]
    assert "[%s] %s" % (label(text.index(paras[12])), paras[12]) in out.text


def test_ranking_counts_only_the_text_before_the_bound():
    text = "\n\n".join(["Rain fell on the moor."] * 10 + ["The heron stood still."] + ["The heron flew."] * 10)
    starts = retrieval.paragraph_starts(text)
    bound = starts[11]
    assert retrieval.rank(text.lower(), starts, "heron", bound) == [10]
    assert retrieval.rank(text.lower(), starts, "heron", starts[10]) == []


def test_a_random_position_never_leaks():
    text = book_text()
    rng = random.Random(7)
    for _ in range(20):
        bound = rng.randrange(1, len(text))
        out = context.build(text[:bound], label, "keeper gulls dawn tide", rng.choice((500, 3000, 30000)))
        last = re.sub(r"^\[p\. \d+\] ", "", out.text.split("\n\n")[-1])
        assert text[:bound].rstrip().endswith(last)      # it ends where the reader is
        later = [marker(n) for n in range(120) if text.find(marker(n)) >= bound]
        assert not any(m in out.text for m in later)

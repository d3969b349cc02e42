"""overlap.py: where a continuation joins a cut reply (issue 25). Every join is
checked as a reader would see it: the partial text plus what the Joiner let through,
fed in every way a stream may split it."""
import pytest

from kindlechat.overlap import MAX_HOLD, Joiner, overlap

FULL = "Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about."


def joined(partial, continuation, step):
    join, out = Joiner(partial), []
    for i in range(0, len(continuation), step):
        out.append(join.feed(continuation[i:i + step]))
    out.append(join.end())
    return partial + "".join(out)


CASES = [
    # (partial, continuation, what the reader must end up with)
    ("Call me Ishmael. Some years ago, never mind",        # repeats the last words
     "never mind how long precisely, I thought I would sail about.", FULL),
    ("Call me Ishmael. Some years ago, never mind",        # repeats the whole last sentence
     "Some years ago, never mind how long precisely, I thought I would sail about.", FULL),
    ("Call me Ishmael. Some years ago, never mind",        # repeats nothing
     " how long precisely, I thought I would sail about.", FULL),
    ("Call me Ishmael. Some years ago, never mi",          # cut inside a word, which is said again
     "never mind how long precisely, I thought I would sail about.", FULL),
    ("Call me Ishmael. Some years ago, never mi",          # cut inside a word, exactly continued
     "nd how long precisely, I thought I would sail about.", FULL),
    ("Call me Ishmael. Some years ago, never mind ",       # ends in a space; repeats nothing
     "how long precisely, I thought I would sail about.", FULL),
    ("Call me Ishmael. Some years ago, never mind ",       # ends in a space; repeats the words
     "ago, never mind how long precisely, I thought I would sail about.", FULL),
]


@pytest.mark.parametrize("step", [1, 3, 7, 1000])
@pytest.mark.parametrize("partial,continuation,whole", CASES)
def test_the_join_loses_and_repeats_nothing(partial, continuation, whole, step):
    assert joined(partial, continuation, step) == whole


@pytest.mark.parametrize("step", [1, 5, 1000])
def test_a_repeat_with_other_whitespace_is_still_a_repeat(step):
    partial = "First line.\n\nThe  second\tline is"
    assert joined(partial, "The second line\nis longer.", step) == partial + " longer."
    assert overlap(partial, "The second line\nis longer.") == len("The second line\nis")


def test_a_word_that_only_starts_like_the_last_one_is_not_a_repeat():
    # "the" ended the partial text with a space after it: "theatre" is new.
    assert joined("We went to the ", "theatre at eight.", 1) == "We went to the theatre at eight."
    assert overlap("We went to the ", "theatre at eight.") == 0
    # Without the space it was cut inside the word, which is said again whole.
    assert joined("We went to the", "theatre at eight.", 1) == "We went to theatre at eight."


def test_the_held_text_is_released_as_soon_as_it_can_not_repeat():
    join = Joiner("It was a dark and stormy night")
    assert join.feed("It was") == ""          # could be the sentence again
    assert join.feed(" cold") == "It was cold"   # it is not: let through at once, whole
    assert join.feed(" too.") == " too."


def test_a_long_match_is_decided_at_the_hold_limit():
    partial = "word " * 200 + "end"
    head = "x" * (MAX_HOLD + 5)
    assert overlap(partial, head, complete=False) == 0


def test_an_empty_partial_text_takes_the_continuation_as_it_is():
    assert joined("", "Hello there.", 2) == "Hello there."


def test_a_continuation_that_ends_during_the_repeat_adds_nothing_twice():
    partial = "One. Two three four"
    assert joined(partial, "Two three four", 1) == partial


def test_a_new_sentence_after_a_full_stop_gets_its_space():
    assert joined("It was late.", "The night was cold.", 4) == "It was late. The night was cold."
    assert joined("It was late.", "It was late. The night was cold.", 4) == "It was late. The night was cold."

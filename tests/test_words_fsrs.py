"""The FSRS-6 scheduler (words/fsrs.py) step by step against its reference
implementation, py-fsrs (PyPI `fsrs`, a test-only dependency), fuzz off."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from kindlechat.words import fsrs

ref = pytest.importorskip("fsrs", reason="py-fsrs (requirements-dev.txt) is the reference")

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _epoch(moment):
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()


def _walk(ratings, gaps):
    """Both schedulers through the same ratings; yields (ours, theirs) after each."""
    scheduler = ref.Scheduler(enable_fuzzing=False)
    theirs, ours, now = ref.Card(), fsrs.new_card(), START
    for rating, gap in zip(ratings, gaps):
        now = now + gap
        theirs, _ = scheduler.review_card(theirs, ref.Rating(rating), now)
        ours = fsrs.review(ours, rating, _epoch(now))
        yield ours, theirs


def _same(ours, theirs):
    assert ours["state"] == theirs.state.name.lower()
    assert ours["step"] == theirs.step
    assert ours["s"] == pytest.approx(theirs.stability, rel=1e-9)
    assert ours["d"] == pytest.approx(theirs.difficulty, rel=1e-9)
    assert ours["due"] == pytest.approx(_epoch(theirs.due), abs=1e-3)


def test_the_defaults_are_py_fsrs_defaults():
    assert fsrs.W == tuple(ref.scheduler.DEFAULT_PARAMETERS)
    scheduler = ref.Scheduler()
    assert fsrs.RETENTION == scheduler.desired_retention
    assert fsrs.LEARNING == tuple(int(s.total_seconds()) for s in scheduler.learning_steps)
    assert fsrs.RELEARNING == tuple(int(s.total_seconds()) for s in scheduler.relearning_steps)
    assert fsrs.MAX_INTERVAL == scheduler.maximum_interval


@pytest.mark.parametrize("first", [1, 2, 3, 4])
def test_a_first_rating_and_the_next_days(first):
    ratings = [first, 3, 3, 3, 1, 3, 4, 2]
    gaps = [timedelta(0)] + [timedelta(days=d) for d in (0, 1, 3, 9, 0, 2, 30)]
    for ours, theirs in _walk(ratings, gaps):
        _same(ours, theirs)


def test_random_histories_match_the_reference():
    rng = random.Random(26)
    for _ in range(200):
        n = rng.randint(1, 15)
        ratings = [rng.randint(1, 4) for _ in range(n)]
        gaps = [timedelta(seconds=rng.choice((0, 30, 600, 3600, 86400, 3 * 86400, 40 * 86400, rng.randint(0, 10 ** 7))))
                for _ in range(n)]
        for ours, theirs in _walk(ratings, gaps):
            _same(ours, theirs)


def test_retrievability_matches():
    scheduler = ref.Scheduler(enable_fuzzing=False)
    theirs, _ = scheduler.review_card(ref.Card(), ref.Rating.Easy, START)
    ours = fsrs.review(fsrs.new_card(), fsrs.EASY, _epoch(START))
    for days in (0, 1, 5, 20, 400):
        later = START + timedelta(days=days, hours=5)
        assert fsrs.retrievability(ours, _epoch(later)) == pytest.approx(
            scheduler.get_card_retrievability(theirs, later), rel=1e-12)


def test_the_old_card_is_left_as_it_was():
    card = fsrs.new_card()
    fsrs.review(card, fsrs.GOOD, 0)
    assert card == fsrs.new_card()

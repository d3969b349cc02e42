"""FSRS-6, the Free Spaced Repetition Scheduler (Anki's own scheduler since 23.10),
as the open-spaced-repetition project publishes it:
  - the formulas: github.com/open-spaced-repetition/fsrs4anki/wiki/The-Algorithm
    ("FSRS-6" section: R(t,S), S0, D0, linear damping, mean reversion to D0(Easy),
    recall/forget stability, same-day (short-term) stability);
  - the 21 default weights, learning steps (1 min, 10 min), relearning step
    (10 min), desired retention 0.9 and the 36500-day cap: py-fsrs 6.x
    (PyPI `fsrs`, fsrs/scheduler.py DEFAULT_PARAMETERS), its reference implementation.
tests/test_words_fsrs.py checks every step against py-fsrs's own outputs.

No fuzz (the optional random spread of long intervals): a schedule here is the
same on every run, which the journal replays. Times are seconds since 1970 (UTC);
days elapsed are whole days, as py-fsrs counts them (timedelta.days).

    >>> card = review(new_card(), GOOD, 0)
    >>> card["state"], card["due"], round(card["s"], 4)
    ('learning', 600, 2.3065)
    >>> review(card, GOOD, 600)["due"] - 600 == 2 * DAY
    True
"""
import math

DAY = 86400
W = (0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
     1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542)
RETENTION = 0.9
LEARNING = (60, 600)      # seconds: Again -> the first step, Good -> the next
RELEARNING = (600,)
MAX_INTERVAL = 36500      # days
S_MIN, D_MIN, D_MAX = 0.001, 1.0, 10.0
DECAY = -W[20]
FACTOR = 0.9 ** (1 / DECAY) - 1

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS = {"again": AGAIN, "hard": HARD, "good": GOOD, "easy": EASY}


def new_card():
    """A word never reviewed: learning, step 0, no stability or difficulty yet."""
    return {"state": "learning", "step": 0, "s": None, "d": None, "due": 0, "last": None,
            "reps": 0, "lapses": 0}


def retrievability(card, now):
    """The chance of recall now: (1 + FACTOR * t / S) ** DECAY, t in whole days."""
    if card["last"] is None or card["s"] is None:
        return 0.0
    days = max(0, int((now - card["last"]) // DAY))
    return (1 + FACTOR * days / card["s"]) ** DECAY


def _d0(g, clamp=True):
    d = W[4] - math.exp(W[5] * (g - 1)) + 1
    return min(max(d, D_MIN), D_MAX) if clamp else d


def _next_d(d, g):
    """Linear damping of the change, then mean reversion towards D0(Easy)."""
    damped = d + (10.0 - d) * -(W[6] * (g - 3)) / 9.0
    return min(max(W[7] * _d0(EASY, False) + (1 - W[7]) * damped, D_MIN), D_MAX)


def _short_term_s(s, g):
    """A review the same day: S * e^(w17 (G - 3 + w18)) * S^-w19, never less for a pass."""
    grow = math.exp(W[17] * (g - 3 + W[18])) * s ** -W[19]
    if g >= HARD:
        grow = max(grow, 1.0)
    return max(s * grow, S_MIN)


def _next_s(d, s, r, g):
    if g == AGAIN:
        long_term = W[11] * d ** -W[12] * ((s + 1) ** W[13] - 1) * math.exp((1 - r) * W[14])
        return max(min(long_term, s / math.exp(W[17] * W[18])), S_MIN)
    bonus = (W[15] if g == HARD else 1) * (W[16] if g == EASY else 1)
    return max(s * (1 + math.exp(W[8]) * (11 - d) * s ** -W[9] * (math.exp((1 - r) * W[10]) - 1) * bonus), S_MIN)


def interval_days(s):
    """Days until recall falls to RETENTION, rounded, 1 to MAX_INTERVAL."""
    days = round(s / FACTOR * (RETENTION ** (1 / DECAY) - 1))
    return min(max(days, 1), MAX_INTERVAL)


def _update(card, g, now):
    """The card's new stability and difficulty (its first rating sets them)."""
    if card["s"] is None or card["d"] is None:
        card["s"], card["d"] = max(W[g - 1], S_MIN), _d0(g)
        return
    same_day = card["last"] is not None and (now - card["last"]) // DAY < 1
    if same_day:
        card["s"] = _short_term_s(card["s"], g)
    else:
        card["s"] = _next_s(card["d"], card["s"], retrievability(card, now), g)
    card["d"] = _next_d(card["d"], g)


def _stepped(card, g, steps):
    """Seconds to the next review of a learning or relearning card; moves it on."""
    step = card["step"]
    if not steps or (step >= len(steps) and g >= HARD):
        return _graduate(card)
    if g == AGAIN:
        card["step"] = 0
        return steps[0]
    if g == HARD:
        if step == 0:
            return steps[0] * 1.5 if len(steps) == 1 else (steps[0] + steps[1]) / 2.0
        return steps[step]
    if g == GOOD and step + 1 < len(steps):
        card["step"] = step + 1
        return steps[step + 1]
    return _graduate(card)


def _graduate(card):
    card["state"], card["step"] = "review", None
    return interval_days(card["s"]) * DAY


def review(card, g, now):
    """The card after a rating g (AGAIN..EASY) at now: a new dict, the old one untouched."""
    card = dict(card)
    state = card["state"]
    _update(card, g, now)
    if state == "review":
        if g == AGAIN:
            card["lapses"] = card.get("lapses", 0) + 1
            if RELEARNING:
                card["state"], card["step"] = "relearning", 0
                seconds = RELEARNING[0]
            else:
                seconds = interval_days(card["s"]) * DAY
        else:
            seconds = interval_days(card["s"]) * DAY
    else:
        seconds = _stepped(card, g, LEARNING if state == "learning" else RELEARNING)
    card["due"], card["last"] = now + seconds, now
    card["reps"] = card.get("reps", 0) + 1
    return card

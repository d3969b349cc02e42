"""What is due now: the words whose schedule has come, then new words up to the
day's limit (the newest looked up first: they are the reader's current book).
A day starts at local midnight, the Kindle's clock. A word in its learning steps
due within LEARN_AHEAD comes early, after everything else due, as Anki does (its
"learn ahead limit", 20 minutes by default, shows learning cards early when
nothing else is left: the Anki manual, Preferences): a word rated Again is back
within the session, not after the reader has left. It counts as due from the
moment it is rated, so the count and the order don't hang on whether its minute
has passed yet.

    >>> words = [{"id": "a", "word": "alpha", "lang": "en", "mastered": False,
    ...           "uses": [{"word": "alpha", "usage": "An alpha.", "book": "B", "author": ""}]}]
    >>> out = due(words, {}, {}, now=0, new_per_day=10)
    >>> out["due_count"], out["due"][0]["usage"], out["next_due"]
    (1, 'An alpha.', None)
    >>> due(words, {"a": {"due": 90000, "first": 0}}, {}, now=0, new_per_day=10)["next_due"]
    '1970-01-02T01:00:00Z'
"""
import time

LISTED = 50   # words sent at a time; the page asks again when it has rated them
LEARN_AHEAD = 1200   # seconds (Anki's default learn ahead limit)


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds)) if seconds is not None else None


def day_start(now):
    """Local midnight before now, in seconds since 1970."""
    t = time.localtime(now)
    return time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))


def item(word, schedule, card):
    use = word["uses"][0] if word["uses"] else {"word": word["word"], "usage": "", "book": "", "author": ""}
    return {"id": word["id"], "word": use["word"], "lang": word["lang"], "usage": use["usage"], "book": use["book"],
            "card": {"meaning": card.get("meaning", ""), "example": card.get("example", "")} if card else None,
            "uses": [{"usage": u["usage"], "book": u["book"]} for u in word["uses"][1:]],
            "state": schedule["state"] if schedule else "new"}


def _chosen(words, schedules, now, new_per_day, mastered, soon=0):
    """(the words due now in review order, new words reviewed today, the next due time,
    the words due after now but within `soon` seconds): one pass over the words."""
    start = day_start(now)
    new_today = sum(1 for s in schedules.values() if s.get("first", 0) >= start)
    waiting, fresh, upcoming, ahead, later = [], [], [], [], None
    left = max(0, new_per_day - new_today)
    horizon, get = now + soon, schedules.get
    for word in words:
        if word["mastered"] and not mastered:
            continue
        schedule = get(word["id"])
        if schedule is None:
            if len(fresh) < left:
                fresh.append(word)
            elif later is None or start + 86400 < later:
                later = start + 86400   # tomorrow's new words
            continue
        when = schedule["due"]
        if when <= now:
            waiting.append((when, word))
            continue
        if when <= horizon:
            upcoming.append(word)
        if when <= now + LEARN_AHEAD and schedule["state"] != "review":
            ahead.append((when, word))
        if later is None or when < later:
            later = when
    waiting.sort(key=lambda pair: pair[0])
    ahead.sort(key=lambda pair: pair[0])
    return [w for _, w in waiting] + fresh + [w for _, w in ahead], new_today, later, upcoming


def plan(words, schedules, cards, now, new_per_day, mastered=False, listed=LISTED, soon=86400):
    """(the GET /api/reviews answer, ids of the words due now or within `soon` seconds
    that have no card yet)."""
    chosen, new_today, later, upcoming = _chosen(words, schedules, now, new_per_day, mastered, soon)
    answer = {"due": [item(w, schedules.get(w["id"]), cards.get(w["id"])) for w in chosen[:listed]],
              "due_count": len(chosen), "new_today": new_today, "next_due": None if chosen else iso(later)}
    return answer, list(dict.fromkeys(w["id"] for w in chosen + upcoming if w["id"] not in cards))


def due(words, schedules, cards, now, new_per_day, mastered=False, listed=LISTED):
    """The GET /api/reviews answer."""
    return plan(words, schedules, cards, now, new_per_day, mastered, listed, soon=0)[0]

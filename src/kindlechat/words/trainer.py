"""The words as the service asks for them: what is due, a rating, cards to write,
the exports. The service hands in where vocab.db is, how one request to the
model is made (ask), whether a reply streams (busy) and the clock; this module
names no provider and holds no HTTP.

    >>> import tempfile
    >>> t = Trainer(tempfile.mkdtemp(), {}, lambda: ("/nonexistent/vocab.db", False),
    ...             ask=None, busy=lambda: False, language=lambda: "English")
    >>> out = t.reviews()
    >>> out["due_count"], out["message"][:10]
    (0, 'Not found:')
"""
import os
import threading
import time

from .. import errors
from ..errors import Refused
from . import cards, deck, fsrs, reviews, session, snapshot
from .writer import Writer

NEW_PER_DAY = 10
AUTO_CARDS = 2 * cards.BATCH   # due words without a card queued when Review opens
PRIME_AFTER = 30   # seconds after the start before prime() reads: the page loads first


class Trainer:
    """The reader's words: vocab.db's (deck.py), their schedules and cards (reviews.py),
    the cards being written (writer.py). Refusals are errors.Refused, in plain words."""

    def __init__(self, data_dir, settings, vocab_source, ask, busy, language, clock=time.time):
        self.settings, self._source, self._ask, self._language = settings, vocab_source, ask, language
        self.clock, self._busy = clock, busy
        self._used = False             # the words were asked for (Words, Review, cards, an export)
        self._closed = threading.Event()
        self.deck = deck.Deck(os.path.join(data_dir, "words", snapshot.NAME))
        self.journal = reviews.Journal(data_dir)
        self.writer = Writer(self._write_batch, busy)
        self.card_language = None   # the page's language, as it last named it
        self._tried = set()         # words asked for once: the background asks no more (a model that
                                    # writes no card for one would be asked again at every open)

    def warm(self):
        """Read vocab.db and the journal in the background, once they changed: the Words
        view calls it as it opens, so that Review, a tap later, finds them read (5,000
        words take 0.54 s on emulated ARM without a snapshot, bench/words_review.py).
        Returns the thread."""
        def read():
            try:
                self._words()
                self._state()
            except Refused:
                pass   # Review says so when it opens
        return self._background(read, "words-warm")

    def prime(self, after=PRIME_AFTER):
        """At start, in the background, once the page has loaded and no reply streams (one
        core): bring vocab.db's snapshot up to date (snapshot.py), so that the first Review,
        even the first ever, starts from it (0.25 s on emulated ARM, not 0.54 s). Then the
        words are let go unless the reader asked for them meanwhile: a reader who never
        reviews keeps no 5,000 words in memory. Returns the thread."""
        def read():
            if self._closed.wait(after):
                return
            while self._busy() and not self._closed.wait(PRIME_AFTER):
                pass
            path, immutable = self._source()
            self.deck.read(path, immutable)
            if not self._used:
                self.deck.forget()
        return self._background(read, "words-prime")

    def _background(self, fn, name):
        thread = threading.Thread(target=fn, name=name, daemon=True)
        try:
            thread.start()
        except RuntimeError:   # "can't start new thread": Review reads them itself
            return None
        return thread

    def _words(self):
        self._used = True
        path, immutable = self._source()
        return self.deck.read(path, immutable)

    def _limits(self):
        new = self.settings.get("new_words_per_day")
        return (NEW_PER_DAY if new is None else new), bool(self.settings.get("review_mastered"))

    def _state(self):
        try:
            return self.journal.schedules(), self.journal.cards()
        except reviews.StorageError as exc:
            raise Refused("unavailable", exc.error) from None

    # -- reviews -----------------------------------------------------------------
    def reviews(self, language=None):
        """GET /api/reviews: the words due now (some of them), how many, and when next;
        language: the page's, for the cards written meanwhile."""
        self._language_of_page(language)
        words, _, why = self._words()
        schedules, written = self._state()
        new, mastered = self._limits()
        out, missing = session.plan(words, schedules, written, self.clock(), new, mastered)
        if why is not None:
            out["message"] = why.message
        due_now = [w["id"] for w in out["due"] if w["card"] is None and w["id"] not in self._tried]
        if due_now and self._ask is not None and self.settings.get("cards_in_background", True):
            self.writer.add(due_now[:AUTO_CARDS])
        out["cards"] = self._card_status(missing)
        out["limits"] = {"new_words_per_day": new, "review_mastered": mastered}   # the page's two knobs
        return out

    def rate(self, word_id, rating):
        """POST /api/reviews/{id}: a 400 for an unknown word or rating, before anything is written."""
        if not isinstance(rating, str) or rating not in fsrs.RATINGS:
            raise Refused("bad_input", errors.bad_rating(sorted(fsrs.RATINGS, key=fsrs.RATINGS.get)))
        _, by_id, _ = self._words()
        if word_id not in by_id:
            raise Refused("bad_input", errors.unknown_word())
        try:
            card = self.journal.rate(word_id, rating, self.clock())
        except reviews.StorageError as exc:
            raise Refused("unavailable", exc.error) from None
        return {"id": word_id, "next_due": session.iso(card["due"])}

    # -- cards -------------------------------------------------------------------
    def _missing(self):
        """Ids of the words due now or within a day that have no card yet."""
        words = self._words()[0]
        schedules, written = self._state()
        new, mastered = self._limits()
        return session.plan(words, schedules, written, self.clock(), new, mastered, listed=0)[1]

    def card_status(self):
        return self._card_status(self._missing())

    def _card_status(self, missing):
        """{"pending", "writing", "missing", "requests", "error"?}: what the page shows
        beside "Write cards" (the cost in requests before a big batch)."""
        pending = self.writer.pending()
        out = {"pending": len(pending), "writing": self.writer.running, "missing": len(missing),
               "requests": len(cards.batches(missing))}
        if self.writer.last_error is not None:
            out["error"] = getattr(self.writer.last_error, "message", str(self.writer.last_error))
        return out

    def write_cards(self, ids=None, language=None):
        """POST /api/words/cards: queue the words (absent: the due soon without a card)."""
        words, by_id, _ = self._words()
        if ids is None:
            ids = self._missing()
        elif not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise Refused("bad_input", errors.bad_word_ids())
        elif any(i not in by_id for i in ids):
            raise Refused("bad_input", errors.unknown_word())
        self._language_of_page(language)
        if self._ask is None:
            raise Refused("unavailable", "no_key")
        queued = self.writer.add(ids)
        return {"queued": queued, "requests": len(cards.batches(list(range(queued))))}

    def _language_of_page(self, language):
        if isinstance(language, str) and language.strip():
            self.card_language = language.strip()[:40]

    def _write_batch(self, ids):
        self._tried.update(ids)
        _, by_id, _ = self._words()
        items = [dict(by_id[i], usage=by_id[i]["uses"][0]["usage"] if by_id[i]["uses"] else "")
                 for i in ids if i in by_id]
        if not items:
            return None
        language = (self.settings.get("translate_to") or "").strip() or self.card_language or self._language()
        text, error = self._ask(cards.prompt(items, language))
        if error is not None:
            return error
        found = cards.parse(text, items)
        by_word = {w["id"]: w for w in items}
        self.journal.add_cards({i: dict(c, word=by_word[i]["word"], lang=by_word[i]["lang"], language=language)
                                for i, c in found.items()})
        return None

    # -- exports -----------------------------------------------------------------
    def _rows(self, reviewed_only):
        words, _, why = self._words()
        schedules, written = self._state()
        if why is not None and not words:
            raise Refused("unavailable", why)
        rows = []
        for w in words:
            schedule, card = schedules.get(w["id"]), written.get(w["id"]) or {}
            if reviewed_only and schedule is None and not card:
                continue
            use = w["uses"][0] if w["uses"] else {"word": w["word"], "usage": "", "book": ""}
            rows.append({"id": w["id"], "word": use["word"], "lang": w["lang"], "usage": use["usage"],
                         "book": use["book"], "meaning": card.get("meaning", ""), "example": card.get("example", ""),
                         "schedule": schedule})
        return rows

    def apkg(self):
        """The .apkg of the words reviewed or with a card (before any: every word, new)."""
        from . import anki   # here: zipfile and the rest are not the start's to pay for (ARM)
        rows = self._rows(True) or self._rows(False)
        try:
            return anki.build(rows, self.clock())
        except ImportError:
            raise Refused("unavailable", errors.no_sqlite()) from None

    def csv(self):
        from . import export   # here, as anki above
        return export.csv_bytes(self._rows(False))

    def export(self, kind):
        """The file of an export: "apkg" or "csv"."""
        return self.apkg() if kind == "apkg" else self.csv()

    def close(self):
        self._closed.set()
        self.writer.close()

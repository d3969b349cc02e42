"""The review state on disk: data_dir/words/reviews.jsonl, an append-only journal
like the chats' (store.py), one JSON object a line:
  {"t": "words", "v": 1}                                  first line
  {"t": "rate", "id", "r": "good", "at", "card": {...}}   a rating and the card's
                                                          schedule after it (fsrs.py)
  {"t": "state", "id", "card": {...}}                    a schedule, as compaction keeps it
  {"t": "card", "id", "word", "lang", "meaning", "example", "language"}
                                                          a card the model wrote
A rating stores the schedule it made, not only the rating: loading is reading,
never replaying the scheduler over years of reviews.

    >>> import tempfile
    >>> data_dir = tempfile.mkdtemp()
    >>> Journal(data_dir).rate("abc", "good", 1000)["state"]
    'learning'
    >>> Journal(data_dir).load()["abc"]["due"]
    1600

Safe as the chats are: a rating is appended whole and fsynced before it is
shown (diskwrite.append_whole), so a kill -9 tears at most the line being
written, which the reader skips; a full disk refuses the new rating (StorageError)
and keeps every earlier one. A line that is JSON but not a record written here is
skipped and kept: the journal is then never compacted, so nothing is lost.
Past COMPACT_SLACK records beyond one a word, a write compacts instead (one
line a word), atomically (diskwrite.write_atomic).
"""
import json
import os
import threading

from .. import errors
from ..diskwrite import append_whole, write_atomic
from . import fsrs

NAME = "reviews.jsonl"
COMPACT_SLACK = 512
CARD_FIELDS = ("word", "lang", "meaning", "example", "language")
STATES = ("learning", "review", "relearning")


class StorageError(Exception):
    """The data folder can't be written: .error is the plain message (errors.storage)."""

    def __init__(self, exc):
        self.error = errors.storage(exc)
        super().__init__(self.error.message)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _valid_card(card):
    return (isinstance(card, dict) and card.get("state") in STATES and _number(card.get("due"))
            and all(_number(card.get(k)) for k in ("s", "d")))


def valid(rec):
    """True for a record this module writes."""
    if not isinstance(rec, dict) or not isinstance(rec.get("id", ""), str):
        return False
    kind = rec.get("t")
    if kind == "words":
        return True
    if kind in ("rate", "state"):
        return (kind == "state" or rec.get("r") in fsrs.RATINGS) and _valid_card(rec.get("card")) and bool(rec.get("id"))
    if kind == "card":
        return bool(rec.get("id")) and all(isinstance(rec.get(k, ""), str) for k in CARD_FIELDS)
    return False


TORN, DEEP = object(), object()


def _decode_all(lines):
    """The records of the lines: all in one json.loads (one C call for thousands of
    lines, what opening Review costs on a Kindle), else one by one, a torn line TORN
    and a line nested too deep DEEP (counted as foreign by valid())."""
    try:
        out = json.loads(b"[" + b",".join(lines) + b"]")
        if len(out) == len(lines):   # a line of "1,2" would be two: then one by one
            return out
    except (ValueError, RecursionError):
        pass
    return [_decode(raw) for raw in lines]


def _decode(raw):
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        return DEEP
    except ValueError:
        return TORN


def _line(rec):
    return (json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class Journal:
    """Schedules and cards by word id. Thread-safe; writes raise StorageError."""

    def __init__(self, data_dir):
        self.folder = os.path.join(data_dir, "words")
        self.path = os.path.join(self.folder, NAME)
        self._lock = threading.RLock()
        self._schedules = self._cards = None
        self._records = 0
        self.foreign = 0   # lines that are JSON but no record of ours: never compacted away

    # -- reading --------------------------------------------------------------
    def _read(self):
        if self._schedules is not None:
            return
        schedules, cards, records, foreign = {}, {}, 0, 0
        try:
            os.remove(self.path + ".tmp")   # a compaction cut short by a kill -9 (the journal is whole)
        except OSError:
            pass
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError as exc:
            if not os.path.isdir(os.path.dirname(self.folder)):
                # the whole data folder away (the Kindle's USB mode): not "no reviews yet",
                # which a later compaction would write over the real journal
                raise StorageError(exc) from None
            data = b""
        except OSError as exc:
            raise StorageError(exc) from None
        lines = [raw for raw in data.split(b"\n") if raw.strip()]
        for rec in _decode_all(lines):
            records += 1
            if rec is TORN:
                continue   # a line torn by a kill -9: never valid JSON
            if not valid(rec):
                foreign += 1
            elif rec["t"] in ("rate", "state"):
                schedules[rec["id"]] = rec["card"]
            elif rec["t"] == "card":
                cards[rec["id"]] = {k: rec.get(k, "") for k in CARD_FIELDS}
        self._schedules, self._cards, self._records, self.foreign = schedules, cards, records, foreign

    def load(self):
        """{id: schedule} (a copy of the map; the schedules themselves are shared)."""
        with self._lock:
            self._read()
            return dict(self._schedules)

    def schedules(self):
        """The live {id: schedule}: read it under no lock only to look."""
        with self._lock:
            self._read()
            return self._schedules

    def cards(self):
        with self._lock:
            self._read()
            return self._cards

    # -- writing --------------------------------------------------------------
    def rate(self, word_id, rating, now):
        """Schedule the word after a rating ("again".."easy") at now; returns the new schedule."""
        with self._lock:
            self._read()
            old = self._schedules.get(word_id)
            card = fsrs.review(old or fsrs.new_card(), fsrs.RATINGS[rating], now)
            card["first"] = old.get("first", now) if old else now
            self._write([{"t": "rate", "id": word_id, "r": rating, "at": now, "card": card}])
            self._schedules[word_id] = card
            return card

    def add_cards(self, cards):
        """Store written cards: {id: {word, lang, meaning, example, language}}."""
        with self._lock:
            self._read()
            records = [dict({k: str(c.get(k) or "") for k in CARD_FIELDS}, t="card", id=i) for i, c in cards.items()]
            if records:
                self._write(records)
                for rec in records:
                    self._cards[rec["id"]] = {k: rec[k] for k in CARD_FIELDS}

    def _write(self, records):
        """Append the records, or (past the slack, nothing foreign) compact with them."""
        try:
            if not os.path.isdir(self.folder):
                os.mkdir(self.folder)
            kept = len(self._schedules) + len(self._cards) + 1
            if self._records + len(records) > kept + COMPACT_SLACK and not self.foreign:
                self._compact(records)
            else:
                self._append(records)
        except OSError as exc:
            raise StorageError(exc) from None

    def _append(self, records):
        data = b"".join(_line(r) for r in records)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.lseek(fd, 0, os.SEEK_END)
            if size == 0:
                data = _line({"t": "words", "v": 1}) + data
                records = [None] + records
            elif os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data   # after a torn last line: a line of our own
            append_whole(fd, size, data, sync=True)
        finally:
            os.close(fd)
        self._records += len(records)

    def _compact(self, records):
        schedules, cards = dict(self._schedules), dict(self._cards)
        for rec in records:
            if rec["t"] == "rate":
                schedules[rec["id"]] = rec["card"]
            else:
                cards[rec["id"]] = {k: rec[k] for k in CARD_FIELDS}
        out = [_line({"t": "words", "v": 1})]
        out += [_line(dict(c, t="card", id=i)) for i, c in cards.items()]
        out += [_line({"t": "state", "id": i, "card": s}) for i, s in schedules.items()]
        write_atomic(self.path, b"".join(out))
        self._records = len(out)

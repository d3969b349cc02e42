"""Chats about the book being read: the books list with what can be read of each and
where the reader is, and each message's request, built from the text that ends at
the reader's position (context.py) and never past it.

A book chat keeps its binding on its first message ({"book": {"id", "action", "name"}})
and its bound on each reply ({"book": {"offset", "page", "location", "percent",
"pages", "moved"}}): the bound is the furthest position any of its requests was
built to. A reader who read on moves it at the next message, and the reply says so
("moved"); it never moves back.

    >>> budget_tokens({"book_budget": 0}, "ollama"), budget_tokens({"book_budget": 9000}, "gemini")
    (2500, 9000)
"""
import bisect
import json
import os
import time

from . import asks, context, recap as recap_mod, shelf
from .bookindex import Book, Cache
from .failures import BookError
from .. import errors
from ..diskwrite import write_atomic

ACTIONS = ("book", "recap", "xray")
# Tokens of book text a request carries when the book_budget setting is 0: Gemini
# takes a million, but every token is sent over the Kindle's Wi-Fi and paid for; an
# Ollama model is often run with an 8k (or the default 2k-4k) context, which must
# also hold the chat and the reply.
BUDGETS = {"gemini": 100000, "anthropic": 50000, "openai": 30000, "ollama": 2500}
STALE_DAYS = 3          # a book last opened longer ago offers "Catch me up" first
NOTES = "book-notes"    # in the data folder: per book, the recaps and casts kept


def budget_tokens(settings, kind):
    return int(settings.get("book_budget") or 0) or BUDGETS.get(kind, 30000)


class BookChats(object):
    ACTIONS = ACTIONS

    def __init__(self, settings, where):
        """where(): (library root, cc.db path, immutable) as the Library sees them."""
        self.settings = settings
        self.where = where
        self.cache = Cache(settings["data_dir"])

    # -- the books list -------------------------------------------------------------
    def books(self, limit=20):
        root, cc_db, immutable = self.where()
        found, why = shelf.entries(cc_db, root, limit, immutable)
        out = []
        for i, entry in enumerate(found):
            book = self.cache.load(entry["path"]) if i == 0 else None   # the book being read
            out.append(public(entry, book, self._status(entry, book)))
        return out, why

    def _status(self, entry, book):
        if isinstance(book, Book):
            return "readable", None
        if isinstance(book, BookError):
            return _reason(book.reason), book.error.message
        try:
            from . import mobi_text
            status = mobi_text.text_status(entry["path"])
        except BookError as exc:
            return _reason(exc.reason), exc.error.message
        except (ImportError, OSError):
            return ("missing" if not os.path.isfile(entry["path"]) else "unsupported"), None
        reason = getattr(status, "reason", status)
        message = getattr(status, "message", None)
        return _reason(reason if isinstance(reason, str) else "readable"), message

    def find(self, book_id):
        root, cc_db, immutable = self.where()
        found, _ = shelf.entries(cc_db, root, 200, immutable)
        for entry in found:
            if entry["id"] == book_id:
                return entry
        return None

    # -- a chat's first message -------------------------------------------------------
    def first(self, body):
        """(the first message's text, its extra fields) for a POST /api/library/chats
        body of action book, recap or xray; None when the book is not in the library."""
        action = body.get("action")
        entry = self.find(body.get("book"))
        if entry is None:
            return None
        self.cache.load(entry["path"])   # read now, outside the service's send lock (cached after)
        title = entry["title"]
        name = (body.get("name") or "").strip()[:200] if isinstance(body.get("name"), str) else ""
        if action == "book":
            question = body.get("question")
            text = question.strip() if isinstance(question, str) and question.strip() else \
                "What has happened so far in %s?" % title
        elif action == "recap":
            text = "%s: the story so far" % title
        else:
            text = ("%s: who is %s?" % (title, name)) if name else "%s: who's who so far" % title
        return text, {"book": {"id": entry["id"], "action": action, "name": name, "title": title}}

    # -- each request ------------------------------------------------------------------
    def request(self, chat_id, history, kind, read_message):
        """(the last user message's request text, the reply's "book" fields) for a book
        chat, or None for any other chat; a long book's recap gives a recap.Plan instead of
        the text (its parts are asked for first: parts_first.py). history: the chat's
        messages; read_message(cid, index): a stored message or None (rolling casts)."""
        binding = next((m["book"] for m in history if m.get("role") == "user" and isinstance(m.get("book"), dict)), None)
        if binding is None:
            return None
        entry = self.find(binding.get("id"))
        known = {"title": binding.get("title") or "the book", "author": ""}
        question = history[-1].get("text") or ""
        first_turn = sum(1 for m in history if m.get("role") == "user") == 1
        action = binding.get("action") if first_turn else "book"
        previous = max([m["book"].get("offset") or 0 for m in history
                        if m.get("role") == "model" and isinstance(m.get("book"), dict)] or [0])
        if entry is None:   # removed from the library while being read
            fields = {"notice": errors.book_gone_reading(known["title"]).message, "pages": []}
            return asks.unreadable(known, "", question, fields["notice"]), fields
        book = self.cache.load(entry["path"])
        notices = []
        if isinstance(book, BookError):
            pos = position_of(entry, None, notices)
            fields = dict(_where(pos), pages=[], notice=book.error.message)
            cast = recap_mod.cast_unread(entry, pos, binding.get("name")) if action == "xray" else None
            if cast is not None:   # a store book's X-Ray reads without its (DRM) text
                return asks.cast_from_xray(entry, asks.where(pos), cast, binding.get("name")), fields
            return asks.unreadable(entry, asks.where(pos), question, book.error.message), fields
        pos = position_of(entry, book, notices)
        bound = max(previous, pos["offset"] or 0)
        moved = bool(previous) and bound > previous
        if bound != pos["offset"]:   # the Kindle's note went back: keep what was read
            pos = dict(pos, offset=bound, raw=book.raw_offset(bound))
        budget = context.chars(budget_tokens(self.settings, kind))
        label = labeller(entry, book)
        here = asks.where(pos)
        if action == "recap":
            text, pages = recap_mod.recap(self.notes(entry), book, entry, bound, here, label, budget,
                                          chat_id, len(history), read_message)
        elif action == "xray":
            text, pages = recap_mod.cast(self.notes(entry), book, entry, bound, here, label, budget,
                                         binding.get("name"), chat_id, len(history), read_message, notices)
        else:
            ctx = context.build(book.text[:bound], label, question, budget, book.lowered[:bound],
                                book.starts[:bisect.bisect_left(book.starts, bound)])
            text, pages = asks.ask(entry, here, question, ctx.text), ctx.pages
        fields = dict(_where(pos), pages=pages, moved=moved)
        if notices:
            fields["notice"] = " ".join(n.message for n in notices)
        return text, fields

    def notes(self, entry):
        return Notes(os.path.join(self.settings["data_dir"], NOTES, entry["id"] + ".json"))


def position_of(entry, book, notices):
    from . import position
    return position.resolve(entry, book if isinstance(book, Book) else None, notices)


def labeller(entry, book):
    from . import position
    pages = position.page_map(entry["sdr"])
    return lambda plain: position.label(pages, book.raw_offset(plain))


def public(entry, book, status):
    """A book as GET /api/books lists it."""
    text, why = status
    pos = position_of(entry, book, [])
    out = {"id": entry["id"], "title": entry["title"], "author": entry["author"], "format": entry["format"],
           "progress": entry["progress"], "last_opened": entry["last_opened"], "text": text,
           "position": {"offset": pos["offset"], "percent": pos["percent"], "page": pos["page"],
                        "location": pos["location"], "from": pos["from"]},
           "stale": bool(entry["last_access"]) and time.time() - entry["last_access"] > STALE_DAYS * 86400}
    if why:
        out["why"] = why
    return out


def _where(pos):
    return {"offset": pos["offset"], "page": pos["page"], "location": pos["location"], "percent": pos["percent"]}


def _reason(reason):
    return {"damaged": "unsupported", "too_big": "unsupported"}.get(reason, reason) \
        if reason in ("readable", "drm", "kfx", "pdf", "missing", "unsupported", "damaged", "too_big") else "unsupported"


class Notes(object):
    """One book's notes in the data folder (recaps and casts: recap.py), as JSON."""

    def __init__(self, path):
        self.path = path

    def read(self):
        try:
            with open(self.path, "rb") as f:
                found = json.loads(f.read().decode("utf-8"))
            return found if isinstance(found, dict) else {}
        except (OSError, ValueError):
            return {}

    def write(self, notes):
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, json.dumps(notes).encode("utf-8"))
        except OSError:
            pass   # the data folder away or full: the next recap reads more text, that is all

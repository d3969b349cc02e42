"""The Kindle's own library, as the routes ask for it: where it is, My Clippings.txt
parsed once per change (highlights.py: only an appended tail, kept on disk), vocab.db and cc.db read-only,
chats started from a highlight, a word or a book, and a chat saved into documents/.

    >>> import tempfile
    >>> lib = Library({"library_dir": tempfile.mkdtemp(), "library_db": "", "demo": False,
    ...                "translate_to": "", "data_dir": tempfile.mkdtemp()})
    >>> lib.highlights()["total"], lib.highlights()["message"][:10]
    (0, 'Not found:')
"""
import errno
import os
import shutil
import subprocess
import threading

from . import highlights as highlights_mod, prompts, vocab
from ..ebook import chat_book as ebook
from .. import errors
from ..reading.bookchat import BookChats
from ..errors import Refused

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "sample_library")
CLIPPINGS = os.path.join("documents", "My Clippings.txt")
VOCAB = os.path.join("system", "vocabulary", "vocab.db")
KINDLE_ROOT, KINDLE_CC_DB = "/mnt/us", "/var/local/cc.db"
CACHE = "clippings-cache.json"   # in the data folder: the parse kept across restarts
SAVE_DIR = os.path.join("documents", "KindleChat")
# How a Kindle notices a new file in documents/ without a USB cycle: its scanner
# rescans on this property (KindleModding/KPM src/install.c runs exactly this after
# installing; many KUAL installers do the same).
RESCAN = ("lipc-set-prop", "com.lab126.scanner", "doFullScan", "1")
LANGUAGES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
             "nl": "Dutch", "ja": "Japanese", "zh": "Chinese", "en": "English", "ru": "Russian"}


class Library:
    def __init__(self, settings, start=None):
        self.settings = settings
        self._start = start   # how a background parse runs (highlights.Highlights)
        self._lock = threading.Lock()
        self._clippings = None   # highlights.Highlights of the current root's file
        # The book being read: its text up to the position, chats bound to it (reading/).
        self.reading = BookChats(settings, lambda: (self.root, self.cc_db(), self.sample))

    # -- where things are --------------------------------------------------------------
    @property
    def sample(self):
        return not self.settings.get("library_dir") and (self.settings.get("demo") or not os.path.isdir(KINDLE_ROOT))

    @property
    def root(self):
        return self.settings.get("library_dir") or (SAMPLE if self.sample else KINDLE_ROOT)

    @property
    def write_root(self):
        """The shipped sample is never written: the demo saves into the data folder."""
        return os.path.join(self.settings["data_dir"], "demo-library") if self.sample else self.root

    def cc_db(self):
        return self.settings.get("library_db") or (os.path.join(SAMPLE, "cc.db") if self.sample else KINDLE_CC_DB)

    # -- highlights ------------------------------------------------------------------------
    def _parsed(self):
        """The Version of My Clippings.txt to answer from (highlights.py)."""
        path = os.path.join(self.root, CLIPPINGS)
        with self._lock:
            if self._clippings is None or self._clippings.path != path:
                self._clippings = highlights_mod.Highlights(path, os.path.join(self.settings["data_dir"], CACHE),
                                                             self._start)
            source = self._clippings
        return source.current()

    def highlights(self, q="", book="", offset=0, limit=50):
        parsed = self._parsed()
        items, books, notice = parsed.items, parsed.books, parsed.notice
        if book:
            items = [c for c in items if c["book"] == book]
        if q:
            needle = q.casefold()
            items = [c for c in items if needle in ("%s\n%s\n%s\n%s" % (c["text"], c["note"], c["book"], c["author"])).casefold()]
        if book or q:
            books = highlights_mod.books(items)
        out = {"books": books, "highlights": items[offset:offset + limit], "total": len(items)}
        if notice is not None:
            out["message"] = notice.message
        if parsed.partial:
            out["partial"] = True   # the newest only: the rest is being read (ask again)
        return out

    # -- words and books ------------------------------------------------------------------
    def words(self, limit=50):
        found, why = vocab.words(os.path.join(self.root, VOCAB), limit, immutable=self.sample)
        return _with_message({"words": found}, why)

    def books(self, limit=20):
        """Books only (no KUAL, scriptlets, dictionaries...), the one being read first:
        each with its id, format, what can be read of its text and where the reader is."""
        found, why = self.reading.books(limit)
        return _with_message({"books": found, "reading": found[0]["id"] if found else None}, why)

    # -- chats started from the library -----------------------------------------------------
    def start(self, body):
        """(the first message's text, its extra fields) of a POST /api/library/chats body:
        a book chat (action book, recap or xray with a "book" id) is bound to the book."""
        if isinstance(body, dict) and body.get("action") in BookChats.ACTIONS and "book" in body:
            question = body.get("question")
            if question is not None and not isinstance(question, str):
                raise Refused("bad_input", errors.bad_book_question())
            found = self.reading.first(body)
            if found is None:
                raise Refused("not_found", errors.no_such_book(str(body.get("book"))[:40]))
            return found
        return self.question(body), {}

    def question(self, body):
        """The question a POST /api/library/chats body asks for."""
        action = body.get("action") if isinstance(body, dict) else None
        if action in prompts.HIGHLIGHT_ACTIONS:
            item = self._parsed().by_id.get(body.get("highlight"))
            if item is None:
                raise Refused("not_found", errors.no_such_highlight())
            return prompts.highlight(item, action, self.language())
        if action == "word":
            found = [w for w in self.words(500)["words"] if w["word"] == body.get("word")]
            if not found:
                raise Refused("not_found", errors.no_words())
            return prompts.word(found[0])
        if action == "quiz":
            found = self.words(10)["words"]
            if not found:
                raise Refused("not_found", errors.no_words())
            return prompts.quiz(found)
        if action == "book":
            listed = self.books(50)
            found = [b for b in listed["books"] if b["title"] == body.get("title")]
            if not found:
                raise Refused("not_found", errors.library_missing(body.get("title") or "that book"))
            return prompts.book(found[0])
        raise Refused("bad_input", errors.bad_library_action(prompts.HIGHLIGHT_ACTIONS + ("word", "quiz", "book")))

    def language(self):
        """Translate into: the setting, else the Kindle's own language (its LANG), else English."""
        chosen = (self.settings.get("translate_to") or "").strip()
        if chosen:
            return chosen
        code = (os.environ.get("LANG") or "en").split("_")[0].split(".")[0].lower()
        return LANGUAGES.get(code, "English")

    # -- save a chat as a book ----------------------------------------------------------
    def save(self, chat):
        """Write the chat to documents/KindleChat/<name>.mobi (a formatted book) and
        <name>.txt beside it (plain text, which every reader lists), replacing an
        earlier save, then ask the Kindle to rescan. Returns the book's path relative
        to the library root."""
        text = os.path.join(SAVE_DIR, ebook.file_name(chat["title"], chat["id"]))
        book = text[:-len(".txt")] + ".mobi"
        self.save_files([(text, ebook.chat_text(chat).encode("utf-8")), (book, ebook.chat_mobi(chat))])
        return book.replace(os.sep, "/")

    def save_files(self, files):
        """Write [(path relative to the root, bytes)] under documents/, each whole or
        not at all, then ask the Kindle to rescan. Raises Refused in plain words."""
        root = self.write_root
        if self.sample:
            os.makedirs(os.path.join(root, "documents"), exist_ok=True)
        documents = os.path.join(root, "documents")
        if not os.path.isdir(documents):
            raise Refused("unavailable", errors.documents_away(documents))
        try:
            os.makedirs(os.path.join(root, SAVE_DIR), exist_ok=True)
            for name, data in files:
                _write(os.path.join(root, name), data)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise Refused("unavailable", errors.documents_readonly(documents)) from None
            raise Refused("unavailable", errors.storage(exc)) from None
        rescan(root)


def _write(target, data):
    """Whole or not at all: a temporary file beside it, then one rename."""
    tmp = target + ".tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def rescan(root=KINDLE_ROOT):
    """Ask the Kindle's scanner to list new files; no-op where lipc-set-prop is missing."""
    tool = shutil.which(RESCAN[0])
    if tool is None:
        return False
    try:
        subprocess.run((tool,) + RESCAN[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=10, env=system_env(root))
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def system_env(root, environ=None):
    """The environment for a Kindle tool: without the lib folder the KUAL scripts put
    on LD_LIBRARY_PATH for NiLuJe's Python (common.sh py_env), whose libraries break
    the system's own tools.

        >>> system_env("/mnt/us", {"LD_LIBRARY_PATH": "/mnt/us/python3/lib:/usr/lib", "A": "1"})
        {'LD_LIBRARY_PATH': '/usr/lib', 'A': '1'}
        >>> system_env("/mnt/us", {"LD_LIBRARY_PATH": "/mnt/us/python3/lib"})
        {}
    """
    env = dict(os.environ if environ is None else environ)
    ours = os.path.normpath(os.path.join(root, "python3", "lib"))
    kept = [p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p and os.path.normpath(p) != ours]
    if kept:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(kept)
    else:
        env.pop("LD_LIBRARY_PATH", None)
    return env


def _with_message(out, why):
    if why is not None:
        out["message"] = why.message
    return out

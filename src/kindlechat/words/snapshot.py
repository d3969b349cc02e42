"""vocab.db's words as deck.py grouped them, kept between runs of the server: the
first Review after a start would otherwise read and group every lookup again,
0.4 s of its 0.3 s budget on emulated ARM with 5,000 words, where loading them
back costs 0.05 s (bench/words_review.py, issue 26.5).

A cache, never the state: the reviews live in reviews.jsonl, the words in
vocab.db. A snapshot that is missing, torn, of another format or of another
vocab.db is ignored, and the words are read from vocab.db as before; one that is
older than vocab.db is brought up to date by deck.py, which reads only the
lookups after it. marshal is the stdlib's own C serialiser (json takes twice as
long here); loading it runs no code, and it only ever reads what save() wrote
into KindleChat's own folder. Version 4 is read by every Python from 3.4 on, so
a reader who moves from python3.9 to πthon's 3.14 keeps the snapshot.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), NAME)
    >>> save(path, "/v.db", (1, 1, 0), 5, [{"id": "a", "word": "alpha"}])
    >>> load(path, "/v.db")
    ((1, 1, 0), 5, [{'id': 'a', 'word': 'alpha'}])
    >>> load(path, "/other/v.db") is None
    True
"""
import marshal
import os

from ..diskwrite import write_atomic

NAME = "vocab.snapshot"
FORMAT = 1


def save(path, vocab_path, print_, newest, words):
    """Write the snapshot whole or not at all; a failure (a full disk, the data folder
    away in USB mode) leaves the previous one and is not the reader's concern."""
    try:
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            os.mkdir(folder)   # not makedirs: a data folder that is away stays away
        write_atomic(path, marshal.dumps((FORMAT, vocab_path, tuple(print_), newest, words), 4))
    except (OSError, ValueError):
        pass


def load(path, vocab_path):
    """(fingerprint, newest lookup's ms, words) as saved for this vocab.db, or None."""
    try:
        with open(path, "rb") as f:
            saved = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(saved, tuple) and len(saved) == 5 and saved[0] == FORMAT and saved[1] == vocab_path):
        return None
    _, _, print_, newest, words = saved
    if not (isinstance(print_, tuple) and isinstance(newest, int) and isinstance(words, list)):
        return None
    return print_, newest, words

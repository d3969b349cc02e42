"""Build the demo's sample library, src/kindlechat/library/sample_library/, laid out like a
Kindle's /mnt/us: documents/My Clippings.txt (BOM, CRLF, as a Kindle writes it),
system/vocabulary/vocab.db and cc.db, both with the real tables (see vocab.py and
books.py for where their schemas come from). Public-domain books only. The book
being read is tools/make_sample_book.py's (made by calibre's ebook-convert, with the
reader's sidecar placing them in chapter 4), and the KUAL launcher was opened after it,
as on a Kindle where KindleChat was started from KUAL.

    python3 tools/make_sample_library.py     # rewrites the sample; commit the result
"""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_sample_book  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "kindlechat", "library", "sample_library")
AUSTEN, MELVILLE, CARROLL = ("Pride and Prejudice (Penguin Classics) (Jane Austen)", "Moby-Dick (Herman Melville)",
                             "Alice's Adventures in Wonderland (Lewis Carroll)")
CLIPPINGS = [
    (AUSTEN, "- Your Highlight on page 1 | Location 5-6 | Added on Monday, March 3, 2025 9:14:02 PM",
     "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife."),
    (AUSTEN, "- Your Highlight on page 5 | Location 71-72 | Added on Monday, March 3, 2025 9:40:11 PM",
     "She is tolerable; but not handsome enough to tempt me."),
    (AUSTEN, "- Your Note on page 5 | Location 72 | Added on Monday, March 3, 2025 9:40:30 PM",
     "Darcy at his worst."),
    (AUSTEN, "- Your Bookmark on page 12 | Location 180 | Added on Tuesday, March 4, 2025 8:02:00 AM", ""),
    (MELVILLE, "- Your Highlight on page 3 | Location 20-21 | Added on Saturday, March 8, 2025 10:05:44 AM",
     "Call me Ishmael."),
    (MELVILLE, "- Your Highlight on page 3 | Location 20-23 | Added on Saturday, March 8, 2025 10:05:59 AM",
     "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, "
     "and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world."),
    (MELVILLE, "- Your Highlight on page 201 | Location 3120-3122 | Added on Sunday, March 9, 2025 4:31:10 PM",
     "To the last I grapple with thee; from hell's heart I stab at thee; for hate's sake I spit my last breath at thee."),
    (CARROLL, "- Ihre Markierung auf Seite 7 | bei Position 95-96 | Hinzugefügt am Montag, 10. März 2025 19:12:40",
     "“Curiouser and curiouser!” cried Alice."),
]
WORDS = [  # word, stem, usage, book index, minutes after the base time
    ("ubiquitous", "ubiquitous", "Her ubiquitous smile was the first thing one noticed.", 0, 1),
    ("harpooneer", "harpooneer", "Such dreadful harpooneers are the very devil.", 1, 2),
    ("tolerable", "tolerable", "She is tolerable; but not handsome enough to tempt me.", 0, 3),
    ("grapple", "grapple", "To the last I grapple with thee.", 1, 4),
    ("civility", "civility", "Mr. Darcy's civility was more alarming than his silence.", 0, 5),
    ("leviathan", "leviathan", "The great leviathan that maketh the seas to seethe.", 1, 6),
    ("curiouser", "curious", "“Curiouser and curiouser!” cried Alice.", 2, 7),
    ("impertinence", "impertinence", "He admired her for the liveliness of her mind, and her impertinence.", 0, 8),
    ("hypos", "hypo", "Whenever my hypos get such an upper hand of me.", 1, 9),
    ("countenance", "countenance", "His countenance was grave but kind.", 0, 10),
    ("mizzen", "mizzen", "He lashed himself to the mizzen shrouds.", 1, 11),
]
BOOKS = [("Pride and Prejudice", "Jane Austen", 38.5, 1741600000),
         ("Moby-Dick", "Herman Melville", 62.0, 1741700000),
         ("Alice's Adventures in Wonderland", "Lewis Carroll", 12.0, 1741500000)]
BASE_MS = 1741600000000


def clippings():
    out = ["%s\r\n%s\r\n\r\n%s\r\n==========\r\n" % c for c in CLIPPINGS]
    return ("\ufeff" + "".join(out)).encode("utf-8")


def vocab(path):
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE WORDS (id TEXT PRIMARY KEY NOT NULL UNIQUE, word TEXT, stem TEXT, lang TEXT,
                            category INTEGER DEFAULT 0, timestamp INTEGER DEFAULT 0, profileid TEXT);
        CREATE TABLE LOOKUPS (id TEXT PRIMARY KEY NOT NULL, word_key TEXT, book_key TEXT, dict_key TEXT,
                              pos TEXT, usage TEXT, timestamp INTEGER DEFAULT 0);
        CREATE TABLE BOOK_INFO (id TEXT PRIMARY KEY NOT NULL UNIQUE, asin TEXT, guid TEXT, lang TEXT,
                                title TEXT, authors TEXT);
        CREATE TABLE DICT_INFO (id TEXT PRIMARY KEY NOT NULL UNIQUE, asin TEXT, langin TEXT, langout TEXT);
        CREATE TABLE METADATA (id TEXT PRIMARY KEY NOT NULL UNIQUE, dsname TEXT, sscnt INTEGER, profileid TEXT);
        CREATE TABLE VERSION (id TEXT PRIMARY KEY NOT NULL UNIQUE, dsname TEXT, value INTEGER);
    """)
    for i, (title, author, _, _) in enumerate(BOOKS):
        con.execute("INSERT INTO BOOK_INFO VALUES (?, ?, ?, 'en', ?, ?)", ("book%d" % i, "", "guid%d" % i, title, author))
    for word, stem, usage, book, minutes in WORDS:
        ts = BASE_MS + minutes * 60000
        con.execute("INSERT INTO WORDS VALUES (?, ?, ?, 'en', 0, ?, '')", ("en:" + word, word, stem, ts))
        con.execute("INSERT INTO LOOKUPS VALUES (?, ?, ?, '', '0', ?, ?)",
                    ("book%d:%s" % (book, word), "en:" + word, "book%d" % book, usage, ts))
    con.commit()
    con.close()


def cc_db(path, sample_percent=None):
    con = sqlite3.connect(path)
    con.create_collation("icu", lambda a, b: (a > b) - (a < b))
    con.execute("""CREATE TABLE Entries (p_uuid TEXT PRIMARY KEY, p_type TEXT, p_location TEXT,
                   p_titles_0_nominal TEXT, p_titles_0_collation TEXT COLLATE icu, j_credits TEXT,
                   p_credits_0_name_collation TEXT COLLATE icu, p_cdeKey TEXT, p_cdeType TEXT,
                   p_mimeType TEXT, p_percentFinished REAL, p_lastAccess INTEGER, p_lastAccessedPosition TEXT,
                   p_isVisibleInHome INTEGER, p_isArchived INTEGER)""")
    for i, (title, author, percent, last) in enumerate(BOOKS):
        credits = '[{"name":{"display":"%s"},"kind":"Author"}]' % author
        con.execute("INSERT INTO Entries VALUES (?, 'Entry:Item', ?, ?, ?, ?, ?, ?, 'PDOC', "
                    "'application/x-mobipocket-ebook', ?, ?, ?, 1, 0)",
                    ("uuid-%d" % i, "/mnt/us/documents/%s.mobi" % title, title, title, credits, author,
                     "key%d" % i, percent, last, "#%d" % (1000 * (i + 1))))
    others = [("KUAL", "", "/mnt/us/documents/KUAL.kual", "text/plain", 0.0, 1741900000)]
    if sample_percent is not None:
        others.append((make_sample_book.TITLE, make_sample_book.AUTHOR,
                       "/mnt/us/documents/%s.azw3" % make_sample_book.TITLE, "application/x-mobi8-ebook",
                       sample_percent, 1741800000))
    for i, (title, author, location, mime, percent, last) in enumerate(others):
        credits = '[{"name":{"display":"%s"},"kind":"Author"}]' % author if author else "[]"
        con.execute("INSERT INTO Entries VALUES (?, 'Entry:Item', ?, ?, ?, ?, ?, ?, 'PDOC', ?, ?, ?, '', 1, 0)",
                    ("uuid-x%d" % i, location, title, title, credits, author, "keyx%d" % i, mime, percent, last))
    con.commit()
    con.close()


def main():
    for sub in ("documents", os.path.join("system", "vocabulary")):
        os.makedirs(os.path.join(ROOT, sub), exist_ok=True)
    with open(os.path.join(ROOT, "documents", "My Clippings.txt"), "wb") as f:
        f.write(clippings())
    percent = make_sample_book.main(os.path.join(ROOT, "documents"))[1]
    for name, build in (("system/vocabulary/vocab.db", vocab), ("cc.db", lambda p: cc_db(p, percent))):
        path = os.path.join(ROOT, name)
        if os.path.exists(path):
            os.remove(path)
        build(path)
    print("wrote", ROOT)


if __name__ == "__main__":
    main()

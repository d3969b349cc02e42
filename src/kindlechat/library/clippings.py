"""My Clippings.txt as Kindles write it: one entry per `==========`, a title line
"Title (Author)", a header line in the Kindle's UI language, a blank line, the text.

    >>> text = ("\\ufeffThe Help (Kathryn Stockett)\\r\\n"
    ...         "- Highlight Loc. 5444-45 | Added on Saturday, October 31, 2009, 09:25 AM\\r\\n\\r\\n"
    ...         "Like living in Antarctica.\\r\\n==========\\r\\n")
    >>> [(c["book"], c["author"], c["location"], c["added"]) for c in parse(text)[0]]
    [('The Help', 'Kathryn Stockett', '5444-5445', '2009-10-31T09:25:00')]

Bookmarks are left out; a note is joined to the highlight of its book whose location
range holds the note's location; a highlight later extended or shortened (an overlapping
range whose text holds the other's) is kept once, the latest. Dates stay in the Kindle's
local time, as written (the file names no zone).
"""
import functools
import hashlib
import re

# Entries end with this line; split on the bare string (str.split: far cheaper on a
# 20 MB file than a regex), each entry's surrounding blank space stripped after.
SEPARATOR = "=========="
# The kind of entry, by the words each UI language uses (lower case).
KINDS = (
    ("bookmark", ("bookmark", "lesezeichen", "signet", "marcador", "segnalibro", "bladwijzer",
                  "ブックマーク", "书签", "закладка")),
    ("highlight", ("highlight", "markierung", "surlignement", "subrayado", "destaque", "evidenziazione",
                   "markering", "ハイライト", "标注", "выделенный", "clip")),
    ("note", ("note", "notiz", "nota", "notitie", "メモ", "笔记", "заметка")),
)
# One search per kind, in this order (a "bookmark" header may name a "note" too).
KIND_PATTERNS = tuple((kind, re.compile("|".join(re.escape(w) for w in words))) for kind, words in KINDS)
PAGE = re.compile(r"(?:page|seite|página|pagina|pág\.|странице)\s*([0-9ivxlcdm]+(?:[-–][0-9ivxlcdm]+)?)", re.I)
# Japanese and Chinese put the number first; searched only where those words are (a
# pattern opening with [0-9]+ is tried at every digit of every header: slow on 20 MB).
PAGE_CJK = re.compile(r"([0-9]+(?:-[0-9]+)?)\s*ページ|第\s*([0-9]+(?:-[0-9]+)?)\s*页")
LOCATION = re.compile(r"(?:location|loc\.|position|posição|posición|posizione|emplacement|locatie"
                      r"|местоположение|месте|位置(?:no\.)?)\s*#?\s*([0-9]+(?:\s*[-–]\s*[0-9]+)?)", re.I)
MONTHS = {}
for _number, _names in enumerate((
        "january jan januar janvier enero gennaio janeiro januari января",
        "february feb februar février febrero febbraio fevereiro februari февраля",
        "march mar märz mars marzo março maart марта",
        "april apr avril abril aprile апреля",
        "may mai mayo maggio maio mei мая",
        "june jun juni juin junio giugno junho июня",
        "july jul juli juillet julio luglio julho июля",
        "august aug août agosto augustus августа",
        "september sep sept septembre septiembre settembre setembro сентября",
        "october oct oktober octobre octubre ottobre outubro октября",
        "november nov novembre noviembre novembro ноября",
        "december dec dezember décembre diciembre dicembre dezembro декабря"), 1):
    for _name in _names.split():
        MONTHS[_name] = _number
TIME = re.compile(r"(上午|下午|午前|午後)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?")
CJK_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def parse(text):
    """(clippings newest first, entries skipped as unreadable) from the file's text."""
    parser = Parser()
    parser.feed(text.split(SEPARATOR))   # (a BOM is dropped per entry: Kindles write one at the start)
    return parser.result(), parser.skipped


class Parser:
    """Entries fed in file order, the state kept, so that the entries a Kindle appends
    later are fed on their own and give what a parse of the whole file gives.

        >>> p = Parser()
        >>> p.feed(["Book (A)\\n- Your Highlight on Location 1-2 | Added on 1 May 2020 10:00\\n\\nOne"])
        >>> p.feed(["Book (A)\\n- Your Note on Location 2 | Added on 1 May 2020 10:01\\n\\nMine"])
        >>> [(c["text"], c["note"]) for c in p.result()]
        [('One', 'Mine')]
    """

    def __init__(self):
        self.kept = []      # [entry, range, replaced] oldest first
        self.by_book = {}   # book: its records, oldest first
        self.skipped = 0

    def feed(self, blocks):
        for block in blocks:
            if "\ufeff" in block:
                block = block.replace("\ufeff", "")
            if not block.strip():
                continue
            entry = parse_entry(block)
            if entry is None:
                self.skipped += 1
                continue
            record = [entry, entry.pop("_range"), False]
            if entry["kind"] == "highlight":
                _add_highlight(record, self.by_book.setdefault(entry["book"], []), self.kept)
            elif entry["kind"] == "note":
                _add_note(record, self.by_book.setdefault(entry["book"], []), self.kept)

    def result(self):
        """The clippings newest first (the file is oldest first)."""
        return [r[0] for r in reversed(self.kept) if not r[2]]

    def add(self, entry, span, replaced):
        """One record as result() had it: to rebuild the state from a cache."""
        record = [entry, tuple(span) if span else None, bool(replaced)]
        self.kept.append(record)
        self.by_book.setdefault(entry["book"], []).append(record)


def parse_entry(block):
    """One entry as a dict, or None when it is not one (garbage between entries)."""
    lines = block.strip().splitlines()
    # The header is the first "- ..." line naming a kind; the title is the line above
    # it, so garbage before an entry (a cut copy, a stray line) is passed over.
    at = next((i for i in range(1, len(lines)) if lines[i].lstrip().startswith(("-", "–"))
               and kind_of(lines[i].split("|")[0])), None)
    if at is None:
        return None
    book, author = title_author(lines[at - 1].strip())
    lines = lines[at - 1:]
    parts = lines[1].lstrip("-– ").split("|")
    head, when = " ".join(parts[:-1]) if len(parts) > 1 else parts[0], parts[-1] if len(parts) > 1 else ""
    kind = kind_of(head)
    if kind is None or not book:
        return None
    page = _find(PAGE_CJK if ("ページ" in head or "页" in head) else PAGE, head)
    location = _find(LOCATION, head)
    body = "\n".join(line.rstrip() for line in lines[2:]).strip()
    entry = {"book": book, "author": author, "kind": kind, "text": body, "note": "",
             "page": page, "location": location, "added": parse_date(when)}
    entry["_range"] = _range(location) or _range(page)
    entry["id"] = hashlib.sha1("\x1f".join((book, kind, page, location, entry["added"] or when, body))
                               .encode("utf-8")).hexdigest()[:12]
    return entry


@functools.lru_cache(maxsize=1024)   # a book's title line repeats on each of its entries
def title_author(line):
    """("Title", "Author") from "Title (Author)": the author is the last balanced parentheses.

        >>> title_author("Twilight (The Twilight Saga, Book 1) (Stephenie Meyer)")
        ('Twilight (The Twilight Saga, Book 1)', 'Stephenie Meyer')
    """
    if not line.endswith(")"):
        return line, ""
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(line[i], 0)
        if depth == 0:
            title = line[:i].strip()
            return (title, line[i + 1:-1].strip()) if title else (line, "")
    return line, ""


def kind_of(head):
    low = head.lower()
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(low):
            return kind
    return None


def expand(span):
    """Kindles shorten a range's end: "5444-45" is 5444-5445.

        >>> expand("5444-45"), expand("170-172"), expand("12")
        ('5444-5445', '170-172', '12')
    """
    span = re.sub(r"\s*[-–]\s*", "-", span)
    start, dash, end = span.partition("-")
    if dash and start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[:len(start) - len(end)] + end
    return start + dash + end if dash else start


def _find(pattern, head):
    match = pattern.search(head)
    if not match:
        return ""
    return expand(next(g for g in match.groups() if g))


def _range(span):
    start, _, end = span.partition("-")
    if not start.isdigit():
        return None
    return int(start), int(end) if end.isdigit() else int(start)


def parse_date(when):
    """ISO 8601 (local time, as the Kindle wrote it) or None.

        >>> parse_date("Hinzugefügt am Montag, 25. September 2023 22:42:15")
        '2023-09-25T22:42:15'
        >>> parse_date("添加于 2016年4月4日星期一 下午8:33:27")
        '2016-04-04T20:33:27'
    """
    match = TIME.search(when)
    hour = minute = second = 0
    rest = when
    if match:
        hour, minute, second = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
        half = (match.group(1) or "") + (match.group(5) or "").replace(".", "").lower()
        if half in ("下午", "午後", "pm") and hour < 12:
            hour += 12
        elif half in ("上午", "午前", "am") and hour == 12:
            hour = 0
        rest = when[:match.start()] + " " + when[match.end():]
    cjk = CJK_DATE.search(rest)
    if cjk:
        year, month, day = (int(g) for g in cjk.groups())
    else:
        year, month, day = _western_date(rest)
    if not (year and month and day) or not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60):
        return None
    return "%04d-%02d-%02dT%02d:%02d:%02d" % (year, month, day, hour, minute, min(second, 59))


def _western_date(text):
    year = month = day = None
    for word in re.findall(r"[^\W\d_]+\.?|\d+", text.lower()):
        word = word.rstrip(".")
        if word.isdigit():
            if len(word) == 4:
                year = int(word)
            elif day is None:
                day = int(word)
            elif year is None and month:
                year = 2000 + int(word)   # "3 December 12": an old firmware's two-digit year
        elif month is None and word in MONTHS:
            month = MONTHS[word]
    return year, month, day


def _overlaps(a, b):
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def _add_highlight(record, book, kept):
    """Keep the record; an earlier one it extends, shortens or repeats is replaced."""
    entry, span = record[0], record[1]
    for old in reversed(book[-50:]):   # an edit follows soon: a bounded look back
        if old[2]:
            continue
        if old[0]["kind"] == "note" and _overlaps(old[1], span):
            old[2] = True    # a note written just before its highlight (seen in real files)
            entry["note"] = (old[0]["note"] + "\n" + entry["note"]).strip()
            continue
        if old[0]["kind"] == "highlight" and _overlaps(old[1], span) and (old[0]["text"] in entry["text"] or entry["text"] in old[0]["text"]):
            old[2] = True
            entry["note"] = entry["note"] or old[0]["note"]
            break
    book.append(record)
    kept.append(record)


def _add_note(record, book, kept):
    entry, span = record[0], record[1]
    for old in reversed(book):
        if old[0]["kind"] == "highlight" and not old[2] and _overlaps(old[1], span):
            old[0]["note"] = (old[0]["note"] + "\n" + entry["text"]).strip()
            return
    entry["note"], entry["text"] = entry["text"], ""   # a note on no highlight: shown on its own
    book.append(record)
    kept.append(record)

"""The words as CSV for any other tool: RFC 4180 (comma, double quotes, CRLF),
UTF-8 with a byte-order mark, which spreadsheets need to read it as UTF-8.

    >>> csv_bytes([{"word": "grapple", "usage": 'He said "grapple".', "meaning": "ringen",
    ...             "book": "Moby-Dick", "example": "", "lang": "en"}]).decode("utf-8-sig").splitlines()[1]
    'grapple,"He said ""grapple"".",ringen,Moby-Dick,,en'
"""
import csv
import io

COLUMNS = ("word", "sentence", "meaning", "book", "example", "language")


def csv_bytes(words):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for w in words:
        writer.writerow([w.get("word", ""), w.get("usage", ""), w.get("meaning", ""), w.get("book", ""),
                         w.get("example", ""), w.get("lang", "")])
    return out.getvalue().encode("utf-8-sig")

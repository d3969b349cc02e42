"""The demo's sample book, made the way readers make the books they sideload: an EPUB
written here (testkit/books.py's writer) converted by calibre's ebook-convert into an
AZW3, with the reader's sidecar (`.sdr/*.azw3f`, testkit/krds_writer.py) placing them
in the middle of chapter 4, and cc.db's entries (tools/make_sample_library.py) listing
it as the book being read, with the KUAL launcher opened after it.

    python3 tools/make_sample_book.py     # writes src/kindlechat/sample_library/documents/
                                          # The Lighthouse Keeper's Daughter.azw3 and its .sdr/

The story is original to this project (no rights to clear). Its last chapter holds
the twist a reader at chapter 4 must not be told; the demo and tests can check that
none of it is sent.
"""
import json
import os
import shutil
import struct
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO, os.path.join(REPO, "src")]

from testkit import books, krds_writer  # noqa: E402
from kindlechat.reading import mobi_text  # noqa: E402

TITLE, AUTHOR = "The Lighthouse Keeper's Daughter", "KindleChat Sample"
DOCS = os.path.join(REPO, "src", "kindlechat", "library", "sample_library", "documents")
PAGE_BYTES = 2300   # calibre's fast APNX generator: a page every 2300 raw bytes
READ_UP_TO = "The storm broke on the fourth night"   # the reader is here (chapter 4's second paragraph)
CHAPTERS = [
    ("Chapter 1: The Light on Gull Rock", [
        "Tobias Venn had kept the light on Gull Rock for twenty-two years, and in all that time he had never once let it go dark.",
        "His daughter Mirabel was twelve when she first climbed the hundred and nine steps alone, carrying the oil can in both hands.",
        "From the gallery she could see the whole of Saltmere Bay: the fishing boats, the harbour wall, and the grey line of the open sea.",
        "Her mother had drowned when Mirabel was four, and her elder brother Jonah had been lost with the same boat; the sea kept both.",
        "Pepper, the lighthouse cat, slept on the warm lamp housing and judged every visitor with one green eye.",
    ]),
    ("Chapter 2: Doctor Marrow", [
        "Doctor Ilse Marrow came out to the rock each month in the supply boat, bringing letters, lamp wicks and gossip from Saltmere.",
        "She taught Mirabel to read the barometer and to keep the weather log in a neat hand, one line for every watch.",
        "It was Doctor Marrow who first spoke of the Albatross, a steamer bound for the bay with a captain nobody in Saltmere knew.",
        "Tobias frowned at the name and said nothing, but that night he trimmed the wick twice and watched the sea until dawn.",
        "Mirabel wrote in the log: Father uneasy. Wind south-west. Pepper refuses her fish.",
    ]),
    ("Chapter 3: The Albatross", [
        "The Albatross anchored off the rock on a bright, cold morning, and a boat put off from her with a tall man in the stern.",
        "He introduced himself as Captain Aldous Crane, and he asked to see the light, the stairs, and the log of every wreck since the year of the great storm.",
        "Tobias showed him everything but the wreck log, which he said was Admiralty business and no concern of a merchant captain.",
        "Captain Crane smiled, thanked him, and left a brass compass on the kitchen table, as if by accident.",
        "Mirabel found the initials J.V. scratched inside its lid, and she hid it under her pillow without knowing why.",
    ]),
    ("Chapter 4: The Storm", [
        "For three days the sky turned the colour of slate, and the barometer fell lower than Mirabel had ever seen it.",
        "The storm broke on the fourth night. Waves climbed the rock and struck the lantern room, and the light shook on its bearings.",
        "Tobias fell on the wet stairs and could not stand, so Mirabel kept the light alone, winding the clockwork every hour until her arms burned.",
        "Through the rain she saw the Albatross dragging her anchors towards the reef, her lamps swinging wildly.",
        "Mirabel lit the second lamp and turned the great lens by hand, to show the ship the one safe channel through the rocks.",
    ]),
    ("Chapter 5: Morning", [
        "At first light the Albatross lay safe in the channel, battered but afloat, and every man of her crew was alive.",
        "Doctor Marrow came out in the first boat and set Tobias's leg on the kitchen table while Pepper supervised.",
        "Captain Crane climbed the hundred and nine steps to thank the keeper of the light, and found a girl asleep beside the lamp.",
    ]),
    ("Chapter 6: The Compass", [
        "When Mirabel woke, Captain Crane was holding the brass compass, and his hands were shaking.",
        "He told her that he had not been lost with the boat: a whaler had pulled him from the sea, and he had taken the name of the man who raised him.",
        "Captain Aldous Crane was her brother Jonah, come home at last to the light that had guided him in.",
    ]),
]


def spec():
    return books.BookSpec(TITLE, AUTHOR, CHAPTERS)


def position_of(path, needle):
    """The raw offset (the Kindle's KF8 position) where needle starts in the book."""
    raw = b"".join(data for _, data in mobi_text.iter_raw(path))
    at = raw.find(needle.encode("utf-8"))
    if at < 0:
        raise SystemExit("the sample book does not hold %r" % needle)
    return at


def write_apnx(path, positions, asin="KCSAMPLE"):
    """The printed pages as calibre writes them when it sends a book (devices/kindle/apnx.py's
    layout, FORMATS.md section 4): here its "fast" generator's page every 2300 raw bytes."""
    content = json.dumps({"contentGuid": "kcsample", "asin": asin, "cdeType": "PDOC", "fileRevisionId": "1",
                          "format": "MOBI_8", "acr": "kcsample"}).encode("utf-8")
    pages = json.dumps({"asin": asin, "pageMap": "(1,a,1)"}).encode("utf-8")
    data = struct.pack(">III", 65537, 12 + len(content), len(content)) + content
    data += struct.pack(">HHHH", 1, len(pages), len(positions), 32) + pages
    data += struct.pack(">%dI" % len(positions), *positions)
    with open(path, "wb") as f:
        f.write(data)


def main(out=DOCS):
    """(the book's path, the percent the reader is at) once made."""
    missing = books.missing()
    if missing:
        raise SystemExit(missing)
    made = books.make("azw3", spec())
    target = os.path.join(out, TITLE + ".azw3")
    os.makedirs(out, exist_ok=True)
    shutil.copy(made, target)
    sdr = os.path.splitext(target)[0] + ".sdr"
    shutil.rmtree(sdr, ignore_errors=True)
    at = position_of(target, READ_UP_TO)
    krds_writer.place_position(sdr, TITLE, "azw3f", str(at))
    end = mobi_text.read_text(target).raw_length
    write_apnx(os.path.join(sdr, TITLE + ".apnx"), list(range(0, end, PAGE_BYTES)))
    print("wrote", target, os.path.getsize(target), "bytes, and", sdr)
    return target, round(100.0 * at / end, 1)


if __name__ == "__main__":
    main()

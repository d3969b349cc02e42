"""My Clippings.txt parsed as Kindles really write it, from real files in public
parsers' test data (tests/fixtures/clippings/README.md says where each came from)."""
import os

import pytest

from kindlechat.library import clippings

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "clippings")


def parse(name, transform=None):
    with open(os.path.join(FIX, name), "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8-sig")
    return clippings.parse(transform(text) if transform else text)


def by_book(items, book):
    return [c for c in items if c["book"] == book]


def test_old_firmware_bom_crlf_and_short_ranges():
    items, skipped = parse("georgboe-old-firmware.txt")   # BOM + CRLF as written
    assert skipped == 0 and len(items) > 50
    first = by_book(items, "The Help")[-1]                 # oldest of the book: "Loc. 5444-45"
    assert (first["author"], first["location"], first["added"]) == ("Kathryn Stockett", "5444-5445", "2009-10-31T09:25:00")
    assert all(c["added"] for c in items)


def test_two_highlights_at_one_location_are_both_kept():
    # "Loc. 6672" and "Loc. 6672-73" hold different sentences: neither extends the other
    texts = [c["text"] for c in parse("georgboe-old-firmware.txt")[0] if c["location"].startswith("6672")]
    assert len(texts) == 2


def test_title_with_parentheses_author_in_the_last():
    items, _ = parse("georgboe-old-firmware.txt")
    twilight = [c for c in items if c["author"] == "Stephenie Meyer"]
    assert twilight and {c["book"] for c in twilight} == {"Twilight (The Twilight Saga, Book 1)"}


def test_extended_highlight_shown_once_the_latest():
    items, _ = parse("hadynz-first-scenario.txt")
    orwell = [c for c in by_book(items, "1984") if c["kind"] == "highlight"]
    assert len(orwell) == 1
    assert orwell[0]["text"].endswith("range of thought?") and orwell[0]["added"] == "2017-09-09T13:27:09"


def test_same_range_in_other_books_is_not_a_duplicate():
    assert len(parse("hadynz-dup-location.txt")[0]) == 3


def test_notes_join_their_highlight_even_when_written_first():
    items, _ = parse("hadynz-unordered.txt")
    notes = {c["location"]: c["note"] for c in items}
    assert notes["89-91"] == "Hollow 1" and notes["98-98"] == "Few more"
    assert all(c["kind"] == "highlight" for c in items)


EXPECTED = {  # book: (author, page, location, added) from the header in its language
    "Le Retour du roi": ("J.R.R. Tolkien", "200", "3054-3056", "2017-08-16T02:14:10"),                  # fr
    "非オタの彼女が俺の持ってるエロゲに興味津々なんだが……": ("滝沢\u3000慧;睦茸", "197", "2031-2035", "2019-10-12T00:37:31"),  # es
    "Garota exemplar": ("Flynn, Gillian", "", "2829-2829", "2019-11-29T18:00:13"),                        # pt
    "Your Money or Your Life": ("Vicki Robin", "", "453-454", "2021-03-08T22:52:57"),                     # it
    "Using Fragments in Android": ("Lars Vogel", "11", "155-161", "2013-11-26T19:56:11"),                # de
    "苏东坡传（林语堂独家授权作品）（新东方董老师推荐！3天破10万！中国经典历史传记必读！） (博集文学典藏系列)":
        ("林语堂", "25", "243-244", "2023-02-14T05:15:57"),                                               # zh
    "The Effective Manager": ("Horstman, Mark", "ix", "247-248", "2018-02-18T22:30:47"),                 # en
}


@pytest.mark.parametrize("book", sorted(EXPECTED))
def test_every_ui_language(book):
    items, skipped = parse("hadynz-languages.txt")
    assert skipped == 0
    found = [c for c in by_book(items, book) if c["kind"] == "highlight"]
    assert len(found) == 1, found
    c = found[0]
    assert (c["author"], c["page"], c["location"], c["added"]) == EXPECTED[book]


def test_bookmarks_left_out_and_lone_notes_kept():
    items, _ = parse("hadynz-languages.txt")
    assert not [c for c in items if c["kind"] == "bookmark"]
    lone = [c for c in items if c["kind"] == "note"]
    assert {c["book"] for c in lone} >= {"Outliers", "vasilij_vasilevich_kandinskij_o_"}
    assert all(c["note"] and not c["text"] for c in lone)
    assert by_book(items, "Using Fragments in Android")[0]["note"] == "Improved interface implementation check."


def test_japanese_and_chinese():
    ja, _ = parse("sevenstop-japanese.txt")
    assert ja[-1]["location"] == "4404-4404" and ja[-1]["added"] == "2023-08-10T18:36:08"
    assert [c["text"] for c in ja if c["location"] == "4524-4524"] == ["肥大化"]   # "肥大" extended
    zh, _ = parse("zicai-chinese.txt")
    assert [(c["page"], c["added"]) for c in zh][-1] == ("22", "2016-04-04T08:33:27")


def test_garbage_between_entries_is_passed_over():
    def garble(text):
        parts = text.split("==========")
        return ("==========\r\nnot an entry at all\r\n==========").join(parts[:5]) + "==========\r\n\x00\x00junk" \
            + "==========".join(parts[5:])
    clean, _ = parse("georgboe-old-firmware.txt")
    items, skipped = parse("georgboe-old-firmware.txt", garble)
    assert skipped >= 1
    assert [c["id"] for c in items] == [c["id"] for c in clean]


def test_newest_first_and_ids_stable():
    a, _ = parse("georgboe-old-firmware.txt")
    b, _ = parse("georgboe-old-firmware.txt", lambda t: t.replace("\r\n", "\n"))
    assert [c["id"] for c in a] == [c["id"] for c in b]
    dates = [c["added"] for c in a]
    assert dates[0] >= dates[-1]

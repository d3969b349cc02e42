"""The Review view (issue 26, www/review.js) against a real demo server and its sample
library: Words -> Review, Show, a rating redraws the view once (one MutationObserver
batch: one e-ink repaint), ten words rated, the next due time; a rating that fails
keeps the word; new words a day by taps; the exports saved on the Kindle, downloaded
on the phone through the link; Review in PhantomJS 2.1.1. Every expectation is read
from the server's own API answers."""
import json
import os

import pytest

from testkit.serverproc import HTTPFailure
from page_fixtures import Server, browser, open_page, wait_js, MODES, page  # noqa: F401 -- fixtures (page: with this module's server)

QUIET = {"KINDLECHAT_CARDS_IN_BACKGROUND": "false"}

OBSERVE = """() => {
    if (window.__observer) { window.__observer.disconnect(); }
    window.__batches = 0;
    window.__observer = new MutationObserver(function () { window.__batches++; });
    window.__observer.observe(document.getElementById('review-view'), {childList: true, subtree: true, characterData: true,
                                                          attributes: true});
}"""


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path, env=QUIET)
    yield srv
    srv.stop()


def state(page):
    return page.evaluate("() => document.getElementById('review-view').getAttribute('data-state')")


def wait_state(page, want):
    return wait_js(page, "(w) => document.getElementById('review-view').getAttribute('data-state') === w", want)


def test_review_ten_words_one_repaint_each(page, server):
    due = server.get("api/reviews")["due"]
    page.click("#show-library")
    page.click("#highlights-view .tabs button:nth-child(2)")
    page.click("#review-open")
    wait_state(page, "front")
    assert page.text_content("#review-word") == due[0]["word"]
    assert page.text_content("#review-usage") == due[0]["usage"]
    assert page.get_attribute("#review-word", "lang") == due[0]["lang"]
    assert page.text_content("#review-count").startswith("10")
    assert not page.is_visible("#review-rates")
    page.click("#review-show")
    wait_state(page, "back")
    assert page.is_visible("#review-rates") and page.text_content("#review-meaning") == "No card yet: the sentence is the clue."
    labels = page.eval_on_selector_all("#review-rates button", "els => els.map(e => e.textContent)")
    assert labels == ["Again", "Hard", "Good", "Easy"]
    for n in range(10):
        if n:
            page.click("#review-show")
            wait_state(page, "back")
        page.evaluate(OBSERVE)
        page.click("#review-rates button:nth-child(%d)" % (n % 4 + 1))
        if n < 9:
            wait_js(page, "(w) => document.getElementById('review-word').textContent === w", due[n + 1]["word"])
            page.wait_for_timeout(200)
            assert page.evaluate("() => window.__batches") == 1, "a rating should redraw once"
    # nothing else due: the words still in their learning steps come at once (learn ahead)
    learning = server.get("api/reviews")
    assert learning["due_count"] == 8 and learning["new_today"] == 10
    wait_js(page, "(w) => document.getElementById('review-word').textContent === w", learning["due"][0]["word"])
    for _ in range(8):   # Easy graduates each
        page.click("#review-show")
        wait_state(page, "back")
        page.click("#review-rates button:nth-child(4)")
        wait_js(page, "() => ['front', 'done'].indexOf(document.getElementById('review-view').getAttribute('data-state')) >= 0")
    wait_state(page, "done")
    assert server.get("api/reviews")["due_count"] == 0
    assert page.text_content("#review-count").startswith("All done for now. Next review: ")
    assert page.text_content("#review-show") == "Look again" and not page.is_visible("#review-card")
    page.click("#review-show")   # asks again: still nothing due
    wait_state(page, "done")


def test_a_rating_that_fails_keeps_the_word(page, server):
    page.click("#show-library")
    page.click("#highlights-view .tabs button:nth-child(2)")
    page.click("#review-open")
    wait_state(page, "front")
    word = page.text_content("#review-word")
    page.click("#review-show")
    # the data folder can't take the journal (a folder where it goes): a real 503
    journal = os.path.join(server.data_dir, "words", "reviews.jsonl")
    os.makedirs(os.path.dirname(journal), exist_ok=True)
    if os.path.exists(journal):
        os.rename(journal, journal + ".kept")
    os.mkdir(journal)
    try:
        page.click("#review-rates button:nth-child(3)")
        wait_js(page, "() => document.getElementById('notice').style.display !== 'none'")
        wid = server.get("api/reviews")["due"][0]["id"]
        with pytest.raises(HTTPFailure) as caught:
            server.post("api/reviews/" + wid, {"rating": "good"})
        assert caught.value.status == 503
        assert page.text_content("#notice") == caught.value.body["error"]["message"]
        assert page.text_content("#review-word") == word and state(page) == "back"
    finally:
        os.rmdir(journal)
        if os.path.exists(journal + ".kept"):
            os.rename(journal + ".kept", journal)


def test_the_exports_are_saved_on_the_kindle(page, server):
    page.click("#show-library")
    page.click("#highlights-view .tabs button:nth-child(2)")
    page.click("#export-apkg")
    wait_js(page, "() => document.getElementById('notice').textContent.indexOf('kindlechat-words.apkg') >= 0")
    page.click("#export-csv")
    wait_js(page, "() => document.getElementById('notice').textContent.indexOf('kindlechat-words.csv') >= 0")
    folder = os.path.join(server.data_dir, "demo-library", "documents", "KindleChat")
    assert sorted(os.listdir(folder)) == ["kindlechat-words.apkg", "kindlechat-words.csv"]


def test_the_phone_downloads_the_deck_through_the_link(tmp_path, browser):  # noqa: F811
    """On the phone (the page opened from the Phone link, Wi-Fi mode with a token) the
    same buttons download the files."""
    import io
    import zipfile
    from phone_fixtures import WifiServer
    wifi = WifiServer(tmp_path / "wifi", "7a" * 16).start()
    try:
        link = wifi.get("/api/link?chat=new")["url"]
        phone = open_page(browser, link, "chromium", width=412, height=800)
        phone.click("#show-library")
        phone.click("#highlights-view .tabs button:nth-child(2)")
        assert phone.text_content("#export-apkg") == "Download the Anki deck"
        with phone.expect_download() as caught:
            phone.click("#export-apkg")
        path = caught.value.path()
        assert caught.value.suggested_filename == "kindlechat-words.apkg"
        with open(path, "rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as z:
            assert "collection.anki2" in z.namelist()
        with phone.expect_download() as caught:
            phone.click("#export-csv")
        with open(caught.value.path(), encoding="utf-8-sig") as f:
            assert f.readline().strip() == "word,sentence,meaning,book,example,language"
        assert not phone.errors, phone.errors
        phone.context.close()
    finally:
        wifi.stop()


def test_new_words_a_day_by_taps(page, server):
    page.click("#show-library")
    page.click("#highlights-view .tabs button:nth-child(2)")
    page.click("#review-open")
    wait_state(page, "front")
    assert page.text_content("#review-new") == "New words a day: 10"
    page.click("#review-more")
    wait_js(page, "() => document.getElementById('review-new').textContent === 'New words a day: 15'")
    wait_js(page, "() => document.getElementById('review-count').textContent.indexOf('11') === 0")   # all eleven
    assert server.get("api/settings")["new_words_per_day"] == 15
    page.click("#review-fewer")
    page.click("#review-fewer")
    wait_js(page, "() => document.getElementById('review-count').textContent.indexOf('5 ') === 0")
    assert page.text_content("#review-new") == "New words a day: 5"
    assert server.get("api/reviews")["due_count"] == 5
    page.click("#review-mastered")
    wait_js(page, "() => document.getElementById('review-view').getAttribute('data-state') === 'front'")
    page.wait_for_timeout(300)
    assert server.get("api/settings")["review_mastered"] is True


def test_review_in_phantomjs(tmp_path, server):
    """PhantomJS 2.1.1, the old Kindle's WebKit: Review, Show, a rating, the next word."""
    from phantom_page import Phantom
    due = server.get("api/reviews")["due"]
    ph = Phantom.start(tmp_path)
    try:
        ph.open(server.url)
        ph.wait("document.getElementById('message')")
        ph.click("#show-library")
        ph.click("#highlights-view .tab:nth-child(2)")
        ph.click("#review-open")
        ph.wait("document.getElementById('review-view').getAttribute('data-state') === 'front'")
        assert ph.expr("document.getElementById('review-word').textContent") == due[0]["word"]
        ph.click("#review-show")
        ph.wait("document.getElementById('review-view').getAttribute('data-state') === 'back'")
        ph.click("#review-rates button:nth-child(3)")
        ph.wait("document.getElementById('review-word').textContent === %s" % json.dumps(due[1]["word"]))
        after = server.get("api/reviews")   # nine new words, then the one rated Good (back in 10 min)
        assert after["due_count"] == 10 and [w["id"] for w in after["due"]] == [w["id"] for w in due[1:] + due[:1]]
        log = ph.log()
        assert not log["errors"] and not log["console"], log
    finally:
        ph.quit()

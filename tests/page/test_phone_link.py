"""The phone as a keyboard, server side (issue 15, must 3): GET /api/link gives the URL
with the token in Wi-Fi address mode and a plain 409 in loopback mode; GET /api/link.png
is that URL as a QR code a real decoder (zbarimg) reads back; GET /api/link/watch wakes
on a message posted in any chat and says whether a phone is in use. Real server
processes, real HTTP; the phone's idle time with link.Phone's own clock."""
import threading

import pytest

from kindlechat.web.link import PHONE_IDLE, Phone
from phone_fixtures import WIFI, WifiServer, decode_qr
from testkit.serverproc import HTTPFailure, ServerProcess

TOKEN = "5e" * 16


@pytest.fixture(scope="module")
def wifi(tmp_path_factory):
    srv = WifiServer(tmp_path_factory.mktemp("kc-wifi"), TOKEN).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def loopback(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("kc-loop"), "--demo").start()
    yield srv
    srv.stop()


def test_link_carries_the_address_the_token_and_the_chat(wifi):
    cid = wifi.new_chat()
    url = wifi.get("/api/link?chat=" + cid)["url"]
    assert url == "http://%s:%d/?token=%s&chat=%s&phone=1" % (WIFI, wifi.port, TOKEN, cid)
    assert wifi.get("/api/link")["url"].endswith("&chat=new&phone=1")


def test_the_link_opens_the_page_and_gives_the_phone_the_cookie(wifi):
    import urllib.request
    url = wifi.get("/api/link?chat=new")["url"]
    with urllib.request.urlopen(url, timeout=10) as r:     # no cookie yet: the token in the URL
        assert r.status == 200 and b'id="phone-view"' in r.read()
        assert "kc_token=" + TOKEN in r.headers.get("Set-Cookie", "")


def test_qr_code_reads_back_as_the_link(wifi):
    cid = wifi.new_chat()
    status, ctype, png = wifi.fetch("/api/link.png?chat=%s&size=300" % cid)
    assert (status, ctype) == (200, "image/png") and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(png) == wifi.get("/api/link?chat=" + cid)["url"]


def test_loopback_mode_has_no_link_and_says_what_to_do(loopback):
    for path in ("/api/link", "/api/link.png"):
        with pytest.raises(HTTPFailure) as info:
            loopback.get(path)
        assert info.value.status == 409
        error = info.value.body["error"]
        assert error["code"] == "loopback_mode" and "Start on the Wi-Fi address" in error["message"]


@pytest.mark.parametrize("query", ["chat=../etc", "chat=ABC", "size=10", "size=big"])
def test_bad_queries_get_a_clear_400(wifi, query):
    with pytest.raises(HTTPFailure) as info:
        wifi.get("/api/link.png?" + query)
    assert info.value.status == 400 and info.value.body["error"]["code"] == "bad_query"
    assert info.value.body["error"]["message"].endswith(".")


def test_the_token_is_never_in_the_log(wifi):
    wifi.get("/api/link")
    wifi.fetch("/api/link.png")
    assert TOKEN not in wifi.output()


def test_watch_wakes_on_a_message_posted_from_elsewhere(wifi):
    seq = wifi.get("/api/link/watch?after=-1")["seq"]
    cid = wifi.new_chat()
    answers = []
    waiter = threading.Thread(target=lambda: answers.append(wifi.get("/api/link/watch?after=%d&wait=50" % seq)))
    waiter.start()
    index = wifi.send(cid, "echo: from the phone")
    waiter.join(60)
    assert answers and answers[0]["seq"] == seq + 1 and answers[0]["chat"] == cid
    assert wifi.read_reply(cid, index)["text"] == "from the phone"
    # nothing new: a watch with the newest count waits its time out and says so
    assert wifi.get("/api/link/watch?after=%d&wait=0" % (seq + 1))["seq"] == seq + 1


def test_watch_says_a_phone_is_in_use_once_the_phone_asked_for_something(tmp_path):
    srv = WifiServer(tmp_path, TOKEN).start()
    try:
        phone = {"Cookie": "kc_phone=1"}
        assert srv.get("/api/link/watch?after=-1", headers=phone)["phone"] is False   # its watch does not count
        assert srv.get("/api/link/watch?after=-1")["phone"] is False
        srv.get("/api/chats", headers=phone)
        assert srv.get("/api/link/watch?after=-1")["phone"] is True
    finally:
        srv.stop()


def test_a_phone_idle_for_ten_minutes_is_no_longer_in_use():
    now = [1000.0]
    phone = Phone({"host": WIFI, "port": 8642, "token": TOKEN}, clock=lambda: now[0])
    phone.seen_request("/api/chats", "1")
    now[0] += PHONE_IDLE - 1
    assert phone.watch(-1, 0)["phone"] is True
    now[0] += 2
    assert phone.watch(-1, 0)["phone"] is False
    phone.seen_request("/api/chats", None)          # the Kindle's own requests are not the phone's
    assert phone.watch(-1, 0)["phone"] is False

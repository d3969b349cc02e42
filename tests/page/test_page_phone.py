"""The phone as a keyboard in real browsers (issue 15, must 3 and 5): in the emulated
Kindle's Wi-Fi mode (the KUAL entry "Start on the Wi-Fi address" starts it) the Phone
view's QR code, screenshot and read by zbarimg, is the link's URL; a second browser (the
phone) opens it and sends a message, and the Kindle's page shows it and its reply with no
touch. The same with PhantomJS as the Kindle (the old WebKit shows the PNG). In loopback
mode the view says to use the Wi-Fi entry, and the page does not poll."""
import pytest

from page_fixtures import browser, open_page, server, wait_js  # noqa: F401 -- fixtures
from phantom_page import Phantom
from phone_fixtures import WifiServer, decode_qr
from testkit.kindle_fakes import Kindle, built_zip, http_json

SHOWN = """(t) => { var u = document.querySelectorAll('.msg.user'), m = document.querySelectorAll('.msg.model');
  return u.length && u[u.length - 1].textContent.indexOf(t) >= 0 && m.length &&
    m[m.length - 1].getAttribute('data-status') === 'done' && m[m.length - 1].textContent; }"""
QR_READY = """() => { var v = document.getElementById('phone-view'), i = document.getElementById('phone-qr');
  return v.getAttribute('data-state') === 'ready' && i.complete && i.naturalWidth > 0; }"""


def phone_types(browser, url, text):  # noqa: F811
    """A phone: its own browser context opens the link and sends text; returns the page."""
    phone = open_page(browser, url, "chromium", width=412, height=800)
    wait_js(phone, "() => document.getElementById('settings-view').getAttribute('data-state') === 'ready'")
    phone.fill("#message", text)
    phone.click("#send")
    return phone


def test_kindle_emulation_wifi_mode_phone_types_the_kindle_shows(tmp_path_factory, tmp_path, browser):  # noqa: F811
    kindle = Kindle(tmp_path, built_zip(tmp_path_factory))
    try:
        kindle.start("wifi")
        opened = kindle.opened_urls()[-1]                      # what KUAL had the Kindle open
        kpage = open_page(browser, opened, "old-kindle", width=758, height=1024)
        kpage.click("#show-phone")
        wait_js(kpage, QR_READY)
        link = decode_qr(kpage.locator("#phone-qr").screenshot())   # the phone's camera
        base, token = opened.split("/?token=")
        status, body = http_json(base + "/api/link?chat=new", headers={"Cookie": "kc_token=" + token})
        assert status == 200 and link == body["url"] and token in link
        assert kpage.evaluate("() => document.body.getAttribute('data-watch')") == "on"
        phone = phone_types(browser, link, "echo: Typed on the phone, read on the Kindle")
        # no touch on the Kindle from here: it shows the message and streams the reply
        reply = wait_js(kpage, SHOWN, "echo: Typed on the phone", timeout=60)
        assert "Typed on the phone, read on the Kindle" in reply
        assert kpage.evaluate("() => document.getElementById('chat-view').style.display") == ""
        assert not kpage.errors and not phone.errors, (kpage.errors, phone.errors)
        phone.context.close()
        kpage.context.close()
    finally:
        kindle.cleanup()


@pytest.fixture
def wifi(tmp_path):
    srv = WifiServer(tmp_path / "data", "7a" * 16, fast=False).start()
    yield srv
    srv.stop()


def test_phantomjs_kindle_shows_the_phones_message_and_its_reply(tmp_path, wifi, browser):  # noqa: F811
    ph = Phantom.start(tmp_path)
    try:
        ph.open("%s/?token=%s" % (wifi.url, wifi.token))
        ph.wait("document.getElementById('settings-view').getAttribute('data-state') === 'ready'")
        ph.click("#show-phone")
        ph.wait("(function %s)()" % QR_READY[len("() =>"):].replace("{", "() {", 1))   # the PNG decoded
        link = wifi.get("/api/link?chat=new")["url"]
        assert ph.expr("document.getElementById('phone-url').textContent").endswith(link)
        phone = phone_types(browser, link, "echo: Hello from the phone")
        ph.wait("(function () { var u = document.querySelectorAll('.msg.user'), m = document.querySelectorAll('.msg.model');"
                " return u.length && u[u.length - 1].textContent.indexOf('echo: Hello from the phone') >= 0 &&"
                " m[m.length - 1].getAttribute('data-status') === 'done'; })()")
        assert "Hello from the phone" in ph.expr("document.querySelector('.msg.model .body').textContent")
        log = ph.log()
        assert not log["errors"] and not phone.errors, (log["errors"], phone.errors)
        phone.context.close()
    finally:
        ph.quit()


def test_loopback_phone_view_says_start_on_the_wifi_address_and_nothing_polls(browser, server):  # noqa: F811
    page = open_page(browser, server.url, "old-kindle")
    watches = []
    page.on("request", lambda r: "/api/link/watch" in r.url and watches.append(r.url))
    page.click("#show-phone")
    state = wait_js(page, "() => { var s = document.getElementById('phone-view').getAttribute('data-state');"
                          " return s !== 'loading' && s; }")
    assert state == "loopback"
    assert "Start on the Wi-Fi address" in page.inner_text("#phone-state")
    assert not page.is_visible("#phone-qr")
    # the one question at start (is a phone in use?) was answered no: the page is not watching
    wait_js(page, "() => document.body.getAttribute('data-watch') === 'off'")
    assert watches == []       # the start's question came before the listener; none since
    page.click("#phone-view .back")
    assert watches == [] and not page.errors, page.errors
    page.context.close()


def test_the_nav_keeps_one_line_at_600_px(browser, server):  # noqa: F811
    """Five buttons (New chat, Chats, Library, Settings, Phone): on the smallest Kindle
    screen the name gives way (a media query), and the bar stays one line high."""
    page = open_page(browser, server.url, "chromium", width=600, height=800)
    tops = page.evaluate("""() => { var out = [], b = document.querySelectorAll('#nav button'), i;
        for (i = 0; i < b.length; i++) { out.push(b[i].offsetTop); } return out; }""")
    assert len(tops) == 5 and len(set(tops)) == 1, tops
    assert page.evaluate("""() => document.getElementById('top').offsetHeight <
        2 * document.getElementById('show-phone').offsetHeight""")
    assert page.evaluate("() => document.getElementById('top').scrollWidth <= 600")
    page.context.close()

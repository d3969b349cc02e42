"""The real page in PhantomJS 2.1.1, a real ES5-era WebKit (538.1: no Promise, fetch,
Map, let or arrows), against a real demo server process (issue 11, must 3): load, send,
stream to the end, stop, retry, page turns, settings, an error note, and resuming after
a reload. Every action is a real mouse click or key press. Any script error or console
line on the page fails the test. Skipped, saying why, where PhantomJS cannot run."""
import pytest

from page_fixtures import Server
from phantom_page import Phantom

# About 12 s for demo:long: slow enough to stop, reload and page mid-reply, quick enough
# to stream to the end.
PACE = {"KINDLECHAT_DEMO_TPS": "200", "KINDLECHAT_DEMO_FIRST_MS": "100"}

LAST = "(function () { var a = document.querySelectorAll('.msg.model'); return a[a.length - 1]; })()"
STATUS = LAST + ".getAttribute('data-status')"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("kc-phantom"), env=PACE)
    yield srv
    srv.stop()


@pytest.fixture
def ph(tmp_path, server):
    """PhantomJS showing the page; fails the test on any script error or console line."""
    p = Phantom.start(tmp_path)
    try:
        p.open(server.url)
        p.wait("document.getElementById('message') && document.getElementById('settings-view')"
               ".getAttribute('data-state') === 'ready'")
        yield p
        log = p.log()
        assert not log["errors"], "script errors in PhantomJS: %r" % log["errors"]
        assert not log["console"], "console lines in PhantomJS: %r" % log["console"]
    finally:
        p.quit()


def send(ph, text):
    count = ph.expr("document.querySelectorAll('.msg.model').length")
    ph.type("#message", text)
    ph.click("#send")
    ph.wait("document.querySelectorAll('.msg.model').length > %d" % count, timeout=15)


def wait_status(ph, *statuses, timeout=60):
    return ph.wait("(function (s) { return %s.indexOf(s) >= 0 && s; })(%s)" % (list(statuses), STATUS), timeout)


def current_chat(server, ph):
    return server.get("api/chats/" + ph.expr("localStorage.getItem('kc.chat')"))


def test_it_is_the_old_engine(ph):
    """What makes this run worth having: the engine lacks what Chromium has."""
    agent, kinds = ph.expr("[navigator.userAgent, [typeof Promise, typeof fetch, typeof Map]]")
    assert "AppleWebKit/538.1" in agent and "PhantomJS/2.1.1" in agent
    assert kinds == ["undefined", "undefined", "undefined"]


def test_send_and_stream_to_the_end(ph, server):
    assert ph.wait("document.getElementById('banner').style.display !== 'none' && "
                   "document.getElementById('banner').textContent").startswith("Demo mode")
    send(ph, "How do e-ink screens work?")
    assert ph.expr("document.getElementById('stop').style.display") == ""
    assert wait_status(ph, "done") == "done"
    assert ph.expr("document.getElementById('message').value") == ""
    assert ph.expr("document.getElementById('send').style.display") == ""
    text = ph.expr(LAST + ".reply.text")
    assert text == current_chat(server, ph)["messages"][1]["text"]
    assert ph.expr(LAST + ".querySelector('h4').textContent") == "About: How do e-ink screens work?"
    assert ph.expr(LAST + ".querySelectorAll('ol > li').length") == 3
    assert ph.expr(LAST + ".querySelectorAll('th').length") == 2


def test_stop_then_retry(ph, server):
    send(ph, "demo:long")
    ph.wait(LAST + ".querySelector('.body p')")
    ph.click("#stop")
    assert wait_status(ph, "stopped") == "stopped"
    assert "Stopped" in ph.expr(LAST + ".querySelector('.note').textContent")
    kept = ph.expr(LAST + ".reply.text")
    assert kept and kept == current_chat(server, ph)["messages"][1]["text"]
    ph.click(".msg.model .note button.retry")
    ph.wait(STATUS + " === 'streaming' && " + LAST + ".reply.text")
    ph.click("#stop")
    assert wait_status(ph, "stopped") == "stopped"
    assert ph.expr(LAST + ".reply.text") == current_chat(server, ph)["messages"][1]["text"]


def test_page_turns(ph):
    """Follow reply turned to the reply's last page; Previous and Next turn back and on."""
    send(ph, "demo:long")
    assert wait_status(ph, "done") == "done"
    pager = "document.getElementById('pager')"
    end = ph.expr(pager + ".scrollTop")
    assert end > 0 and ph.expr("document.getElementById('next').disabled") is True
    assert ph.expr(pager + ".scrollHeight > 3 * " + pager + ".clientHeight")   # pages, not a scroll
    ph.click("#prev")
    back = ph.expr(pager + ".scrollTop")
    assert 0 < back < end
    assert ph.expr("document.getElementById('next').disabled") is False
    ph.click("#next")
    assert ph.expr(pager + ".scrollTop") > back
    assert ph.expr("document.documentElement.scrollHeight <= window.innerHeight + 2")   # one screen high


def test_settings_round_trip(ph, server):
    before = server.get("api/settings")
    try:
        ph.click("#show-settings")
        ph.wait("document.getElementById('settings-view').getAttribute('data-state') === 'ready'")
        assert ph.expr("document.getElementById('set-model').value") == before["model"]
        ph.type("#set-api-key", "AIza-phantom-key")
        ph.js("function () { document.getElementById('set-model').value = ''; }")
        ph.type("#set-model", "gemini-phantom")
        ph.click("#save-settings")
        ph.wait("document.getElementById('settings-status').textContent === 'Saved.'")
        saved = server.get("api/settings")
        assert (saved["model"], saved["api_key_set"]) == ("gemini-phantom", True)
        assert ph.expr("document.getElementById('set-api-key').value") == ""
    finally:
        server.request("PUT", "api/settings", {"model": before["model"], "api_key": ""})


def test_an_error_note(ph, server):
    send(ph, "demo:429")
    assert wait_status(ph, "error") == "error"
    note = ph.expr(LAST + ".querySelector('.note span').textContent")
    assert note == current_chat(server, ph)["messages"][1]["error"]["message"]
    assert "rate limit" in note
    assert ph.expr(LAST + ".querySelectorAll('button.retry').length") == 1


def test_resume_after_a_reload(ph, server):
    send(ph, "demo:long")
    ph.wait("/Part 2/.test(%s.textContent)" % LAST)
    ph.reload()
    ph.wait("(function (r) { return r && r.getAttribute('data-status') === 'streaming' && "
            "/Part 4/.test(r.textContent); })(%s)" % LAST.replace("a[a.length - 1]", "a[a.length - 1] || null"))
    assert wait_status(ph, "done") == "done"
    text = ph.expr(LAST + ".reply.text")
    assert text == current_chat(server, ph)["messages"][1]["text"]
    parts = ph.js("function () { var h = document.querySelectorAll('.msg.model h5'), out = [], i;"
                  " for (i = 0; i < h.length; i++) { out.push(h[i].textContent); } return out; }")
    assert parts == ["Part %d" % n for n in range(1, 41)]


def test_a_script_error_would_be_seen(tmp_path, server):
    """The check itself: an uncaught error and a console line on the page reach the log."""
    p = Phantom.start(tmp_path)
    try:
        p.open(server.url)
        p.js("function () { setTimeout(function () { console.log('a line'); no_such_function(); }, 0); }")
        for _ in range(100):      # the timer has fired by the next few commands
            log = p.log()
            if log["errors"]:
                break
            p.expr("1")
        assert "no_such_function" in log["errors"][0] and log["console"] == ["a line"]
    finally:
        p.quit()


def test_chat_list_reopen_and_delete(ph, server):
    send(ph, "echo: owls \U0001F680 **bold** \u2192 done")
    assert wait_status(ph, "done") == "done"
    body = ph.expr(LAST + ".querySelector('.body').innerHTML")
    assert "<strong>bold</strong>" in body and "(rocket)" in body and "-&gt;" in body
    owls = ph.expr("localStorage.getItem('kc.chat')")
    ph.click("#new-chat")
    assert ph.expr("document.querySelectorAll('.msg').length") == 0
    ph.click("#show-chats")
    row = ".chat[data-id='%s']" % owls
    ph.wait("document.querySelector(\"%s\")" % row)
    ph.click(row + " button.open")
    ph.wait("/owls/.test(document.querySelector('.msg.user') && document.querySelector('.msg.user').textContent)")
    ph.click("#show-chats")
    ph.wait("document.querySelector(\"%s\")" % row)
    ph.click(row + " button.delete")
    assert ph.expr("document.querySelector(\"%s button.delete\").textContent" % row) == "Delete for good?"
    ph.click(row + " button.delete")
    ph.wait("!document.querySelector(\"%s\")" % row)
    assert owls not in [c["id"] for c in server.get("api/chats")["chats"]]

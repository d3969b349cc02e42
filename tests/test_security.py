"""Security (issue 5, must 5): loopback only unless Wi-Fi mode with its token; a
foreign Host is refused (DNS rebinding); a cross-site form, text/plain POST or a
write from another Origin changes nothing (CSRF); no CORS headers; the API key is
never returned, never logged, never sent but to the Gemini URL in its header; the
settings file is readable by its owner alone.
"""
import json
import os
import socket
import stat
import subprocess
import sys

import pytest

from testkit.faultkit import KEY, exchange, snapshot, tally, wait_until
from testkit.gemini_chunks import sse_body
from testkit.serverproc import ROOT, HTTPFailure, ServerProcess
from testkit.ports import free_port
from testkit.upstream import Reply

KEY2 = "AIzaSECOND-key-also-never-shown-9876"


@pytest.fixture
def srv(tmp_path, upstream):
    upstream.script(Reply(body=sse_body(["Hello ", "there."])))
    server = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url, "--throttle-ms", "0",
                           env={"GEMINI_API_KEY": KEY}).start()
    server.cid = server.new_chat()
    server.read_reply(server.cid, server.send(server.cid, "hi"))
    yield server
    server.stop()


def raw(port, method, path, headers, body=b""):
    """(status, {lowercase header: value}, body) of a request sent exactly as given."""
    lines = ["%s %s HTTP/1.1" % (method, path)] + ["%s: %s" % kv for kv in headers.items()]
    if body or method != "GET":
        lines.append("Content-Length: %d" % len(body))
    data = ("\r\n".join(lines + ["Connection: close", "", ""])).encode("latin-1") + body
    return exchange(port, data)


def host(srv):
    return "127.0.0.1:%d" % srv.port


# -- binding -------------------------------------------------------------------

def listening_addresses(port):
    """Local addresses listening on port, from /proc/net/tcp and tcp6."""
    found = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    local, state = line.split()[1], line.split()[3]
                    address, _, hexport = local.partition(":")
                    if int(hexport, 16) == port and state == "0A":
                        found.append(address)
        except OSError:
            pytest.skip("no /proc/net/tcp here")
    return found


def test_bound_to_loopback_by_default(srv):
    assert listening_addresses(srv.port) == ["0100007F"]    # 127.0.0.1, nothing else
    tally("security: bound to loopback by default", 1)


def test_wide_bind_without_token_refused(tmp_path):
    """Serving beyond loopback is the Wi-Fi mode, and it needs its token."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    env.pop("KINDLECHAT_TOKEN", None)
    proc = subprocess.run([sys.executable, "-m", "kindlechat", "--host", "0.0.0.0", "--port", str(port),
                           "--data-dir", str(tmp_path / "d")], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=20)
    assert proc.returncode != 0
    assert "token" in (proc.stdout + proc.stderr).lower()
    tally("security: a wide bind without a token is refused", 1)


def test_wifi_mode_needs_the_token(tmp_path):
    token = "5f" * 16
    srv = ServerProcess(tmp_path / "data", "--host", "0.0.0.0", "--demo", env={"KINDLECHAT_TOKEN": token})
    # start() polls /api/health without the token, which is refused: start by hand.
    os.makedirs(srv.data_dir)
    srv.log = open(srv.log_path, "ab")
    srv.proc = subprocess.Popen([sys.executable, "-m", "kindlechat", "--port", str(srv.port), "--data-dir",
                                 srv.data_dir] + srv.flags, cwd=ROOT, env=srv.env, stdout=srv.log,
                                stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: "listening" in srv.output(), 20), srv.output()
        h = {"Host": "127.0.0.1:%d" % srv.port}
        assert raw(srv.port, "GET", "/api/health", h)[0] == 403
        assert raw(srv.port, "GET", "/", h)[0] == 403
        assert raw(srv.port, "GET", "/api/health?token=" + "0" * 32, h)[0] == 403
        assert raw(srv.port, "GET", "/api/health", dict(h, Cookie="kc_token=wrong"))[0] == 403
        status, headers, body = raw(srv.port, "GET", "/api/health?token=" + token, h)
        assert status == 200
        cookie = headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert raw(srv.port, "GET", "/api/chats", dict(h, Cookie="kc_token=" + token))[0] == 200
        # A foreign Host is refused even with the token.
        assert raw(srv.port, "GET", "/api/health?token=" + token, {"Host": "evil.example"})[0] == 403
        raw(srv.port, "GET", "/api/nothing?token=" + token, h)
    finally:
        srv.stop()
    assert token not in srv.output()
    tally("security: Wi-Fi mode without (or with a wrong) token", 4)


# -- DNS rebinding ---------------------------------------------------------------

FOREIGN_HOSTS = ["evil.example", "evil.example:{port}", "localhost.evil.example", "127.0.0.1.nip.io:{port}",
                 "127.0.0.1.evil.example", "", "127.0.0.1:{port}@evil.example", "[::2]:{port}", "0.0.0.0:{port}",
                 "LOCALHOST.evil.example", "127.1:{port}", "2130706433:{port}"]


@pytest.mark.parametrize("foreign", FOREIGN_HOSTS)
def test_foreign_host_refused(srv, foreign):
    for method, path, body in (("GET", "/api/chats", b""), ("GET", "/api/settings", b""), ("GET", "/", b""),
                               ("GET", "/api/chats/%s" % srv.cid, b""),
                               ("POST", "/api/chats", b"{}"), ("PUT", "/api/settings", b'{"model": "x"}')):
        before = snapshot(srv.data_dir)
        status, headers, payload = raw(srv.port, method, path, {"Host": foreign.format(port=srv.port),
                                                                "Content-Type": "application/json"}, body)
        assert status == 403, (foreign, method, path, status)
        assert json.loads(payload)["error"]["code"] == "bad_host"
        assert snapshot(srv.data_dir) == before
    tally("security: requests with a foreign Host (DNS rebinding)", 6)


def test_no_host_header_refused(srv):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /api/chats HTTP/1.0\r\n\r\n")
        assert s.recv(100).split()[1] == b"403"


@pytest.mark.parametrize("name", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LocalHost:{port}",
                                  "localhost", "127.0.0.1"])
def test_loopback_hosts_allowed(srv, name):
    assert raw(srv.port, "GET", "/api/health", {"Host": name.format(port=srv.port)})[0] == 200


# -- CSRF -------------------------------------------------------------------------

FORM_BODIES = [("application/x-www-form-urlencoded", b"text=hi"),
               ("multipart/form-data; boundary=XX", b'--XX\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--XX--\r\n'),
               ("text/plain", b'{"text": "hi"}'), ("text/plain;charset=UTF-8", b'{"model": "evil"}'), (None, b'{"text": "hi"}')]


@pytest.mark.parametrize("ctype,body", FORM_BODIES)
def test_cross_site_forms_change_nothing(srv, ctype, body):
    """What a form or a no-preflight fetch on another site can send."""
    for method, path in (("POST", "/api/chats/%s/messages" % srv.cid), ("POST", "/api/chats"),
                         ("PUT", "/api/settings"), ("DELETE", "/api/chats/%s" % srv.cid),
                         ("POST", "/api/chats/%s/retry" % srv.cid), ("POST", "/api/chats/%s/messages/1/stop" % srv.cid)):
        before = snapshot(srv.data_dir)
        headers = {"Host": host(srv), "Origin": "http://evil.example"}
        if ctype:
            headers["Content-Type"] = ctype
        status, _, payload = raw(srv.port, method, path, headers, body)
        assert status in (403, 415), (method, path, ctype, status)
        assert snapshot(srv.data_dir) == before
        # Without an Origin header (older browsers send none on a form post) too.
        del headers["Origin"]
        status, _, payload = raw(srv.port, method, path, headers, body)
        assert status == 415, (method, path, ctype, status)
        assert snapshot(srv.data_dir) == before
    tally("security: cross-site forms and text/plain posts (CSRF)", 12)


@pytest.mark.parametrize("origin", ["http://evil.example", "https://evil.example", "null", "http://localhost.evil.example",
                                    "http://127.0.0.1:{other}", "http://localhost:{other}", "file://",
                                    "http://127.0.0.1:{port}.evil.example"])
def test_write_from_another_origin_refused(srv, origin):
    other = free_port()
    for method, path, body in (("POST", "/api/chats/%s/messages" % srv.cid, b'{"text": "hi"}'),
                               ("POST", "/api/chats", b"{}"), ("PUT", "/api/settings", b'{"model": "evil"}'),
                               ("DELETE", "/api/chats/%s" % srv.cid, b"{}")):
        before = snapshot(srv.data_dir)
        status, _, payload = raw(srv.port, method, path, {"Host": host(srv), "Content-Type": "application/json",
                                                          "Origin": origin.format(port=srv.port, other=other)}, body)
        assert status == 403, (origin, method, path, status, payload)
        assert json.loads(payload)["error"]["code"] == "bad_origin"
        assert snapshot(srv.data_dir) == before
    tally("security: JSON writes with another Origin (CSRF)", 4)


def test_same_origin_write_allowed(srv):
    status, _, payload = raw(srv.port, "POST", "/api/chats", {"Host": host(srv), "Content-Type": "application/json",
                                                              "Origin": "http://%s" % host(srv)}, b"{}")
    assert status == 201, payload


def test_no_cors_headers_anywhere(srv):
    other = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type"}
    for method, path in (("OPTIONS", "/api/chats"), ("OPTIONS", "/api/settings"), ("GET", "/api/chats"),
                         ("GET", "/api/settings"), ("GET", "/api/health"), ("GET", "/"),
                         ("GET", "/api/chats/%s" % srv.cid), ("GET", "/api/chats/%s/messages/1" % srv.cid),
                         ("GET", "/api/chats/%s/messages/1/events" % srv.cid), ("GET", "/nothing"),
                         ("POST", "/api/chats")):
        status, headers, _ = raw(srv.port, method, path, dict(other, Host=host(srv), **{"Content-Type": "application/json"}))
        assert not [h for h in headers if h.startswith("access-control-")], (method, path, headers)
    tally("security: no CORS headers on any answer", 11)


# -- the API key -------------------------------------------------------------------

def every_answer(srv):
    """The bodies and headers of every kind of answer the server gives."""
    cid = srv.cid
    paths = ["/api/health", "/api/settings", "/api/chats", "/api/chats/%s" % cid,
             "/api/chats/%s/messages/1?from=0" % cid, "/api/chats/%s/messages/1/events" % cid, "/",
             "/app.js", "/api/chats/000000000000", "/api/chats/%s/messages/1?from=99999" % cid, "/api/nothing"]
    out = []
    for path in paths:
        status, headers, payload = raw(srv.port, "GET", path, {"Host": host(srv)})
        out.append(json.dumps(headers) + payload.decode("utf-8", "replace"))
    return "\n".join(out)


def test_key_never_returned_logged_or_sent_elsewhere(srv, upstream):
    settings = srv.get("/api/settings")
    assert settings["api_key_set"] is True and "api_key" not in settings
    # A new key by PUT: the answer does not echo it.
    answer = srv.request("PUT", "/api/settings", {"api_key": KEY2})
    assert "api_key" not in answer and answer["api_key_set"] is True
    # An upstream error that quotes the key back, and a reply with the new key.
    upstream.script(Reply(status=403, framing="length", content_type="application/json", body=json.dumps(
        {"error": {"code": 403, "message": "Permission denied for key %s on this project." % KEY2}}).encode()))
    cid = srv.new_chat()
    failed = srv.read_reply(cid, srv.send(cid, "hi"))
    assert failed["status"] == "error"
    assert "Permission denied" in failed["error"]["message"]
    upstream.script(Reply(body=sse_body(["ok"])))
    srv.read_reply(srv.cid, srv.send(srv.cid, "again, with the new key"))
    seen = every_answer(srv) + json.dumps(srv.get("/api/chats/%s" % cid)) + json.dumps(failed)
    for key in (KEY, KEY2):
        assert key not in seen
        assert key[8:24] not in seen
    # Sent only in the x-goog-api-key header: not in the URL, not in the body.
    assert upstream.requests
    for request in upstream.requests:
        assert request["headers"]["x-goog-api-key"] in (KEY, KEY2)
        assert KEY not in request["path"] and KEY2 not in request["path"]
        assert KEY.encode() not in request["body"] and KEY2.encode() not in request["body"]
        assert not any(k != "x-goog-api-key" and (KEY in v or KEY2 in v) for k, v in request["headers"].items())
    srv.stop()
    log = srv.output()
    assert KEY not in log and KEY2 not in log
    # Stored chats hold no key either; only settings.json does.
    for name, data in snapshot(srv.data_dir).items():
        if name != "settings.json":
            assert KEY2.encode() not in data, name
    tally("security: API key scanned for in answers, logs, upstream requests and chats", 1)


def test_settings_file_owner_only(srv):
    path = os.path.join(srv.data_dir, "settings.json")
    # A stale temporary file with a wide mode must not widen the new file.
    with open(path + ".tmp", "w") as f:
        f.write("{}")
    os.chmod(path + ".tmp", 0o644)
    srv.request("PUT", "/api/settings", {"api_key": KEY2})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as f:
        assert json.load(f)["api_key"] == KEY2
    srv.request("PUT", "/api/settings", {"model": "gemini-2.5-pro"})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    tally("security: settings file mode 0600", 1)


def test_key_from_environment_not_written(srv):
    """A key given by the environment stays there: settings.json does not get it."""
    srv.request("PUT", "/api/settings", {"model": "gemini-2.5-pro"})
    with open(os.path.join(srv.data_dir, "settings.json")) as f:
        assert "api_key" not in json.load(f)

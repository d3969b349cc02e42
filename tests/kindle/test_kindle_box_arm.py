"""Kindle in a box: the built zip on the Kindle's kind of Python -- Debian bullseye's armhf
Python 3.9 under qemu user emulation (tools/armpython.py) -- started by its own KUAL
action in a fake /mnt/us (tools/kindle_box.py, `python3 build.py emulate`).

The ARM Python is fetched once from Debian's packages into ~/.cache/kindlechat (about
10 MB, seconds); these tests are skipped, saying why, only where that cannot be done:
no qemu-arm-static and no way to install it, or Debian's archive out of reach.
"""
import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from testkit.kindle_fakes import REPO, built_zip, http_json
from testkit.ports import free_port

sys.path.insert(0, os.path.join(REPO, "tools"))
import armpython  # noqa: E402

VENDORED = ("requests", "urllib3", "certifi", "idna", "charset_normalizer", "bottle")


@pytest.fixture(scope="module")
def arm_python():
    """The wrapper that runs the ARM python3.9 (fetched once, cached across runs)."""
    try:
        wrapper = armpython.ensure(log=lambda m: print(m, file=sys.stderr))
    except armpython.Unavailable as exc:
        pytest.skip("no ARM Python 3.9 under qemu on this machine: %s" % exc)
    return wrapper


@pytest.fixture(scope="module")
def kindle_zip(tmp_path_factory):
    return built_zip(tmp_path_factory)


@pytest.fixture(scope="module")
def unzipped(kindle_zip, tmp_path_factory):
    """The zip unzipped as on a Kindle: ROOT/extensions/kindlechat."""
    root = tmp_path_factory.mktemp("mnt_us")
    with zipfile.ZipFile(kindle_zip) as z:
        z.extractall(str(root))
    return os.path.join(str(root), "extensions", "kindlechat")


def run_arm(python, code, timeout=120, **kw):
    r = subprocess.run([python, "-I", "-S", "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout, **kw)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_the_arm_python_is_the_kindles_kind(arm_python):
    info = armpython.check(arm_python)
    assert info["version"].startswith("3.9."), info
    assert info["machine"].startswith("armv7"), info
    assert info["openssl"].startswith("OpenSSL 1.1.1"), info   # urllib3 2 needs >= 1.1.1


IMPORTS = r'''
import json, os, platform, ssl, sys
ext = sys.argv[1]
sys.path[:0] = [os.path.join(ext, "app"), os.path.join(ext, "vendor")]
import requests, urllib3, certifi, idna, charset_normalizer, bottle
import kindlechat.web.routes, kindlechat.providers.gemini
ctx = ssl.create_default_context(cafile=certifi.where())
outside = sorted(set(
    m.__file__ for m in list(sys.modules.values())
    if getattr(m, "__file__", None)
    and not m.__file__.startswith(ext)
    and not m.__file__.startswith(sys.base_prefix)))
print(json.dumps({
    "machine": platform.machine(), "version": list(sys.version_info[:2]),
    "versions": {m: sys.modules[m].__version__ for m in %r},
    "files": {m: sys.modules[m].__file__ for m in %r},
    "compiled": sorted(m.__file__ for m in list(sys.modules.values())
                       if getattr(m, "__file__", None) and m.__file__.startswith(ext)
                       and not m.__file__.endswith(".py")),
    "outside": outside,
    "ca_certs": ctx.cert_store_stats()["x509_ca"],
    "tls13": ssl.HAS_TLSv1_3,
}))
''' % (VENDORED, VENDORED)


def test_vendored_libraries_import_on_arm_from_the_zip_alone(arm_python, unzipped):
    code = IMPORTS.replace("sys.argv[1]", repr(unzipped))
    info = run_arm(arm_python, code)
    assert info["machine"].startswith("armv7") and info["version"] == [3, 9]
    for name in VENDORED:
        assert info["files"][name].startswith(os.path.join(unzipped, "vendor")), info["files"]
    assert info["compiled"] == [], "compiled modules in the zip: %s" % info["compiled"]
    assert info["outside"] == [], "modules from neither the stdlib nor the zip: %s" % info["outside"]
    assert info["ca_certs"] > 50, "the vendored certifi bundle did not load"
    assert info["tls13"]


TLS = r'''
import json, os, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
ext, cert, key = sys.argv[1:4]
sys.path[:0] = [os.path.join(ext, "app"), os.path.join(ext, "vendor")]
import requests

class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"over": "tls"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

srv = HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
threading.Thread(target=srv.handle_request, daemon=True).start()
s = requests.Session()
s.trust_env = False
r = s.get("https://127.0.0.1:%d/" % srv.server_address[1], verify=cert, timeout=60)
print(json.dumps({"status": r.status_code, "body": r.json(),
                  "tls": r.raw.connection.sock.version() if r.raw.connection and r.raw.connection.sock else None}))
'''


def test_tls_works_on_arm_through_the_vendored_requests(arm_python, unzipped, tmp_path):
    """A real TLS handshake on loopback: the ARM Python serves, the vendored requests
    (urllib3, idna, certifi's way of verifying) fetches and verifies the certificate."""
    import shutil
    if not shutil.which("openssl"):
        pytest.skip("openssl (the command) is needed to make a test certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    code = TLS.replace("sys.argv[1:4]", repr([unzipped, cert, key]))
    info = run_arm(arm_python, code)
    assert info["status"] == 200 and info["body"] == {"over": "tls"}, info


def box(*args, timeout=240, env=None):
    r = subprocess.run([sys.executable, os.path.join(REPO, "tools", "kindle_box.py")] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=timeout, env=env)
    return r.returncode, r.stdout


def test_the_box_serves_a_chat_on_arm_and_stop_ends_it(arm_python, kindle_zip, tmp_path):
    """The one command (`build.py emulate` = tools/kindle_box.py): the KUAL start action in a
    fake /mnt/us, served by the ARM Python; a chat against the built-in emulator completes;
    KUAL's Stop ends the server and gives the screensaver back."""
    import kindle_box
    where = str(tmp_path / "box")
    env = dict(os.environ, KINDLECHAT_DEMO_TPS="400", KINDLECHAT_DEMO_FIRST_MS="20")
    port = free_port()
    k = None
    try:
        code, out = box("--detach", "--zip", kindle_zip, "--box", where, "--port", str(port), env=env)
        assert code == 0, out
        k = kindle_box.ArmKindle.attach(where)
        url = "http://127.0.0.1:%d/" % port
        assert url in out.splitlines()[-3:] or ("    " + url) in out, out
        assert k.opened_urls() == [url]
        pid = k.server_pid()
        assert pid and k.server_is_arm(pid), "the server is not the ARM Python: %s" % out
        # The screensaver comes as usual: kept away only while a reply streams (issue 25).
        assert k.prop("com.lab126.powerd", "preventScreenSaver") == "0"

        status, health = http_json(url + "api/health")
        assert status == 200 and health["ok"] and health["demo"], health
        status, chat = http_json(url + "api/chats", "POST", {})
        assert status in (200, 201), chat
        status, sent = http_json(url + "api/chats/%s/messages" % chat["id"], "POST", {"text": "hi"})
        assert status == 202, sent
        text, offset, deadline, body = "", 0, time.time() + 90, {"status": "streaming"}
        while body["status"] == "streaming" and time.time() < deadline:
            status, body = http_json(url + "api/chats/%s/messages/%d?from=%d&wait=20"
                                     % (chat["id"], sent["index"], offset), timeout=40)
            assert status == 200, body
            text += body["text"]
            offset = body["next"]
        assert body["status"] == "done", body
        assert "demo mode" in text and text.rstrip().endswith("thank you for reading.")
        kept = [c[3] for c in k.calls("lipc-set-prop") if c[1:3] == ["com.lab126.powerd", "preventScreenSaver"]]
        assert "1" in kept, kept   # while the reply streamed

        code, out = box("status", "--box", where)
        assert code == 0 and "running, pid %d" % pid in out, out

        code, out = box("stop", "--box", where)
        assert code == 0 and "KindleChat stopped." in out, out
        assert k.wait_gone(pid, timeout=20)
        assert k.prop("com.lab126.powerd", "preventScreenSaver") == "0"
        assert k.servers() == []
    finally:
        if k is not None:
            k.cleanup()


def test_the_wrapper_and_symlinks_stay_inside_the_sysroot(tmp_path):
    """Offline checks of the fetcher's own pieces."""
    root = tmp_path / "root"
    (root / "lib" / "arm-linux-gnueabihf").mkdir(parents=True)
    (root / "lib" / "arm-linux-gnueabihf" / "ld-2.31.so").write_text("x")
    os.symlink("/lib/arm-linux-gnueabihf/ld-2.31.so", str(root / "lib" / "ld-linux-armhf.so.3"))
    armpython.relink_absolute(str(root))
    link = root / "lib" / "ld-linux-armhf.so.3"
    assert os.readlink(str(link)) == "arm-linux-gnueabihf/ld-2.31.so" and link.read_text() == "x"
    w = armpython.write_wrapper(str(tmp_path / "bin" / "python3.9"), str(root), "/usr/bin/qemu-arm-static")
    text = open(w).read()
    assert os.access(w, os.X_OK)
    assert 'exec "/usr/bin/qemu-arm-static" -L "%s" "%s/usr/bin/python3.9" "$@"' % (root, root) in text


def test_the_mirror_is_the_machines_own(monkeypatch):
    monkeypatch.setenv("KINDLECHAT_DEBIAN_MIRROR", "http://mirror.example/debian/")
    assert armpython.debian_mirror() == "http://mirror.example/debian"
    monkeypatch.delenv("KINDLECHAT_DEBIAN_MIRROR")
    assert armpython.debian_mirror().endswith("/debian")

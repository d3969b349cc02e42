"""Helpers for the phone-as-a-keyboard tests (test_phone_link.py, test_page_phone.py):
a demo server in Wi-Fi address mode, and a real QR decoder.

    srv = WifiServer(tmp_path, "tok").start()   # serves on 127.0.0.2 with an access token
    decode_qr(png_bytes)                        # the text zbarimg (zbar-tools) reads, or a skip
"""
import os
import shutil
import subprocess
import tempfile
import urllib.request

import pytest

from testkit.serverproc import ServerProcess

WIFI = "127.0.0.2"      # what testkit/kindle_fakes.py calls the Wi-Fi address too


class WifiServer(ServerProcess):
    """`python -m kindlechat --demo --host 127.0.0.2` with a token, as the KUAL
    entry "Start on the Wi-Fi address" runs it; every request carries the token's cookie."""

    def __init__(self, data_dir, token, **kw):
        super().__init__(data_dir, "--demo", "--host", WIFI, env={"KINDLECHAT_TOKEN": token}, **kw)
        self.url = "http://%s:%d" % (WIFI, self.port)
        self.token = token

    def request(self, method, path, body=None, headers=None, **kw):
        cookie = "kc_token=" + self.token
        headers = dict(headers or {})
        headers["Cookie"] = cookie + ("; " + headers["Cookie"] if "Cookie" in headers else "")
        return super().request(method, path, body, headers=headers, **kw)

    def fetch(self, path):
        """(status, content type, body bytes) of a GET, with the token's cookie."""
        req = urllib.request.Request(self.url + path, headers={"Cookie": "kc_token=" + self.token})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type"), exc.read()


def decode_qr(png):
    """The text of the one QR code in a PNG, read by Debian's zbarimg; skips without it."""
    zbarimg = shutil.which("zbarimg")
    if not zbarimg:
        pytest.skip("reading the QR code back needs zbarimg (apt-get install zbar-tools)")
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(png)
    try:
        out = subprocess.run([zbarimg, "--quiet", "--raw", f.name], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=60)
    finally:
        os.unlink(f.name)
    assert out.returncode == 0, "zbarimg found no QR code (exit %d)" % out.returncode
    lines = out.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    return lines[0]

"""The KUAL extension, run in an emulated Kindle (testkit/kindle_fakes.py): the built zip
unzipped into a folder laid out like /mnt/us, menu entries run the way KUAL runs them,
fake lipc/eips/iptables recording what the scripts ask of the Kindle, and a Python
that sees only the standard library and the zip."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from testkit.kindle_fakes import REPO, WIFI_ADDRESS, Kindle, built_zip, busybox, http, http_json

SCRIPTS_DIR = os.path.join(REPO, "extensions", "kindlechat", "bin")
SCRIPTS = sorted(os.path.join(SCRIPTS_DIR, n) for n in os.listdir(SCRIPTS_DIR) if n.endswith(".sh"))
START = "Start and open the chat"
START_WIFI = "Start on the Wi-Fi address (new browser)"
STOP = "Stop"
STATUS = "Status and log"


@pytest.fixture(scope="module")
def kindle_zip(tmp_path_factory):
    """The zip build.py makes (built once per session)."""
    return built_zip(tmp_path_factory)


@pytest.fixture
def kindle(tmp_path, kindle_zip):
    """A fresh emulated Kindle with KindleChat unzipped; ends its processes after."""
    k = Kindle(tmp_path, kindle_zip)
    yield k
    k.cleanup()


def version():
    text = open(os.path.join(REPO, "src", "kindlechat", "__init__.py")).read()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def wait_reply(base, chat_id, index, timeout=30, query=""):
    """The finished model reply, by long polling as the page does."""
    text, offset, deadline = "", 0, time.time() + timeout
    while time.time() < deadline:
        status, body = http_json("%s/api/chats/%s/messages/%d?from=%d&wait=5%s"
                                 % (base, chat_id, index, offset, query), timeout=10)
        assert status == 200, body
        text += body["text"]
        offset = body["next"]
        if body["status"] not in ("streaming", "reconnecting"):
            return body["status"], text
    raise AssertionError("the reply did not finish in %s s" % timeout)


# --- the extension's files --------------------------------------------------

def test_config_xml_names_menu_json(kindle):
    root = ET.parse(os.path.join(kindle.ext, "config.xml")).getroot()
    assert root.tag == "extension"
    assert root.findtext("information/name") == "KindleChat"
    assert root.findtext("information/version") == version()
    menus = root.findall("menus/menu")
    assert [(m.get("type"), m.text) for m in menus] == [("json", "menu.json")]
    assert os.path.isfile(os.path.join(kindle.ext, menus[0].text))


def test_menu_entries_call_sh_scripts_that_exist(kindle):
    with open(os.path.join(kindle.ext, "menu.json")) as f:
        menu = json.load(f)
    (top,) = menu["items"]
    assert top["name"] == "KindleChat"
    names = [item["name"] for item in top["items"]]
    assert names == [START, START_WIFI, STOP, STATUS]
    for item in top["items"]:
        # No exec bits on the Kindle's FAT: the shell runs the script.
        assert item["action"].startswith("/bin/sh ./bin/"), item
        script = item["action"].split()[1]
        assert os.path.isfile(os.path.join(kindle.ext, script)), script
        assert isinstance(item["priority"], int)
    assert kindle.menu_item(START_WIFI)["params"] == "wifi"


@pytest.mark.parametrize("script", SCRIPTS, ids=os.path.basename)
def test_scripts_parse_as_posix_sh(script):
    for shell in ["sh"] + (["busybox"] if busybox() else []):
        command = [shell, "-n", script] if shell == "sh" else [shell, "sh", "-n", script]
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=30)
        assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=os.path.basename)
def test_scripts_have_no_bashisms(script):
    if not shutil.which("checkbashisms"):
        if os.environ.get("CI"):
            pytest.fail("checkbashisms is missing: .ci/apt-packages.txt installs devscripts")
        pytest.skip("checkbashisms not installed (Debian: devscripts)")
    result = subprocess.run(["checkbashisms", "--posix", "--extra", "--force", script],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=60)
    assert result.returncode == 0, result.stdout


def test_python_sees_only_stdlib_and_the_zip(kindle):
    """The emulated Kindle's Python has no bottle of its own; the launcher's paths give
    it the zip's."""
    wrapper = os.path.join(kindle.root, "python3", "bin", "python3.9")
    bare = subprocess.run([wrapper, "-c", "import bottle"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    assert bare.returncode != 0 and "ModuleNotFoundError" in bare.stdout
    code = ("import sys; sys.path[:0] = [%r, %r]; import bottle, requests, urllib3, idna, certifi, "
            "charset_normalizer, kindlechat.web.routes; print(bottle.__file__); print(requests.__file__); "
            "print(kindlechat.web.routes.find_www())"
            % (os.path.join(kindle.ext, "app"), os.path.join(kindle.ext, "vendor")))
    result = subprocess.run([wrapper, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=60)
    assert result.returncode == 0, result.stdout
    for line in result.stdout.split():
        assert line.startswith(kindle.ext + os.sep), line


# --- start, chat, stop ------------------------------------------------------

def test_start_serves_and_opens_the_page(kindle):
    result = kindle.run_menu(START)
    assert result.returncode == 0, kindle.explain(result)
    base = "http://127.0.0.1:%d" % kindle.port
    status, health = http_json(base + "/api/health")
    assert status == 200 and health == {"ok": True, "version": version(), "demo": True}
    assert kindle.opened_urls() == [base + "/"]
    status, _, page = http(base + "/")
    assert status == 200 and b"<html" in page.lower()
    assert ["lipc-set-prop", "com.lab126.cmd", "wirelessEnable", "1"] in kindle.calls()
    # The screensaver comes as usual: kept away only while a reply streams (test_kual_sleep.py).
    assert kindle.prop("com.lab126.powerd", "preventScreenSaver") == "0"
    # The server alone gets the library path and the CA bundle.
    (pid,) = kindle.servers()
    assert pid == kindle.server_pid()
    env = kindle.process_env(pid)
    assert env["LD_LIBRARY_PATH"] == os.path.join(kindle.root, "python3", "lib")
    bundle = os.path.join(kindle.ext, "vendor", "certifi", "cacert.pem")
    assert env["REQUESTS_CA_BUNDLE"] == env["SSL_CERT_FILE"] == bundle and os.path.isfile(bundle)
    assert "KINDLECHAT_TOKEN" not in env
    for line in open(os.path.join(kindle.fake, "ld_library_path")):
        assert line.rstrip("\n").split("\t")[1] == "", line
    # NiLuJe's Python from ROOT/python3, not python3.9-config beside it.
    assert os.path.join(kindle.root, "python3", "bin", "python3.9") in open(
        os.path.join(kindle.data, "kindlechat.log")).read()


def test_a_chat_completes_and_is_kept_outside_the_extension(kindle):
    kindle.start()
    base = "http://127.0.0.1:%d" % kindle.port
    status, chat = http_json(base + "/api/chats", "POST", {})
    assert status in (200, 201), chat
    status, posted = http_json(base + "/api/chats/%s/messages" % chat["id"], "POST", {"text": "Hello Kindle"})
    assert status == 202, posted
    state, text = wait_reply(base, chat["id"], posted["index"])
    assert state == "done" and text.strip()
    stored = [os.path.join(top, n) for top, _, names in os.walk(kindle.data) for n in names]
    assert any(chat["id"] in path for path in stored), stored
    assert not os.path.exists(os.path.join(kindle.ext, "data"))


def test_a_second_start_starts_nothing(kindle):
    kindle.start()
    pid = kindle.server_pid()
    result = kindle.start()
    assert "already running" in result.stdout
    assert kindle.servers() == [pid] and kindle.server_pid() == pid
    # It opens the page again, for someone who closed the browser.
    assert kindle.opened_urls() == ["http://127.0.0.1:%d/" % kindle.port] * 2


def test_stop_ends_the_server_and_restores_the_screensaver(kindle):
    kindle.start()
    pid = kindle.server_pid()
    result = kindle.stop()
    assert "stopped" in result.stdout
    assert kindle.wait_gone(pid), "the server still runs after stop"
    assert kindle.servers() == []
    assert kindle.prop("com.lab126.powerd", "preventScreenSaver") == "0"
    assert kindle.calls("lipc-set-prop")[-1] == ["lipc-set-prop", "com.lab126.powerd", "preventScreenSaver", "0"]
    assert not os.path.exists(os.path.join(kindle.data, "run", "server.pid"))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", kindle.port), timeout=2).close()
    again = kindle.stop()
    assert "not running" in again.stdout


def test_wifi_mode_needs_the_token_and_closes_the_firewall_at_stop(kindle):
    kindle.start("wifi")
    (url,) = kindle.opened_urls()
    match = re.match(r"^http://([0-9.]+):(\d+)/\?token=([0-9a-f]{32})$", url)
    assert match, url
    assert match.group(1) == WIFI_ADDRESS and int(match.group(2)) == kindle.port
    token = match.group(3)
    rule = ["-A", "INPUT", "-p", "tcp", "--dport", str(kindle.port), "-j", "ACCEPT"]
    assert ["iptables"] + rule in kindle.calls("iptables")
    assert kindle.iptables_rules() == [" ".join(rule[1:])]
    base = "http://%s:%d" % (WIFI_ADDRESS, kindle.port)
    for path in ("/", "/api/health", "/api/chats", "/api/health?token=wrong"):
        assert http(base + path)[0] == 403, path
    assert http_json(base + "/api/health?token=" + token)[1]["ok"] is True
    status, headers, _ = http(url)
    assert status == 200 and "kc_token=" + token in headers.get("Set-Cookie", "")
    assert http(base + "/api/chats", headers={"Cookie": "kc_token=" + token})[0] == 200
    # The token went through the environment, not the command line, and not into the log.
    pid = kindle.server_pid()
    assert token not in open("/proc/%d/cmdline" % pid).read()
    assert token not in open(os.path.join(kindle.data, "kindlechat.log")).read()

    kindle.stop()
    assert ["iptables", "-D"] + rule[1:] in kindle.calls("iptables")
    assert kindle.iptables_rules() == []
    assert kindle.wait_gone(pid)
    assert kindle.prop("com.lab126.powerd", "preventScreenSaver") == "0"


def test_starting_in_the_other_mode_restarts_the_server(kindle):
    kindle.start()
    first = kindle.server_pid()
    kindle.start("wifi")
    assert kindle.wait_gone(first)
    assert kindle.servers() == [kindle.server_pid()] and kindle.server_pid() != first
    assert kindle.opened_urls()[-1].startswith("http://%s:" % WIFI_ADDRESS)
    kindle.start()
    assert kindle.iptables_rules() == []
    assert kindle.opened_urls()[-1] == "http://127.0.0.1:%d/" % kindle.port


def test_wifi_mode_restarts_when_the_address_changed(kindle):
    kindle.start("wifi")
    first = kindle.server_pid()
    kindle.start("wifi", KINDLE_FAKE_WIFI_IP="127.0.0.3")    # another network, another address
    assert kindle.wait_gone(first)
    assert kindle.opened_urls()[-1].startswith("http://127.0.0.3:%d/?token=" % kindle.port)
    assert kindle.servers() == [kindle.server_pid()]
    assert len(kindle.iptables_rules()) == 1


# --- when things go wrong ---------------------------------------------------

def test_without_python_it_says_what_to_install(kindle):
    kindle.remove_python()
    result = kindle.run_menu(START)
    assert result.returncode != 0
    screen = " ".join(kindle.screen())
    assert "Python 3" in screen and "NiLuJe" in screen and "/mnt/us/python3" in screen
    assert kindle.opened_urls() == [] and kindle.servers() == []
    assert kindle.prop("com.lab126.powerd", "preventScreenSaver") != "1"


def test_python3_on_path_is_used_when_root_has_none(kindle):
    kindle.remove_python()
    kindle.python_on_path()
    kindle.start()
    assert http_json("http://127.0.0.1:%d/api/health" % kindle.port)[1]["ok"] is True
    assert "LD_LIBRARY_PATH" not in kindle.process_env(kindle.server_pid()) or \
        kindle.process_env(kindle.server_pid())["LD_LIBRARY_PATH"] == ""


def test_a_stale_pid_file_is_never_trusted(kindle):
    """A pid file left by a crash may name another program by now: start must not
    take it for the server, and stop must not kill it."""
    other = subprocess.Popen(["sleep", "60"])
    try:
        os.makedirs(os.path.join(kindle.data, "run"))
        with open(os.path.join(kindle.data, "run", "server.pid"), "w") as f:
            f.write("%d\n" % other.pid)
        kindle.start()
        assert kindle.server_pid() != other.pid
        kindle.stop()
        assert other.poll() is None, "stop killed a process that was not the server"
    finally:
        other.kill()
        other.wait(timeout=10)


def test_a_server_that_cannot_listen_is_reported_and_cleaned_up(kindle):
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind((WIFI_ADDRESS, kindle.port))
        taken.listen(1)
        result = kindle.run_menu(START_WIFI)
    assert result.returncode != 0
    screen = kindle.screen()
    assert any("did not start" in line for line in screen), screen
    assert any("can't listen" in line for line in screen), screen
    assert kindle.servers() == [] and kindle.opened_urls() == []
    assert kindle.iptables_rules() == []
    assert kindle.prop("com.lab126.powerd", "preventScreenSaver") != "1"


def test_a_server_that_died_is_started_again(kindle):
    kindle.start()
    pid = kindle.server_pid()
    os.kill(pid, signal.SIGKILL)
    assert kindle.wait_gone(pid)
    kindle.start()
    assert kindle.server_pid() != pid and len(kindle.servers()) == 1


def test_status_shows_the_state_and_the_end_of_the_log(kindle):
    result = kindle.run_menu(STATUS)
    assert result.returncode == 0 and "not running" in result.stdout
    kindle.start()
    result = kindle.run_menu(STATUS)
    assert "running, pid %d" % kindle.server_pid() in result.stdout
    assert "http://127.0.0.1:%d/" % kindle.port in result.stdout
    assert "KindleChat listening on" in result.stdout
    assert any("KindleChat listening on" in line for line in kindle.screen())
    assert all(len(line) <= 48 for line in kindle.screen())


def test_an_upgrade_keeps_the_chats(kindle, kindle_zip):
    kindle.start()
    base = "http://127.0.0.1:%d" % kindle.port
    chat_id = http_json(base + "/api/chats", "POST", {})[1]["id"]
    kindle.stop()
    kindle.unzip(kindle_zip)          # the new version, unzipped over the old
    kindle.start()
    chats = http_json(base + "/api/chats")[1]["chats"]
    assert [c["id"] for c in chats] == [chat_id]


def test_the_log_never_grows_past_its_cap(kindle, tmp_path):
    log = str(tmp_path / "server.log")
    code = ("import sys; sys.path.insert(0, %r); import launcher; "
            "out = launcher.CappedLog(%r, 10000); sys.stdout = sys.stderr = out\n"
            "for i in range(1000): print('line %%04d of the server log' %% i)\n"
            "import os; os.write(2, b'from C\\n')" % (os.path.join(kindle.ext, "bin"), log))
    wrapper = os.path.join(kindle.root, "python3", "bin", "python3.9")
    result = subprocess.run([wrapper, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=60)
    assert result.returncode == 0, result.stdout
    assert os.path.getsize(log) <= 10000 and os.path.getsize(log + ".1") <= 10000
    assert not os.path.exists(log + ".2")
    tail = open(log).read()
    assert "line 0999" in tail and tail.endswith("from C\n")


def test_start_caps_a_log_that_grew_while_no_server_ran(kindle):
    os.makedirs(kindle.data)
    log = os.path.join(kindle.data, "kindlechat.log")
    with open(log, "w") as f:
        f.write("an old line of the log\n" * 20000)     # 460 KB
    kindle.start()
    assert os.path.getsize(log + ".1") == 460000
    assert os.path.getsize(log) < 10000 and "KindleChat listening on" in open(log).read()

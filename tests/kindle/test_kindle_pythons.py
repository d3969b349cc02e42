"""Every Kindle Python the zip claims: NiLuJe's 3.9, pithon (HF)'s 3.14 on firmware 5.16.3+,
or both at once. In an emulated Kindle (testkit/kindle_fakes.py) the KUAL scripts pick the
newest python3.N by number, skip one that does not start, and run the server isolated
(-I); the built zip then completes a whole chat on 3.9 and on the newest CPython this
machine has, with every DeprecationWarning an error."""
import os
import re
import sys
import time

import pytest

from testkit.kindle_fakes import Kindle, built_zip, cpythons, http_json

START = "Start and open the chat"
STATUS = "Status and log"
PYTHONS = cpythons()
NEWEST = max(PYTHONS)


@pytest.fixture(scope="module")
def kindle_zip(tmp_path_factory):
    return built_zip(tmp_path_factory)


@pytest.fixture
def make_kindle(tmp_path, kindle_zip):
    """Kindle(python) factories: an emulated Kindle with no Python of its own yet."""
    made = []

    def make(python=sys.executable):
        k = Kindle(tmp_path / ("k%d" % len(made)), kindle_zip, python=python)
        k.remove_python()
        made.append(k)
        return k

    yield make
    for k in made:
        k.cleanup()


def started_with(kindle):
    """The name of the ROOT/python3/bin Python the running server was started through."""
    return kindle.process_env(kindle.server_pid()).get("KINDLE_FAKE_PYTHON")


def wait_reply(base, chat_id, index, timeout=60):
    text, offset, deadline, body = "", 0, time.time() + timeout, {"status": "streaming"}
    while body["status"] == "streaming" and time.time() < deadline:
        status, body = http_json("%s/api/chats/%s/messages/%d?from=%d&wait=10"
                                 % (base, chat_id, index, offset), timeout=20)
        assert status == 200, body
        text += body["text"]
        offset = body["next"]
    return body, text


# --- which Python -------------------------------------------------------------

@pytest.mark.parametrize("names, newest", [
    (["python3.9", "python3.10", "python3.14"], "python3.14"),
    (["python3.9", "python3.10"], "python3.10"),      # "python3.10" < "python3.9" as text
    (["python3.9", "python3.14"], "python3.14"),
    (["python3.14"], "python3.14"),                   # pithon (HF) alone: no plain python3
])
def test_the_newest_python_is_chosen_by_number(make_kindle, names, newest):
    kindle = make_kindle()
    kindle.install_pythons(names)
    kindle.start()
    assert started_with(kindle) == newest
    # NiLuJe's libpython3.9.so is in python3/lib; pithon's python3.14 has only its
    # lib/python3.14 there: the same library path serves both, and the server alone gets it.
    env = kindle.process_env(kindle.server_pid())
    assert env["LD_LIBRARY_PATH"] == os.path.join(kindle.root, "python3", "lib")
    # Chosen by name alone: the older ones never even ran (each start costs seconds on a Kindle).
    assert set(kindle.pythons_run()) == {newest}
    log = open(os.path.join(kindle.data, "kindlechat.log")).read()
    assert "starting: %s," % os.path.join(kindle.root, "python3", "bin", newest) in log
    status = kindle.run_menu(STATUS).stdout
    assert "Python: " + os.path.join(kindle.root, "python3", "bin", newest) in status


def test_a_python_that_does_not_start_is_skipped_and_named(make_kindle):
    """E.g. pithon (HF), hard-float, copied onto a soft-float Kindle beside NiLuJe's 3.9."""
    kindle = make_kindle()
    kindle.install_pythons(["python3.9", "python3.14"], broken=["python3.14"])
    kindle.start()
    assert started_with(kindle) == "python3.9"
    log = open(os.path.join(kindle.data, "kindlechat.log")).read()
    assert "python3.14: cannot execute binary file" in log
    status = kindle.run_menu(STATUS).stdout
    assert "Skipped (does not start): " in status and "python3.14" in status


def test_when_no_python_starts_the_screen_says_so(make_kindle):
    kindle = make_kindle()
    kindle.install_pythons(["python3.14"], broken=["python3.14"])
    result = kindle.run_menu(START)
    assert result.returncode != 0
    screen = " ".join(kindle.screen())
    assert "does not start" in screen and "python3.14: cannot execute binary file: Exec format error" in screen, screen
    assert kindle.servers() == [] and kindle.opened_urls() == []


def test_the_server_runs_isolated_whatever_the_environment(make_kindle, tmp_path):
    """-I: a PYTHONPATH in KUAL's environment (here one whose bottle would break the server)
    is ignored, and the launcher alone puts the zip's app/ and vendor/ on sys.path."""
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "bottle.py").write_text("raise ImportError('PYTHONPATH reached the server')\n")
    (hostile / "kindlechat.py").write_text("raise ImportError('PYTHONPATH reached the server')\n")
    kindle = make_kindle()
    kindle.install_pythons(["python3.9"])
    kindle.start(PYTHONPATH=str(hostile), PYTHONHOME=str(hostile) + "/nowhere", PYTHONSTARTUP="x")
    base = "http://127.0.0.1:%d" % kindle.port
    assert http_json(base + "/api/health")[1]["ok"] is True
    args = open("/proc/%d/cmdline" % kindle.server_pid()).read().split("\0")
    launcher = os.path.join(kindle.ext, "bin", "launcher.py")
    assert "-I" in args[:args.index(launcher)], args


# --- a whole chat on each Python -------------------------------------------------

def chat_pythons():
    """3.9 (NiLuJe's) and the newest CPython here; a missing 3.9 is skipped, saying so."""
    params = [pytest.param(NEWEST, id="newest-%d.%d" % NEWEST)]
    if (3, 9) != NEWEST:
        mark = [] if (3, 9) in PYTHONS else [pytest.mark.skip(
            reason="no CPython 3.9 on this machine (looked in pyenv and on PATH)")]
        params.insert(0, pytest.param((3, 9), id="3.9", marks=mark))
    return params


@pytest.mark.parametrize("version", chat_pythons())
def test_the_zip_completes_a_chat_with_deprecations_as_errors(make_kindle, version):
    """The built zip, started by KUAL's Start through python3.N in ROOT/python3/bin, runs
    `-I -W error::DeprecationWarning`: anything of src/ or the vendored libraries that
    this Python deprecated or removed fails the chat, in every thread."""
    kindle = make_kindle(PYTHONS[version])
    name = "python%d.%d" % version
    kindle.install_pythons([name], flags=("-S", "-W", "error::DeprecationWarning"))
    kindle.start()
    assert started_with(kindle) == name
    base = "http://127.0.0.1:%d" % kindle.port
    assert http_json(base + "/api/health")[1]["demo"] is True
    status, settings = http_json(base + "/api/settings", "PUT", {"temperature": 0.5})
    assert status == 200, settings
    status, chat = http_json(base + "/api/chats", "POST", {})
    assert status in (200, 201), chat
    status, sent = http_json(base + "/api/chats/%s/messages" % chat["id"], "POST", {"text": "Hello"})
    assert status == 202, sent
    body, text = wait_reply(base, chat["id"], sent["index"])
    assert body["status"] == "done", body
    assert "demo mode" in text
    status, listed = http_json(base + "/api/chats")
    assert [c["id"] for c in listed["chats"]] == [chat["id"]]
    log = open(os.path.join(kindle.data, "kindlechat.log")).read()
    assert "Python %d.%d." % version in log
    assert not re.search(r"Warning|Traceback", log), log
    kindle.stop()
    assert "Warning" not in open(os.path.join(kindle.data, "kindlechat.log")).read()

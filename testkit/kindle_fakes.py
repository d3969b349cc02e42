"""An emulated Kindle for the tests: the built zip unzipped into a folder laid out like
/mnt/us, fake Kindle tools first on PATH, and KUAL's way of running a menu action.

    kindle = Kindle(tmp_path, built_zip(tmp_path_factory))
    kindle.run_menu("Start and open the chat")        # like a tap in KUAL
    kindle.calls("lipc-set-prop")                     # what the scripts asked of the Kindle
    kindle.cleanup()                                  # ends what it started, by pid

What is real: the scripts, run by busybox ash when busybox is installed (the Kindle's
shell; else /bin/sh), with the busybox applets a Kindle has (TOOLS) and nothing else
on PATH; Python, but started as `python3 -I -S` through a wrapper at
ROOT/python3/bin/python3.9 (where NiLuJe's package puts it), so it sees the standard
library and the zip alone; install_pythons() lays out other Kindles' Pythons instead
(pithon (HF)'s python3.14, or several at once) as wrappers that leave out -I, so the
scripts' own -I is what isolates the server. What is fake: lipc-set-prop,
lipc-get-prop, eips, iptables, ifconfig and ip. They record their calls in ROOT/../fake/calls (a tab between
arguments), keep lipc properties and iptables rules as files under ROOT/../fake/state,
and report the Wi-Fi address as 127.0.0.2 (a loopback address: no test traffic may
leave the machine).
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from testkit.ports import free_port  # the repo root is on sys.path (tests/conftest.py, tools/kindle_box.py, bench/arm_start.py)

from testkit import ROOT as REPO  # noqa: E402
WIFI_ADDRESS = "127.0.0.2"
EXT_REL = os.path.join("extensions", "kindlechat")

# What the scripts may call beyond the shell's builtins: busybox applets that every
# Kindle firmware has. A script that needs more fails here before it fails on a Kindle.
TOOLS = ("sh", "cat", "cut", "date", "dirname", "env", "grep", "head", "mkdir", "mv", "rm", "sort",
         "sed", "sleep", "tail", "tr", "ls", "wc", "basename", "true", "false")

_RECORD = r'''#!/bin/sh
# Fake Kindle tool: records its call (tab-separated) and the library path it got.
{ printf '%s' "${0##*/}"; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } >>"$KINDLE_FAKE/calls"
printf '%s\t%s\n' "${0##*/}" "${LD_LIBRARY_PATH-}" >>"$KINDLE_FAKE/ld_library_path"
'''

FAKES = {
    # lipc-set-prop PUBLISHER PROPERTY VALUE: remembered for lipc-get-prop.
    "lipc-set-prop": _RECORD + r'''
[ $# -ge 3 ] || { echo "usage: lipc-set-prop PUB PROP VALUE" >&2; exit 1; }
printf '%s\n' "$3" >"$KINDLE_FAKE/state/$1.$2"
''',
    "lipc-get-prop": _RECORD + r'''
case "$1 $2" in
    "com.lab126.wifid cmState") echo CONNECTED ;;
    *) cat "$KINDLE_FAKE/state/$1.$2" 2>/dev/null || echo 0 ;;
esac
''',
    "eips": _RECORD + r'''
[ "$1" = -c ] || printf '%s\t%s\n' "$2" "$3" >>"$KINDLE_FAKE/screen"
''',
    # iptables -A|-D|-C CHAIN RULE...: the rules live in state/iptables, one a line.
    "iptables": _RECORD + r'''
rules=$KINDLE_FAKE/state/iptables
: >>"$rules"
op=$1; shift
rule="$*"
case $op in
    -A|-I) printf '%s\n' "$rule" >>"$rules" ;;
    -D|-C)
        grep -qxF "$rule" "$rules" || { echo "iptables: Bad rule (does a matching rule exist in that chain?)." >&2; exit 1; }
        if [ "$op" = -D ]; then
            awk -v r="$rule" 'done || $0 != r { print; next } { done = 1 }' "$rules" >"$rules.new"
            mv "$rules.new" "$rules"
        fi ;;
    -L|-S) cat "$rules" ;;
    *) echo "fake iptables: $op not emulated" >&2; exit 2 ;;
esac
''',
    "ifconfig": _RECORD + r'''
[ "$1" = "${KINDLE_FAKE_WIFI_IF:-wlan0}" ] || { echo "ifconfig: $1: error fetching interface information: Device not found" >&2; exit 1; }
[ -n "$KINDLE_FAKE_WIFI_IP" ] || { printf 'wlan0     Link encap:Ethernet  HWaddr 00:11:22:33:44:55\n          UP BROADCAST MULTICAST  MTU:1500  Metric:1\n'; exit 0; }
printf 'wlan0     Link encap:Ethernet  HWaddr 00:11:22:33:44:55\n'
printf '          inet addr:%s  Bcast:127.255.255.255  Mask:255.0.0.0\n' "$KINDLE_FAKE_WIFI_IP"
printf '          inet6 addr: fe80::211:22ff:fe33:4455/64 Scope:Link\n'
printf '          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n'
''',
    "ip": _RECORD + r'''
[ -n "$KINDLE_FAKE_WIFI_IP" ] || exit 0
printf '3: wlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n    inet %s/8 brd 127.255.255.255 scope global wlan0\n' "$KINDLE_FAKE_WIFI_IP"
''',
}


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def python_wrapper(python, flags):
    """A sh script standing in for a Kindle's python3.N: runs `python FLAGS... "$@"`."""
    return ('#!/bin/sh\n'
            '# A fake Kindle Python: notes its name, then runs a real one.\n'
            '[ -z "${KINDLE_FAKE-}" ] || echo "${0##*/}" >>"$KINDLE_FAKE/pythons"\n'
            'KINDLE_FAKE_PYTHON=${0##*/}\nexport KINDLE_FAKE_PYTHON\n'
            'exec "%s" %s "$@"\n' % (python, " ".join(flags)))


def cpythons():
    """{(3, N): path} of the CPythons 3.9+ on this machine: pyenv's versions, python3.N
    on PATH, and the one running the tests. Looked for, never assumed."""
    found = {}
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    paths = sorted(glob.glob(os.path.join(pyenv, "versions", "*", "bin", "python3.*")))
    paths += [shutil.which("python3.%d" % n) for n in range(9, 30)] + [sys.executable]
    for path in paths:
        if not path or not re.search(r"python3(\.\d+)?$", path) or not os.path.isfile(path):
            continue
        out = subprocess.run([path, "-I", "-S", "-c", "import sys; print(sys.implementation.name, "
                              "*sys.version_info[:2], int(getattr(sys, '_is_gil_enabled', lambda: 1)()))"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                             timeout=60)
        words = out.stdout.split()
        if out.returncode == 0 and len(words) == 4 and words[0] == "cpython" and words[3] == "1":
            version = (int(words[1]), int(words[2]))
            if version >= (3, 9):
                found.setdefault(version, path)
    return found


_BUILT = {}


def built_zip(tmp_path_factory):
    """The zip that `python3 build.py --out DIR` makes, built once per test session."""
    if "zip" not in _BUILT:
        out = tmp_path_factory.mktemp("dist")
        result = subprocess.run([sys.executable, os.path.join(REPO, "build.py"), "--out", str(out)],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=600)
        if result.returncode != 0:
            raise AssertionError("build.py failed:\n" + result.stdout)
        names = [n for n in os.listdir(str(out)) if n.endswith(".zip")]
        assert len(names) == 1, names
        _BUILT["zip"] = os.path.join(str(out), names[0])
        _BUILT["output"] = result.stdout
    return _BUILT["zip"]


def build_output():
    """What the session's build printed."""
    return _BUILT.get("output", "")


def busybox():
    return shutil.which("busybox")


class Kindle(object):
    """One emulated Kindle in base (a tmp folder): base/mnt_us is its /mnt/us."""

    def __init__(self, base, zip_path, python=sys.executable, port=None):
        self.base = str(base)
        self.root = os.path.join(self.base, "mnt_us")
        self.ext = os.path.join(self.root, EXT_REL)
        self.data = os.path.join(self.root, "kindlechat")
        self.fake = os.path.join(self.base, "fake")
        self.fakes_bin = os.path.join(self.fake, "bin")
        self.tools_bin = os.path.join(self.base, "tools")
        self.kual_log = os.path.join(self.base, "var_tmp", "KUAL.log")
        self.port = port or free_port()
        self.python = python
        self.extra_path = []
        self.started = []      # pids of servers seen, for cleanup
        os.makedirs(self.root)
        os.makedirs(os.path.join(self.fake, "state"))
        os.makedirs(os.path.dirname(self.kual_log))
        self.unzip(zip_path)
        self._install_fakes()
        self._install_tools()
        self.install_python()

    # --- setting up ---------------------------------------------------------

    def unzip(self, zip_path):
        """Unzip at the root, as a user does (also how an upgrade goes)."""
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(self.root)

    def _install_fakes(self):
        for name, text in FAKES.items():
            _write(os.path.join(self.fakes_bin, name), text, 0o755)

    def _install_tools(self):
        os.makedirs(self.tools_bin)
        bb = busybox()
        for tool in TOOLS:
            target = bb if bb else shutil.which(tool)
            if tool == "sh" and not bb:
                target = "/bin/sh"
            if target:
                os.symlink(target, os.path.join(self.tools_bin, tool))
        # awk is for the fake iptables only, not for the scripts.
        awk = bb or shutil.which("awk")
        os.symlink(awk, os.path.join(self.fakes_bin, "awk"))

    @property
    def shell(self):
        return os.path.join(self.tools_bin, "sh")

    def python_wrapper_text(self):
        return '#!/bin/sh\nexec "%s" -I -S "$@"\n' % self.python

    def install_python(self):
        """NiLuJe's layout: python3/bin/python3.9 (here a wrapper), python3/lib, and a
        python3.9-config that the scripts must not take for Python."""
        bindir = os.path.join(self.root, "python3", "bin")
        _write(os.path.join(bindir, "python3.9"), self.python_wrapper_text(), 0o755)
        _write(os.path.join(bindir, "python3.9-config"), "#!/bin/sh\necho not python >&2\nexit 1\n", 0o755)
        os.makedirs(os.path.join(self.root, "python3", "lib"), exist_ok=True)

    def install_pythons(self, names, python=None, flags=("-S",), broken=()):
        """Pythons by name in ROOT/python3/bin, as NiLuJe's (python3.9) and pithon (HF)
        (python3.14, with pip3.14 and python3.14-config beside it) lay them out: each a
        wrapper that notes its name in ROOT/../fake/pythons and in the environment
        (KINDLE_FAKE_PYTHON) of what it runs, then runs `python FLAGS...`. The default
        flags leave out -I, so the scripts' own -I is what isolates the server. A name
        in broken fails at once the way a hard-float build does on a soft-float Kindle."""
        bindir = os.path.join(self.root, "python3", "bin")
        os.makedirs(os.path.join(self.root, "python3", "lib"), exist_ok=True)
        for name in names:
            if name in broken:
                text = ('#!/bin/sh\n[ -z "${KINDLE_FAKE-}" ] || echo "${0##*/}" >>"$KINDLE_FAKE/pythons"\n'
                        'echo "$0: cannot execute binary file: Exec format error" >&2\nexit 126\n')
            else:
                text = python_wrapper(python or self.python, flags)
            _write(os.path.join(bindir, name), text, 0o755)
            minor = name[len("python"):]
            for extra in ("pip" + minor, name + "-config"):
                _write(os.path.join(bindir, extra), "#!/bin/sh\necho not python >&2\nexit 1\n", 0o755)
            os.makedirs(os.path.join(self.root, "python3", "lib", name), exist_ok=True)

    def pythons_run(self):
        """The names of the ROOT/python3/bin Pythons started so far, in order."""
        return self.read(os.path.join(self.fake, "pythons")).split()

    def remove_python(self):
        shutil.rmtree(os.path.join(self.root, "python3"))

    def python_on_path(self):
        """Put a `python3` (the same wrapper) on PATH instead of in ROOT/python3."""
        bindir = os.path.join(self.base, "usr_bin")
        _write(os.path.join(bindir, "python3"), self.python_wrapper_text(), 0o755)
        self.extra_path.append(bindir)

    # --- running ------------------------------------------------------------

    def env(self, **extra):
        env = {
            "PATH": os.pathsep.join([self.fakes_bin] + self.extra_path + [self.tools_bin]),
            "HOME": self.base,
            "LANG": "C",
            "KINDLECHAT_MNT_US": self.root,
            "KINDLECHAT_PORT": str(self.port),
            "KINDLECHAT_DEMO_TPS": "400",
            "KINDLECHAT_DEMO_FIRST_MS": "20",
            "KINDLE_FAKE": self.fake,
            "KINDLE_FAKE_WIFI_IP": WIFI_ADDRESS,
        }
        env.update(extra)
        return env

    def menu_item(self, name):
        with open(os.path.join(self.ext, "menu.json")) as f:
            menu = json.load(f)

        def walk(items):
            for item in items:
                if item.get("name") == name and "action" in item:
                    return item
                found = walk(item.get("items", []))
                if found:
                    return found
            return None

        item = walk(menu["items"])
        if item is None:
            raise KeyError("no menu entry named %r" % name)
        return item

    def run_menu(self, name, timeout=150, **env):
        """Run a menu entry the way KUAL does: `{ ACTION PARAMS ; } 2>>KUAL.log` under
        the shell, from the extension folder. (KUAL adds `&`; here we wait for it.)
        The action's /bin/sh becomes the emulated Kindle's shell."""
        item = self.menu_item(name)
        action = item["action"]
        if action.startswith("/bin/sh "):
            action = self.shell + action[len("/bin/sh"):]
        command = "{ %s %s ; } 2>>%s" % (action, item.get("params", ""), self.kual_log)
        result = subprocess.run([self.shell, "-c", command], cwd=self.ext, env=self.env(**env),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True, timeout=timeout)
        pid = self.server_pid()
        if pid and pid not in self.started:
            self.started.append(pid)
        return result

    def start(self, mode="local", **env):
        name = "Start on the Wi-Fi address (new browser)" if mode == "wifi" else "Start and open the chat"
        result = self.run_menu(name, **env)
        assert result.returncode == 0, self.explain(result)
        return result

    def stop(self):
        result = self.run_menu("Stop")
        assert result.returncode == 0, self.explain(result)
        return result

    def explain(self, result):
        return "exit %s\n--- output\n%s\n--- log\n%s\n--- KUAL.log\n%s" % (
            result.returncode, result.stdout, self.read(os.path.join(self.data, "kindlechat.log")),
            self.read(self.kual_log))

    # --- looking ------------------------------------------------------------

    @staticmethod
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""

    def calls(self, tool=None):
        """[[tool, arg, ...]] in call order."""
        lines = self.read(os.path.join(self.fake, "calls")).splitlines()
        calls = [line.split("\t") for line in lines if line]
        return [c for c in calls if tool is None or c[0] == tool]

    def screen(self):
        """The text lines drawn with eips, in order."""
        return [line.split("\t", 1)[1].strip() for line in self.read(os.path.join(self.fake, "screen")).splitlines()]

    def prop(self, publisher, name):
        return self.read(os.path.join(self.fake, "state", "%s.%s" % (publisher, name))).strip()

    def iptables_rules(self):
        return [r for r in self.read(os.path.join(self.fake, "state", "iptables")).splitlines() if r]

    def opened_urls(self):
        """The URLs the scripts asked the browser to open."""
        prefix = "app://com.lab126.browser?view="
        return [c[3][len(prefix):] for c in self.calls("lipc-set-prop")
                if c[1:3] == ["com.lab126.appmgrd", "start"] and c[3].startswith(prefix)]

    def server_pid(self):
        text = self.read(os.path.join(self.data, "run", "server.pid")).strip()
        return int(text) if text.isdigit() else None

    @staticmethod
    def alive(pid):
        """True while pid runs and is not a zombie."""
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    def wait_gone(self, pid, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive(pid):
                return True
            time.sleep(0.1)
        return False

    def our_processes(self):
        """Pids of the processes that run something from this emulated Kindle."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    cmdline = f.read().decode("utf-8", "replace")
            except OSError:
                continue
            if self.root in cmdline and int(entry) != os.getpid():
                pids.append(int(entry))
        return pids

    def servers(self):
        launcher = os.path.join(self.ext, "bin", "launcher.py")
        found = []
        for pid in self.our_processes():
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    args = f.read().decode("utf-8", "replace").split("\0")
            except OSError:
                continue
            if launcher in args and "serve" in args and self.alive(pid):
                found.append(pid)
        return found

    def process_env(self, pid):
        with open("/proc/%d/environ" % pid, "rb") as f:
            pairs = f.read().decode("utf-8", "replace").split("\0")
        return dict(p.split("=", 1) for p in pairs if "=" in p)

    def cleanup(self):
        """End every process started from this emulated Kindle, by pid."""
        for pid in set(self.started + self.our_processes()):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in self.started:
            self.wait_gone(pid, timeout=5)


def http(url, method="GET", body=None, headers=None, timeout=10):
    """(status, headers, body bytes) of one request, never through a proxy; only to loopback."""
    host = urllib.parse.urlparse(url).hostname
    assert host.startswith("127.") or host == "localhost", "test traffic must stay on loopback: %s" % url
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def wait_done(base, chat_id, index):
    """The reply's last status, long-polled as the page does (through "reconnecting")."""
    offset = 0
    for _ in range(60):
        status, body = http_json("%s/api/chats/%s/messages/%d?from=%d&wait=5" % (base, chat_id, index, offset),
                                 timeout=15)
        assert status == 200, body
        offset = body["next"]
        if body["status"] not in ("streaming", "reconnecting"):
            return body["status"]
    raise AssertionError("the reply did not finish")


def http_json(url, method="GET", body=None, **kw):
    status, headers, raw = http(url, method, body, **kw)
    return status, json.loads(raw.decode("utf-8")) if raw else None


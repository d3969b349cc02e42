#!/usr/bin/env python3
"""Kindle in a box: the built zip, in a folder laid out like /mnt/us, started by its own
KUAL menu action and served by an ARM Python 3.9 under qemu.

    python3 build.py emulate              # the same as: python3 tools/kindle_box.py
    python3 tools/kindle_box.py           # build, unpack, start, print the URL; Ctrl-C stops
    python3 tools/kindle_box.py --wifi    # the Wi-Fi-address entry (127.0.0.2, with a token)
    python3 tools/kindle_box.py --detach  # leave it running; then:
    python3 tools/kindle_box.py stop      # KUAL's "Stop" in the same box
    python3 tools/kindle_box.py status    # KUAL's "Status and log"

What it does, in order:
1. `python3 build.py --out BOX/zip` builds the zip (or --zip takes a built one).
2. The zip is unzipped into BOX/mnt_us (the fake /mnt/us; BOX is dist/kindle-box unless
   --box says otherwise). Chats and settings in BOX/mnt_us/kindlechat survive a new run,
   as they survive an upgrade on a Kindle.
3. BOX/mnt_us/python3/bin/python3.9, where NiLuJe's package puts Python, is a wrapper
   that runs Debian bullseye's armhf python3.9 with `qemu-arm-static -L SYSROOT`
   (tools/armpython.py fetches it once into ~/.cache/kindlechat/armhf-python3.9).
   It passes -I -S, so the server sees the standard library and the zip alone.
4. Fake lipc-set-prop, lipc-get-prop, eips, iptables, ifconfig and ip come first on PATH
   (testkit/kindle_fakes.py, the same emulated Kindle the extension's tests use) and
   record their calls in BOX/fake/calls; the rest of PATH is busybox applets.
5. The menu entry runs the way KUAL runs it: `/bin/sh -c "{ ACTION PARAMS ; }"` from
   the extension folder, with KINDLECHAT_MNT_US=BOX/mnt_us (the one variable only the
   emulation sets; on a Kindle the scripts default to /mnt/us) and KINDLECHAT_PORT.
6. The URL the script asked the Kindle's browser to open (its lipc-set-prop call) is
   printed: open it in a desktop browser.

The server runs in demo mode (the built-in Gemini emulator) unless --no-demo is given
(then it needs an API key, set in the page's settings, and a network).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, REPO)                          # testkit: the emulated Kindle the tests use

import armpython  # noqa: E402
from testkit import kindle_fakes  # noqa: E402
from testkit.kindle_fakes import Kindle  # noqa: E402

DEFAULT_BOX = os.path.join(REPO, "dist", "kindle-box")
DEFAULT_PORT = 8642
STATE = "box.json"
START_LOCAL = "Start and open the chat"
START_WIFI = "Start on the Wi-Fi address (new browser)"
STOP = "Stop"
STATUS = "Status and log"
# Demo pace for a person watching (the tests' Kindle uses a fast one).
HUMAN_DEMO = {"KINDLECHAT_DEMO_TPS": "30", "KINDLECHAT_DEMO_FIRST_MS": "500"}


class ArmKindle(Kindle):
    """testkit/kindle_fakes.Kindle whose Python is the ARM Python 3.9 under qemu."""

    def __init__(self, base, zip_path, arm_cache=None, port=None, arm_argv=None):
        self.arm_argv = arm_argv or armpython.command(arm_cache)
        super().__init__(base, zip_path, python=self.arm_argv[-1], port=port)

    def python_wrapper_text(self):
        qemu, _, root, python = self.arm_argv
        return ("#!/bin/sh\n"
                "# The fake Kindle's Python: Debian bullseye's armhf python3.9 under qemu user\n"
                "# emulation (tools/armpython.py), seeing the standard library alone.\n"
                'exec "%s" -L "%s" "%s" -I -S "$@"\n' % (qemu, root, python))

    @classmethod
    def attach(cls, base):
        """The box a previous run left in base (see save_state), without unpacking again."""
        with open(os.path.join(base, STATE)) as f:
            state = json.load(f)
        self = cls.__new__(cls)
        self.arm_argv = state["arm_argv"]
        self.base = base
        self.root = os.path.join(base, "mnt_us")
        self.ext = os.path.join(self.root, kindle_fakes.EXT_REL)
        self.data = os.path.join(self.root, "kindlechat")
        self.fake = os.path.join(base, "fake")
        self.fakes_bin = os.path.join(self.fake, "bin")
        self.tools_bin = os.path.join(base, "tools")
        self.kual_log = os.path.join(base, "var_tmp", "KUAL.log")
        self.port = state["port"]
        self.python = self.arm_argv[-1]
        self.extra_path = []
        self.started = []
        self.env_extra = state.get("env", {})
        return self

    def save_state(self, env_extra):
        with open(os.path.join(self.base, STATE), "w") as f:
            json.dump({"port": self.port, "arm_argv": self.arm_argv, "env": env_extra}, f, indent=1)

    def server_cpu_seconds(self, pid=None):
        """user + system CPU seconds of the server process so far (from /proc)."""
        pid = pid or self.server_pid()
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))

    def server_is_arm(self, pid=None):
        """True when the server process is qemu running the sysroot's python3.9."""
        pid = pid or self.server_pid()
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().decode("utf-8", "replace").split("\0")
        return args[:4] == list(self.arm_argv)


def build_zip(out_dir):
    """`python3 build.py --out out_dir`; returns the zip's path."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    r = subprocess.run([sys.executable, os.path.join(REPO, "build.py"), "--out", out_dir],
                       cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        raise SystemExit("kindle_box: build.py failed")
    zips = [n for n in os.listdir(out_dir) if n.endswith(".zip")]
    if len(zips) != 1:
        raise SystemExit("kindle_box: build.py made %r in %s" % (zips, out_dir))
    return os.path.join(out_dir, zips[0])


def port_free(port):
    import socket
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def fresh_box(box, zip_path, port, arm_argv):
    """A new box in `box`, keeping the data folder of the one before (as an upgrade does)."""
    keep = os.path.join(box + ".data-%d" % os.getpid())
    data = os.path.join(box, "mnt_us", "kindlechat")
    if os.path.isdir(data):
        shutil.rmtree(os.path.join(data, "run"), ignore_errors=True)
        os.rename(data, keep)
    if os.path.isdir(box):
        shutil.rmtree(box)
    os.makedirs(box)
    k = ArmKindle(box, zip_path, port=port, arm_argv=arm_argv)
    if os.path.isdir(keep):
        os.rename(keep, k.data)
    return k


def running_box(box):
    """The box in `box` if a server started from it still runs, else None."""
    if not os.path.exists(os.path.join(box, STATE)):
        return None
    k = ArmKindle.attach(box)
    pid = k.server_pid()
    return k if pid and k.alive(pid) else None


def show(result):
    out = result.stdout.strip()
    if out:
        print("\n".join("  | " + line for line in out.splitlines()))


def cmd_start(a):
    box = os.path.abspath(a.box)
    old = running_box(box)
    if old:
        print("kindle_box: a server from %s runs already (pid %s): stopping it first"
              % (box, old.server_pid()))
        show(old.run_menu(STOP, **old.env_extra))
    try:
        wrapper = armpython.ensure(log=lambda m: print(m, flush=True))
    except armpython.Unavailable as e:
        print("kindle_box: no ARM Python: %s" % e, file=sys.stderr)
        return 1
    arm_argv = armpython.command()
    info = armpython.check(wrapper)
    print("kindle_box: ARM Python %s (%s, %s) under %s" % (
        info["version"], info["machine"], info["openssl"], arm_argv[0]))
    zip_path = os.path.abspath(a.zip) if a.zip else build_zip(os.path.join(box + "-zip"))
    port = a.port
    if not port_free(port):
        port = kindle_fakes.free_port()
        print("kindle_box: port %d is taken: using %d" % (a.port, port))
    k = fresh_box(box, zip_path, port, arm_argv)
    # The demo's pace: a person's (30 tokens/s), unless the caller's environment sets it.
    env = {k: os.environ.get(k, v) for k, v in HUMAN_DEMO.items()}
    env.update({"KINDLECHAT_DEMO": "1" if a.demo else "0"})
    if not a.demo and os.environ.get("GEMINI_API_KEY"):
        env["GEMINI_API_KEY"] = os.environ["GEMINI_API_KEY"]
    k.save_state(env)
    entry = START_WIFI if a.wifi else START_LOCAL
    print("kindle_box: fake /mnt/us is %s" % k.root)
    print("kindle_box: KUAL > KindleChat > %s ..." % entry, flush=True)
    t0 = time.time()
    result = k.run_menu(entry, **env)
    show(result)
    if result.returncode != 0 or not k.server_pid():
        print("kindle_box: the start action failed (exit %s)\n%s" % (result.returncode, k.explain(result)))
        return 1
    urls = k.opened_urls()
    url = urls[-1] if urls else "http://127.0.0.1:%d/" % k.port
    pid = k.server_pid()
    print("kindle_box: started in %.1f s; server pid %d %s" % (
        time.time() - t0, pid, "(ARM Python under qemu)" if k.server_is_arm(pid) else "(NOT the ARM Python!)"))
    print("kindle_box: fake Kindle calls: %s" % os.path.join(k.fake, "calls"))
    print("kindle_box: server log: %s" % os.path.join(k.data, "kindlechat.log"))
    print("\nOpen in a desktop browser:\n\n    %s\n" % url, flush=True)
    if a.detach:
        print("It keeps running. Stop it with: python3 %s stop%s" % (
            os.path.relpath(os.path.abspath(__file__)), "" if box == DEFAULT_BOX else " --box " + box))
        return 0
    print("Ctrl-C stops it (KUAL's Stop).", flush=True)
    # Ctrl-C, kill and a closed terminal all run KUAL's Stop (even where the starting
    # shell had SIGINT ignored, as it is for `cmd &` in a script).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        seen = 0
        while k.alive(pid):
            time.sleep(1)
            seen = show_screensaver(k, seen)
        print("kindle_box: the server ended by itself; the log ends:")
        print(k.read(os.path.join(k.data, "kindlechat.log"))[-2000:])
        return 1
    except KeyboardInterrupt:
        print("\nkindle_box: KUAL > KindleChat > Stop ...", flush=True)
        show(k.run_menu(STOP, **env))
        return 0


def show_screensaver(k, seen):
    """Print the screensaver calls made since the first seen ones (issue 25: the
    server keeps it away only while a reply streams); returns how many there are."""
    calls = [c for c in k.calls("lipc-set-prop") if c[1:3] == ["com.lab126.powerd", "preventScreenSaver"]]
    for call in calls[seen:]:
        print("kindle_box: %s  (screensaver %s)" % (" ".join(call), "kept away" if call[3] == "1" else "allowed"),
              flush=True)
    return len(calls)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_entry(a, entry):
    box = os.path.abspath(a.box)
    if not os.path.exists(os.path.join(box, STATE)):
        print("kindle_box: no box in %s (start one first)" % box)
        return 1
    k = ArmKindle.attach(box)
    result = k.run_menu(entry, **k.env_extra)
    show(result)
    return result.returncode


def main(argv=None):
    ap = argparse.ArgumentParser(prog="kindle_box.py", description=__doc__.split("\n\n")[0],
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", nargs="?", default="start", choices=("start", "stop", "status"))
    ap.add_argument("--box", default=DEFAULT_BOX, help="the box folder (default dist/kindle-box)")
    ap.add_argument("--zip", help="use this built zip instead of building one")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    ap.add_argument("--wifi", action="store_true", help="use the Wi-Fi-address menu entry")
    ap.add_argument("--detach", action="store_true", help="return once it serves; `stop` ends it")
    ap.add_argument("--no-demo", dest="demo", action="store_false",
                    help="talk to the real Gemini (API key from GEMINI_API_KEY or the page)")
    a = ap.parse_args(argv)
    if a.action == "stop":
        return cmd_entry(a, STOP)
    if a.action == "status":
        return cmd_entry(a, STATUS)
    return cmd_start(a)


if __name__ == "__main__":
    sys.exit(main())

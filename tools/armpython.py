#!/usr/bin/env python3
"""An ARM Python 3.9 (Debian 11 "bullseye", armhf) run under qemu user emulation.

    python3 tools/armpython.py            # fetch once (cached), print the wrapper's path
    python3 tools/armpython.py --check    # ... and run it: version, machine, OpenSSL
    python3 tools/armpython.py --where    # print the cache folder and stop

The Kindle's Python is NiLuJe's ARM build of CPython 3.9. The nearest thing a desktop can
run is Debian bullseye's python3.9 for armhf, started by `qemu-arm-static -L <sysroot>`.

How it is fetched (once; later calls only check a stamp):
- apt-get with a sources list, state and cache folders and an empty dpkg status of its
  own, inside the cache folder (`-o Dir::Etc::SourceList=... -o Dir::State=... -o
  APT::Architecture=armhf ...`): nothing in the machine's apt setup is read for sources
  or changed. The mirror host is the one the machine's own /etc/apt sources name for
  Debian (deb.debian.org when none is found; KINDLECHAT_DEBIAN_MIRROR overrides it), with
  suite bullseye. The index is checked against Debian's archive keyring
  (/usr/share/keyrings/debian-archive-keyring.gpg); every .deb against the index.
- The packages are resolved from the roots below by following Depends/Pre-Depends
  (first alternative), leaving out packaging machinery (dpkg, debconf, perl, ...) that a
  Python process never loads. `apt-get download` fetches them; `dpkg-deb -x` unpacks
  them into `<cache>/root`; absolute symlinks are made relative so they resolve inside
  the sysroot.
- `<cache>/bin/python3.9` is a small sh wrapper:
  `exec qemu-arm-static -L <cache>/root <cache>/root/usr/bin/python3.9 "$@"`.
  It execs, so the pid seen by a caller is the emulated interpreter's.

The cache folder is `$KINDLECHAT_ARM_CACHE`, else `$XDG_CACHE_HOME/kindlechat/armhf-python3.9`,
else `~/.cache/kindlechat/armhf-python3.9` (outside the repo). It is built in a temporary
folder beside it and renamed into place, under a lock, so an interrupted or concurrent
fetch never leaves a half-made interpreter.

qemu-user-static is a Debian package (listed in .ci/apt-packages.txt); when missing and
we are root, `ensure()` installs it with apt-get (the only thing installed system-wide).

Importable: `ensure()` returns the wrapper path or raises `Unavailable` with a message
saying why (no qemu, no network, ...), which tests turn into a skip.
"""
import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SUITE = "bullseye"
ARCH = "armhf"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# What `import ssl, json, socket, threading, zlib, hashlib, sqlite3, ...` needs:
# the interpreter (python3.9-minimal, libpython3.9-minimal) and the rest of the stdlib
# (libpython3.9-stdlib: ssl, _hashlib, zlib users, ctypes, sqlite3, ...), with their
# shared libraries (libc6, libssl1.1, zlib1g, libffi7, libexpat1, libbz2, liblzma, ...).
ROOTS = ("python3.9-minimal", "libpython3.9-minimal", "libpython3.9-stdlib")
# Never unpacked: package-management machinery and data a Python process does not load.
# A dependency group (a | b) whose first alternative is here is dropped whole.
SKIP = {
    "debconf", "debconf-2.0", "cdebconf", "dpkg", "tar", "install-info", "perl",
    "perl-base", "perl-modules-5.32", "libperl5.32", "tzdata", "mime-support",
    "media-types", "mailcap", "readline-common", "lsb-base", "sensible-utils",
}
# Bump when the recipe changes: a cache made by another recipe is made again.
RECIPE = 2
# Folders that Debian's site.py adds to sys.path. They are made (empty) in the sysroot:
# qemu -L looks a path up in the sysroot first and falls back to the host's, so without
# them a Python started without -S would see the host's own dist-packages.
EMPTY_DIRS = ("usr/lib/python3/dist-packages", "usr/lib/python3.9/site-packages",
              "usr/local/lib/python3.9/dist-packages", "usr/local/lib/python3.9/site-packages",
              "usr/lib/python3.9/dist-packages")


class Unavailable(RuntimeError):
    """The ARM Python cannot be had on this machine; the message says why."""


def cache_dir():
    d = os.environ.get("KINDLECHAT_ARM_CACHE")
    if d:
        return os.path.abspath(d)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kindlechat", "armhf-python3.9")


def wrapper_path(cache=None):
    return os.path.join(cache or cache_dir(), "bin", "python3.9")


def sysroot(cache=None):
    return os.path.join(cache or cache_dir(), "root")


# ---------------------------------------------------------------- qemu

def find_qemu():
    """Path of qemu-arm-static (or qemu-arm), or None."""
    for name in ("qemu-arm-static", "qemu-arm"):
        p = shutil.which(name)
        if p:
            return p
    return None


def ensure_qemu(install=True, log=None):
    """qemu-arm-static's path; installs Debian's qemu-user-static when missing and root."""
    q = find_qemu()
    if q:
        return q
    if not install:
        raise Unavailable("qemu-arm-static is not installed (apt-get install qemu-user-static)")
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Unavailable("qemu-arm-static is not installed and cannot be installed here "
                          "(needs root and apt-get: apt-get install qemu-user-static)")
    _log(log, "armpython: installing qemu-user-static with apt-get ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "qemu-user-static"]
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        # The package lists may be empty on a fresh machine: update once and try again.
        subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    q = find_qemu()
    if not q:
        tail = r.stdout.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise Unavailable("could not install qemu-user-static: " + " / ".join(tail))
    return q


# ---------------------------------------------------------------- apt, on its own folders

def debian_mirror():
    """The Debian mirror the machine's own apt sources use (not the security one)."""
    env = os.environ.get("KINDLECHAT_DEBIAN_MIRROR")
    if env:
        return env.rstrip("/")
    uris = []
    files = ["/etc/apt/sources.list"]
    d = "/etc/apt/sources.list.d"
    if os.path.isdir(d):
        files += [os.path.join(d, f) for f in sorted(os.listdir(d))
                  if f.endswith((".list", ".sources"))]
    for path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("#"):
                continue
            m = re.match(r"URIs:\s*(.+)", line, re.I)
            if m:
                uris += m.group(1).split()
                continue
            m = re.match(r"deb\s+(?:\[[^\]]*\]\s+)?(\S+)", line)
            if m:
                uris.append(m.group(1))
    for u in uris:
        u = u.rstrip("/")
        if u.endswith("/debian") and "security" not in u:
            return u
    return DEFAULT_MIRROR


class Apt:
    """apt-get / apt-cache with every folder of their own under `base`."""

    def __init__(self, base, mirror):
        self.base = base
        self.etc = os.path.join(base, "etc")
        self.state = os.path.join(base, "state")
        self.cache = os.path.join(base, "cache")
        for d in (self.etc, os.path.join(self.state, "lists", "partial"),
                  os.path.join(self.cache, "archives", "partial")):
            os.makedirs(d, exist_ok=True)
        self.sources = os.path.join(self.etc, "sources.list")
        if os.path.exists(KEYRING):
            opts = "arch=%s signed-by=%s" % (ARCH, KEYRING)
            self.trusted = False
        else:
            # No Debian archive keyring on this machine (not a Debian host?): the index
            # cannot be checked. Said loudly; the .debs are still checked against it.
            opts = "arch=%s trusted=yes" % ARCH
            self.trusted = True
        with open(self.sources, "w") as f:
            f.write("deb [%s] %s %s main\n" % (opts, mirror, SUITE))
        self.status = os.path.join(self.state, "status")
        open(self.status, "a").close()
        self.opts = [
            "-o", "Dir::Etc::SourceList=" + self.sources,
            "-o", "Dir::Etc::SourceParts=" + os.path.join(self.etc, "sources.list.d"),
            "-o", "Dir::Etc::Preferences=" + os.path.join(self.etc, "preferences"),
            "-o", "Dir::Etc::PreferencesParts=" + os.path.join(self.etc, "preferences.d"),
            "-o", "Dir::State=" + self.state,
            "-o", "Dir::State::status=" + self.status,
            "-o", "Dir::Cache=" + self.cache,
            "-o", "Dir::Cache::pkgcache=" + os.path.join(self.cache, "pkgcache.bin"),
            "-o", "Dir::Cache::srcpkgcache=" + os.path.join(self.cache, "srcpkgcache.bin"),
            "-o", "APT::Architecture=" + ARCH,
            "-o", "APT::Architectures::=" + ARCH,
            "-o", "Debug::NoLocking=1",
            "-o", "Acquire::Languages=none",
            "-o", "Acquire::Retries=3",
            "-o", "Acquire::http::Timeout=30",
        ]

    def run(self, tool, *args, cwd=None):
        cmd = [tool] + self.opts + list(args)
        r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode != 0 or re.search(r"^(E|Err):", err + out, re.M):
            lines = [l for l in (err + out).splitlines() if l.startswith(("E:", "Err", " "))]
            raise Unavailable("%s %s failed: %s" % (
                tool, args[0] if args else "", " / ".join(lines[-4:]) or "exit %d" % r.returncode))
        return out

    def update(self):
        self.run("apt-get", "-q", "update")

    def show(self, names):
        """{name: {field: value}} for the candidate version of each name that is a real package."""
        out = {}
        # apt-cache show fails as a whole on an unknown name: ask for known names only.
        known = set(self.run("apt-cache", "pkgnames").split())
        real = [n for n in names if n in known]
        if not real:
            return out
        text = self.run("apt-cache", "show", "--no-all-versions", *real)
        for stanza in text.split("\n\n"):
            fields, key = {}, None
            for line in stanza.splitlines():
                if line[:1] in (" ", "\t") and key:
                    fields[key] += "\n" + line.strip()
                elif ":" in line:
                    key, _, val = line.partition(":")
                    fields[key] = val.strip()
            if "Package" in fields:
                out.setdefault(fields["Package"], fields)
        return out

    def resolve(self, roots, skip):
        """The closure of roots over Depends + Pre-Depends: {name: version}."""
        chosen, todo, missing = {}, list(roots), set()
        while todo:
            batch = [n for n in dict.fromkeys(todo) if n not in chosen and n not in missing]
            todo = []
            if not batch:
                break
            info = self.show(batch)
            for name in batch:
                if name not in info:
                    missing.add(name)
                    continue
                f = info[name]
                chosen[name] = f["Version"]
                deps = ", ".join(x for x in (f.get("Pre-Depends"), f.get("Depends")) if x)
                for group in filter(None, (g.strip() for g in deps.split(","))):
                    alts = [re.split(r"[\s(:]", a.strip(), 1)[0] for a in group.split("|")]
                    if alts[0] in skip:
                        continue
                    todo.append(alts[0])
        missing -= set(skip)
        if set(roots) & missing:
            raise Unavailable("%s not found in Debian %s/%s" % (
                ", ".join(sorted(set(roots) & missing)), SUITE, ARCH))
        return chosen, sorted(missing)

    def download(self, pkgs, dest):
        os.makedirs(dest, exist_ok=True)
        self.run("apt-get", "-q", "download", *["%s=%s" % kv for kv in sorted(pkgs.items())],
                 cwd=dest)


# ---------------------------------------------------------------- unpacking

def relink_absolute(root):
    """Make absolute symlinks relative, so they resolve inside the sysroot, not on the host."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                target = os.readlink(p)
                if target.startswith("/"):
                    new = os.path.relpath(os.path.join(root, target.lstrip("/")), dirpath)
                    os.unlink(p)
                    os.symlink(new, p)


WRAPPER = """#!/bin/sh
# KindleChat's ARM Python 3.9: Debian {suite} armhf python3.9 under qemu user emulation.
# Made by tools/armpython.py; the sysroot is {root}.
exec "{qemu}" -L "{root}" "{root}/usr/bin/python3.9" "$@"
"""


def command(cache=None, qemu=None):
    """The argv prefix that runs the ARM python3.9: [qemu, -L, root, root/usr/bin/python3.9].
    Call ensure() first."""
    root = sysroot(cache)
    return [qemu or find_qemu() or "qemu-arm-static", "-L", root,
            os.path.join(root, "usr", "bin", "python3.9")]


def write_wrapper(path, root, qemu):
    """A sh script at `path` that runs the ARM python3.9 of `root` under `qemu`."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(WRAPPER.format(suite=SUITE, root=root, qemu=qemu))
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path


def _log(log, msg):
    if log:
        log(msg)


def _stamp_ok(cache):
    try:
        with open(os.path.join(cache, "manifest.json")) as f:
            m = json.load(f)
        return m.get("recipe") == RECIPE and os.path.exists(
            os.path.join(cache, "root", "usr", "bin", "python3.9"))
    except (OSError, ValueError):
        return False


def fetch(cache, log=None):
    """Make `cache` from nothing: resolve, download, unpack. Returns the manifest."""
    for tool in ("apt-get", "apt-cache", "dpkg-deb"):
        if not shutil.which(tool):
            raise Unavailable("%s not found: the ARM Python is fetched from Debian packages" % tool)
    parent = os.path.dirname(cache)
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".armpython-", dir=parent)
    try:
        t0 = time.time()
        mirror = debian_mirror()
        apt = Apt(os.path.join(work, "apt"), mirror)
        if apt.trusted:
            _log(log, "armpython: WARNING: no %s: the Debian index is NOT signature-checked"
                 % KEYRING)
        _log(log, "armpython: apt-get update (%s %s, %s only) ..." % (mirror, SUITE, ARCH))
        apt.update()
        pkgs, missing = apt.resolve(ROOTS, SKIP)
        _log(log, "armpython: downloading %d packages ..." % len(pkgs))
        debs = os.path.join(work, "debs")
        apt.download(pkgs, debs)
        root = os.path.join(work, "root")
        os.makedirs(root)
        files = sorted(f for f in os.listdir(debs) if f.endswith(".deb"))
        if len(files) != len(pkgs):
            raise Unavailable("expected %d .deb files, got %d" % (len(pkgs), len(files)))
        for f in files:
            subprocess.run(["dpkg-deb", "-x", os.path.join(debs, f), root], check=True)
        relink_absolute(root)
        # The sysroot's own (empty) loader cache, so the ARM loader never reads the host's.
        os.makedirs(os.path.join(root, "etc"), exist_ok=True)
        open(os.path.join(root, "etc", "ld.so.cache"), "wb").close()
        for d in EMPTY_DIRS:
            os.makedirs(os.path.join(root, d), exist_ok=True)
        manifest = {"recipe": RECIPE, "suite": SUITE, "arch": ARCH, "mirror": mirror,
                    "signature_checked": not apt.trusted, "packages": pkgs,
                    "unresolved_virtual": missing, "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "seconds": round(time.time() - t0, 1)}
        with open(os.path.join(work, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
        # Keep only the sysroot and the manifest: the lists and .debs are 20+ MB.
        shutil.rmtree(os.path.join(work, "apt"))
        shutil.rmtree(debs)
        # Paths inside the sysroot must be final ones (the wrapper names them): rename.
        if os.path.exists(cache):
            old = cache + ".old-%d" % os.getpid()
            os.rename(cache, old)
            shutil.rmtree(old, ignore_errors=True)
        os.rename(work, cache)
        work = None
        return manifest
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


def ensure(cache=None, install_qemu=True, log=print):
    """The path of a working wrapper `python3.9`, fetching once. Raises Unavailable."""
    cache = cache or cache_dir()
    qemu = ensure_qemu(install=install_qemu, log=log)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _stamp_ok(cache):
            m = fetch(cache, log=log)
            _log(log, "armpython: %d packages unpacked into %s in %.1f s" % (
                len(m["packages"]), cache, m["seconds"]))
        path = wrapper_path(cache)
        want = WRAPPER.format(suite=SUITE, root=sysroot(cache), qemu=qemu)
        try:
            with open(path) as f:
                same = f.read() == want
        except OSError:
            same = False
        if not same:
            write_wrapper(path, sysroot(cache), qemu)
    return path


CHECK = ("import sys, platform, ssl, json, socket, threading, zlib, hashlib, sqlite3, ctypes;"
         "print(json.dumps({'version': sys.version.split()[0], 'machine': platform.machine(),"
         "'openssl': ssl.OPENSSL_VERSION, 'executable': sys.executable}))")


def check(python):
    """Run the wrapper: {'version', 'machine', 'openssl', 'executable'}."""
    out = subprocess.run([python, "-I", "-c", CHECK], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=120)
    if out.returncode != 0:
        raise Unavailable("the ARM python did not run: " + out.stderr.decode("utf-8", "replace"))
    return json.loads(out.stdout.decode())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", help="cache folder (default %s)" % cache_dir())
    ap.add_argument("--check", action="store_true", help="run it and print what it is")
    ap.add_argument("--where", action="store_true", help="print the cache folder only")
    ap.add_argument("--refetch", action="store_true", help="fetch again even if cached")
    a = ap.parse_args(argv)
    cache = os.path.abspath(a.cache) if a.cache else cache_dir()
    if a.where:
        print(cache)
        return 0
    if a.refetch and os.path.exists(os.path.join(cache, "manifest.json")):
        os.unlink(os.path.join(cache, "manifest.json"))
    try:
        path = ensure(cache, log=lambda m: print(m, file=sys.stderr))
        if a.check:
            info = check(path)
            for k in ("version", "machine", "openssl", "executable"):
                print("%-10s %s" % (k, info[k]), file=sys.stderr)
    except Unavailable as e:
        print("armpython: unavailable: %s" % e, file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build the Kindle zip: dist/kindlechat-<version>.zip.

    python3 build.py                # -> dist/kindlechat-0.1.0.zip, prints its path and size
    python3 build.py --out DIR      # the zip goes to DIR instead
    python3 build.py emulate        # build it and run it in a Kindle in a box (tools/kindle_box.py)

Unzipped at the root of the Kindle's storage (/mnt/us) it lands in extensions/kindlechat/:

    config.xml menu.json bin/    the KUAL extension, from extensions/kindlechat/
    app/kindlechat/              the server, from src/kindlechat/
    www/                         the page, from www/
    vendor/                      bottle, requests and their libraries, from the wheels in vendor.txt,
                                 each with its licence in its .dist-info/
    LICENSE                      KindleChat's own (MIT)
    VERSION

It never holds data: chats, settings and the log live in /mnt/us/kindlechat/ (see
bin/common.sh), so unzipping a new version over an old one keeps them.

The vendored libraries are the pure-Python wheels pinned with their sha256 in
vendor.txt, fetched once by pip into dist/wheels/ (a rebuild needs no network) and
unpacked straight into the zip. Building twice from the same tree gives the same
bytes: entries sorted, one fixed timestamp, fixed permissions, nothing compiled.
"""
import argparse
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "extensions/kindlechat/"
VENDOR_PINS = os.path.join(HERE, "vendor.txt")
WHEELS = os.path.join(HERE, "dist", "wheels")
# Every entry gets this timestamp: the zip's bytes depend on the tree alone.
# (Not 1980-01-01, the zip epoch, which some unzip tools show as a broken date.)
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
SCRIPT_MODE = 0o755     # irrelevant on the Kindle's FAT, but right for a Linux test unpack
SKIP_NAMES = {"__pycache__", ".DS_Store"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".log", ".orig", ".rej", "~")
COMPILED_SUFFIXES = (".so", ".pyd", ".dll", ".dylib", ".pyc", ".pyo", ".c", ".h")
PIP_DOWNLOAD = ["download", "--no-deps", "--only-binary=:all:", "--python-version", "3.9",
                "--implementation", "py", "--abi", "none", "--platform", "any",
                "--require-hashes", "--disable-pip-version-check", "--progress-bar", "off"]


class BuildError(Exception):
    """Something the build needs is missing or wrong; the message says what to do."""


def read_version(root=HERE):
    path = os.path.join(root, "src", "kindlechat", "__init__.py")
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        raise BuildError("%s is missing: run build.py from a KindleChat checkout" % path) from None
    match = re.search(r'''^__version__\s*=\s*["']([^"']+)["']''', text, re.M)
    if not match:
        raise BuildError("%s has no __version__ = \"...\" line" % path)
    return match.group(1)


def read_pins(path=VENDOR_PINS):
    """[(name, version, sha256)] from vendor.txt (`name==version --hash=sha256:HEX`)."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        raise BuildError("%s is missing: it pins the libraries the zip carries" % path) from None
    pins = []
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})$", line)
        if not match:
            raise BuildError("vendor.txt line %d: expected `name==version --hash=sha256:HEX`, got %r"
                             % (number, line))
        pins.append(match.groups())
    if not pins:
        raise BuildError("vendor.txt pins nothing")
    return pins


def normalize(name):
    """A project name as wheel file names spell it (PEP 427/503)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def find_wheel(pin, folder):
    """The wheel in folder matching pin (name, version and hash), or None."""
    name, version, sha = pin
    prefix = "%s-%s-" % (normalize(name), version)
    if not os.path.isdir(folder):
        return None
    for entry in sorted(os.listdir(folder)):
        if entry.lower().startswith(prefix.lower()) and entry.endswith(".whl"):
            path = os.path.join(folder, entry)
            if sha256_of(path) == sha:
                return path
    return None


def fetch_wheels(pins, folder=WHEELS, pins_file=VENDOR_PINS):
    """{name: wheel path}: from folder, after asking pip for whatever is missing."""
    missing = [pin for pin in pins if find_wheel(pin, folder) is None]
    if missing:
        os.makedirs(folder, exist_ok=True)
        print("build.py: fetching %s with pip ..." % ", ".join("%s==%s" % p[:2] for p in missing),
              flush=True)
        command = [sys.executable, "-m", "pip"] + PIP_DOWNLOAD + ["-r", pins_file, "-d", folder]
        try:
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    universal_newlines=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError("could not run pip (%s)" % exc) from None
        if result.returncode != 0:
            tail = "\n".join(result.stdout.strip().splitlines()[-8:])
            if "No module named pip" in result.stdout:
                hint = "pip is missing: install it (Debian: apt install python3-pip)"
            else:
                hint = "pip could not fetch them (is PyPI reachable? do the hashes in vendor.txt match?)"
            raise BuildError("%s needs the wheels pinned in vendor.txt; %s. pip said:\n%s\n"
                             "You can also put the wheels into %s by hand." % (
                                 os.path.basename(__file__), hint, tail, folder))
    wheels = {}
    for pin in pins:
        path = find_wheel(pin, folder)
        if path is None:
            raise BuildError("no wheel for %s==%s with the sha256 of vendor.txt in %s" % (pin[0], pin[1], folder))
        if not path.endswith("-none-any.whl"):
            raise BuildError("%s is not a pure-Python wheel (py3-none-any): the Kindle can't run it"
                             % os.path.basename(path))
        wheels[pin[0]] = path
    return wheels


def wheel_entries(path):
    """[(name inside vendor/, bytes)] of one wheel; fails on anything compiled."""
    entries = []
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            name = info.filename
            if name.endswith("/"):
                continue
            parts = name.split("/")
            if "__pycache__" in parts or name.endswith(COMPILED_SUFFIXES):
                raise BuildError("%s holds %s: only pure-Python wheels can go to the Kindle"
                                 % (os.path.basename(path), name))
            if parts[0].endswith(".data"):
                # Command-line scripts and headers are of no use on the Kindle; library
                # code put there would need installing logic we don't have.
                if len(parts) > 1 and parts[1] in ("purelib", "platlib"):
                    raise BuildError("%s keeps its code in %s: not supported"
                                     % (os.path.basename(path), parts[0] + "/" + parts[1]))
                continue
            entries.append((name, wheel.read(info)))
    return entries


def tree_entries(folder, skip_top=()):
    """[(relative path, bytes)] of the files under folder, minus caches and stray files."""
    if not os.path.isdir(folder):
        raise BuildError("%s is missing" % folder)
    entries = []
    for top, dirs, files in os.walk(folder):
        rel_top = os.path.relpath(top, folder)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_NAMES and not d.startswith(".")
                         and not (rel_top == "." and d in skip_top))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(SKIP_SUFFIXES) or name in SKIP_NAMES:
                continue
            path = os.path.join(top, name)
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            with open(path, "rb") as f:
                entries.append((rel, f.read()))
    return entries


def set_config_version(data, version):
    """config.xml with KUAL's <version> set to the app's version."""
    text, count = re.subn(r"<version>[^<]*</version>", "<version>%s</version>" % version,
                          data.decode("utf-8"), count=1)
    if count != 1:
        raise BuildError("extensions/kindlechat/config.xml has no <version> element")
    return text.encode("utf-8")


def collect(root=HERE, wheels_folder=WHEELS, pins_file=VENDOR_PINS):
    """(version, {path in the zip: bytes}): everything the zip holds."""
    version = read_version(root)
    files = {}

    def add(name, data):
        name = PREFIX + name
        if name in files:
            raise BuildError("two sources for %s in the zip" % name)
        files[name] = data

    ext = os.path.join(root, "extensions", "kindlechat")
    for required in ("config.xml", "menu.json", "bin/start.sh", "bin/launcher.py"):
        if not os.path.isfile(os.path.join(ext, required)):
            raise BuildError("extensions/kindlechat/%s is missing" % required)
    # (data/: never ship a user's chats, should a test or a person have put some there.)
    for rel, data in tree_entries(ext, skip_top=("data",)):
        add(rel, set_config_version(data, version) if rel == "config.xml" else data)
    src = os.path.join(root, "src", "kindlechat")
    for rel, data in tree_entries(src):
        add("app/kindlechat/" + rel, data)
    www = os.path.join(root, "www")
    if not os.path.isfile(os.path.join(www, "index.html")):
        raise BuildError("www/index.html is missing: the zip would have no page")
    for rel, data in tree_entries(www):
        add("www/" + rel, data)
    for name, path in sorted(fetch_wheels(read_pins(pins_file), wheels_folder, pins_file).items()):
        for rel, data in wheel_entries(path):
            add("vendor/" + rel, data)
    # KindleChat's own licence beside the code; each vendored library keeps its own in
    # vendor/<name>.dist-info/, as its wheel has it (MIT, Apache-2.0, BSD, MPL-2.0).
    with open(os.path.join(root, "LICENSE"), "rb") as f:
        add("LICENSE", f.read())
    add("VERSION", (version + "\n").encode("ascii"))
    return version, files


def zip_info(name):
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.create_system = 3      # Unix, so that the permissions below are read
    mode = SCRIPT_MODE if name.endswith(".sh") else FILE_MODE
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(files, path):
    """Write files ({name: bytes}) as a deterministic zip at path, atomically."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            archive.writestr(zip_info(name), files[name], compress_type=zipfile.ZIP_DEFLATED,
                             compresslevel=9)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, path)
    return len(buffer.getvalue())


def build(out_dir=None, root=HERE, wheels_folder=WHEELS):
    """Build the zip; returns its path."""
    version, files = collect(root, wheels_folder)
    path = os.path.join(out_dir or os.path.join(root, "dist"), "kindlechat-%s.zip" % version)
    size = write_zip(files, path)
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    print("%s  %s bytes (%.0f KiB), %d files" % (shown, format(size, ","), size / 1024.0, len(files)))
    return path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["emulate"]:
        # `python3 build.py emulate [...]`: this zip on ARM Python 3.9 under qemu, in a
        # fake /mnt/us, started by its own KUAL action (tools/kindle_box.py, issue 7).
        sys.path.insert(0, os.path.join(HERE, "tools"))
        import kindle_box
        return kindle_box.main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="folder for the zip (default: dist/ beside build.py)")
    args = parser.parse_args(argv)
    try:
        build(args.out)
    except BuildError as exc:
        print("build.py: error: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

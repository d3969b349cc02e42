#!/usr/bin/env python3
"""Developer entry point: the two commands of the README.

    python3 dev.py demo     # desktop emulation: server + built-in Gemini emulator
    python3 dev.py test     # the whole test suite (extra arguments go to pytest)

Both make `.venv` beside this file on first use and install `requirements-dev.txt`
into it, so a fresh machine needs nothing but python3.
"""
import os
import subprocess
import sys
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
REQS = os.path.join(HERE, "requirements-dev.txt")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def ensure_venv(venv_dir=VENV, requirements=REQS):
    """Make venv_dir and install requirements into it, again whenever they (or
    requirements.txt, which they include) changed since the last install. Returns the
    venv's python. bench/run.py uses it too, for bench/.venv."""
    py = os.path.join(venv_dir, "bin", "python")
    stamp = os.path.join(venv_dir, ".requirements")
    wanted = _read(requirements) + _read(os.path.join(HERE, "requirements.txt"))
    if os.path.exists(stamp) and _read(stamp) == wanted:
        return py
    name = os.path.relpath(venv_dir, HERE)
    if not os.path.exists(py):
        print("creating %s ..." % name, flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    print("installing %s into %s ..." % (os.path.relpath(requirements, HERE), name), flush=True)
    subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           "-r", requirements])
    with open(stamp, "wb") as f:
        f.write(wanted)
    return py


def ensure_node_modules():
    """`npm install` the page's check tools (acorn, package.json) when npm is here and
    they are missing or older than package.json; without npm the ES5 tests say so."""
    import shutil
    lock = os.path.join(HERE, "node_modules", ".package-lock.json")
    wanted = os.path.join(HERE, "package.json")
    if not os.path.exists(wanted) or shutil.which("npm") is None:
        return
    if os.path.exists(lock) and os.path.getmtime(lock) >= os.path.getmtime(wanted):
        return
    print("npm install (the page's ES5 check) ...", flush=True)
    subprocess.call(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE)


def main(argv):
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    py = ensure_venv()
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "src"))
    if argv[0] == "demo":
        cmd = [py, "-m", "kindlechat", "--demo"] + argv[1:]
    else:
        ensure_node_modules()
        cmd = [py, "-m", "pytest"] + argv[1:]
    try:
        return subprocess.call(cmd, cwd=HERE, env=env)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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
PY = os.path.join(VENV, "bin", "python")
REQS = os.path.join(HERE, "requirements-dev.txt")
STAMP = os.path.join(VENV, ".requirements")


def ensure_venv():
    """Create .venv and install the requirements when they changed since the last install."""
    with open(REQS, "rb") as f:
        wanted = f.read() + open(os.path.join(HERE, "requirements.txt"), "rb").read()
    if os.path.exists(STAMP) and open(STAMP, "rb").read() == wanted:
        return
    if not os.path.exists(PY):
        print("dev.py: creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing requirements-dev.txt into .venv ...", flush=True)
    subprocess.check_call([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           "-r", REQS])
    with open(STAMP, "wb") as f:
        f.write(wanted)


def main(argv):
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    ensure_venv()
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "src"))
    if argv[0] == "demo":
        cmd = [PY, "-m", "kindlechat", "--demo"] + argv[1:]
    else:
        cmd = [PY, "-m", "pytest"] + argv[1:]
    try:
        return subprocess.call(cmd, cwd=HERE, env=env)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

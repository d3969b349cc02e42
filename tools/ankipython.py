#!/usr/bin/env python3
"""A Python with Anki's own package (PyPI `anki`, the desktop app's library: a Rust
backend in a wheel), in a virtual environment of its own outside the repo, for the
test that opens KindleChat's .apkg with an independent reader
(tests/test_words_anki.py). Never the project's venv: `anki` is large and compiled.

    python3 tools/ankipython.py           # make it once (pip install anki), print its python
    python3 tools/ankipython.py --where   # print where it is (or would be) and stop

The folder is $KINDLECHAT_ANKI_VENV, else $XDG_CACHE_HOME/kindlechat/anki-venv, else
~/.cache/kindlechat/anki-venv. Where no wheel of `anki` fits the machine (its wheels are
for 64-bit Linux, macOS and Windows), the test says so and skips.
"""
import os
import subprocess
import sys


def folder():
    if os.environ.get("KINDLECHAT_ANKI_VENV"):
        return os.environ["KINDLECHAT_ANKI_VENV"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "kindlechat", "anki-venv")


def python():
    """The venv's python, or None when it is not made (or has no anki)."""
    path = os.path.join(folder(), "bin", "python")
    if not os.path.exists(path):
        return None
    ok = subprocess.run([path, "-c", "import anki.collection"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode == 0
    return path if ok else None


def ensure():
    where = folder()
    if python() is None:
        subprocess.run([sys.executable, "-m", "venv", where], check=True)
        subprocess.run([os.path.join(where, "bin", "pip"), "install", "--quiet", "anki"], check=True)
    return python()


if __name__ == "__main__":
    print(folder() if "--where" in sys.argv[1:] else ensure())

"""The server runs on the Kindle's Python: 3.9 syntax and standard library, and imports
nothing but the standard library, bottle and requests."""
import ast
import glob
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = sorted(glob.glob(os.path.join(ROOT, "src", "kindlechat", "*.py")))
ALLOWED = {"bottle", "requests", "urllib3", "kindlechat"}


def test_vermin_says_3_9_is_enough():
    vermin = shutil.which("vermin") or os.path.join(os.path.dirname(sys.executable), "vermin")
    if not os.path.exists(vermin):
        pytest.skip("vermin is not installed (requirements-dev.txt)")
    out = subprocess.run([vermin, "-t=3.9-", "--no-tips", "--violations", "--eval-annotations",
                          "--backport", "dataclasses"] + SOURCES, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_imports_are_stdlib_bottle_and_requests():
    stdlib = set(sys.stdlib_module_names)
    for path in SOURCES:
        tree = ast.parse(open(path, encoding="utf-8").read())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in stdlib or top in ALLOWED, "%s imports %s" % (os.path.basename(path), name)

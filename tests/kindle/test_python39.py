"""The server runs on every Kindle Python, NiLuJe's 3.9 through pithon (HF)'s 3.14: 3.9
syntax and standard library, nothing that 3.12 to 3.14 removed or deprecated, and imports
of nothing but the standard library, bottle and requests. (tests/kindle/test_kindle_pythons.py
runs the built zip on 3.9 and on the newest CPython here, deprecations as errors.)"""
import ast
import glob
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = sorted(glob.glob(os.path.join(ROOT, "src", "kindlechat", "**", "*.py"), recursive=True))
LAUNCHER = os.path.join(ROOT, "extensions", "kindlechat", "bin", "launcher.py")

# Modules that Python 3.12 (PEP 632 and others) and 3.13 (PEP 594) removed.
REMOVED_MODULES = {
    "asynchat", "asyncore", "distutils", "imp", "smtpd",                     # 3.12
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3",  # 3.13
    "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr",
    "spwd", "sunau", "telnetlib", "uu", "xdrlib",
    "sre_compile", "sre_constants", "sre_parse",                             # deprecated 3.11
}
# Names (module.attribute) removed in 3.12 to 3.14, or warning DeprecationWarning there.
REMOVED_NAMES = {
    "datetime.utcnow", "datetime.utcfromtimestamp",            # deprecated 3.12
    "locale.getdefaultlocale", "locale.resetlocale",           # deprecated 3.11 / removed 3.13
    "codecs.open",                                             # deprecated 3.14
    "ast.Num", "ast.Str", "ast.Bytes", "ast.NameConstant", "ast.Ellipsis",  # removed 3.14
    "pkgutil.find_loader", "pkgutil.get_loader",               # removed 3.14
    "asyncio.get_event_loop", "asyncio.iscoroutinefunction",   # deprecated 3.12 / 3.14
    "urllib.request.URLopener", "urllib.request.FancyURLopener",  # removed 3.14
    "typing.ByteString", "logging.warn", "ssl.wrap_socket", "ssl.match_hostname",
    "unittest.makeSuite", "unittest.findTestCases", "glob.glob0", "glob.glob1",
    "sqlite3.version", "sqlite3.version_info", "pty.master_open", "pty.slave_open",  # removed 3.14
    "importlib.abc.ResourceReader", "importlib.abc.Traversable", "importlib.abc.TraversableResources",
    "asyncio.get_child_watcher", "asyncio.set_child_watcher",
}
# Method names deprecated since 3.10 whatever they are called on (threading's camelCase).
REMOVED_METHODS = {"setDaemon", "isDaemon", "isSet", "notifyAll", "currentThread", "activeCount",
                   "utcnow", "utcfromtimestamp"}


def dotted(node):
    """'a.b.c' for an attribute chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id] + parts[::-1])
    return None


def removed_uses(path):
    """(line, what) of each use in path of what 3.12 to 3.14 removed or deprecated."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    aliases = {}        # local name -> module.name it stands for (from X import Y as Z)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in REMOVED_MODULES:
                    found.append((node.lineno, "import " + a.name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in REMOVED_MODULES:
                found.append((node.lineno, "from %s import" % node.module))
            for a in node.names:
                full = "%s.%s" % (node.module, a.name)
                aliases[a.asname or a.name] = full
                if full in REMOVED_NAMES:
                    found.append((node.lineno, "from %s import %s" % (node.module, a.name)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = dotted(node)
            if name:
                head, _, rest = name.partition(".")
                name = aliases.get(head, head) + ("." + rest if rest else "")
                name = name.replace("datetime.datetime.", "datetime.")
                if name in REMOVED_NAMES:
                    found.append((node.lineno, name))
                    continue
            if node.attr in REMOVED_METHODS:
                found.append((node.lineno, "." + node.attr))
        elif isinstance(node, ast.Call) and any(k.arg == "onerror" for k in node.keywords) \
                and (dotted(node.func) or "").endswith("rmtree"):
            found.append((node.lineno, "rmtree(onerror=)"))     # deprecated 3.12
    return sorted(set(found))
ALLOWED = {"bottle", "requests", "urllib3", "kindlechat", "segno"}   # segno: vendored, the phone link's QR (link.py)


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


def test_nothing_uses_what_3_12_to_3_14_removed_or_deprecated():
    problems = ["%s:%d: %s" % (os.path.relpath(path, ROOT), line, what)
                for path in SOURCES + [LAUNCHER] for line, what in removed_uses(path)]
    assert problems == []


def test_the_removed_api_check_finds_what_it_looks_for(tmp_path):
    """The check above must see each kind of use, however imported."""
    sample = tmp_path / "old.py"
    sample.write_text(
        "import cgi\nfrom distutils.version import LooseVersion\nimport datetime, locale\n"
        "from datetime import datetime as dt\nfrom ast import Str\nimport threading, shutil\n"
        "a = datetime.datetime.utcnow()\nb = dt.utcfromtimestamp(0)\nc = locale.getdefaultlocale()\n"
        "threading.Thread().setDaemon(True)\nshutil.rmtree('x', onerror=None)\n"
        "ok = datetime.datetime.now(datetime.timezone.utc)\n")
    found = {what for _, what in removed_uses(str(sample))}
    assert found >= {"import cgi", "from distutils.version import", "from ast import Str",
                     "datetime.utcfromtimestamp", "locale.getdefaultlocale", ".setDaemon",
                     "rmtree(onerror=)", "datetime.utcnow"}
    assert not any("now" == w.rsplit(".", 1)[-1] for w in found)


# Uses in the vendored libraries that no Python 3 reaches, each with where it sits.
VENDORED_ALLOWED = {
    ("bottle.py", "from imp import"): "bottle's Python 2 branch (`if py3k: ... else:`)",
}


def test_the_vendored_libraries_use_nothing_3_12_to_3_14_removed(tmp_path_factory):
    """bottle, requests, urllib3, idna, certifi, charset_normalizer as the zip has them
    (e.g. bottle before 0.13 imported cgi, which 3.13 removed)."""
    import zipfile
    from testkit.kindle_fakes import built_zip
    vendor = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(built_zip(tmp_path_factory)) as z:
        z.extractall(str(vendor))
    top = os.path.join(str(vendor), "extensions", "kindlechat", "vendor")
    problems = []
    for path in sorted(glob.glob(os.path.join(top, "**", "*.py"), recursive=True)):
        rel = os.path.relpath(path, top)
        problems += ["%s:%d: %s" % (rel, line, what) for line, what in removed_uses(path)
                     if (rel, what) not in VENDORED_ALLOWED]
    assert problems == []

"""build.py: the Kindle zip holds the app, the page, the extension and pure-Python
libraries for Python 3.9; never data; the same bytes on every build."""
import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from testkit.kindle_fakes import REPO, build_output, built_zip, cpythons

sys.path.insert(0, REPO)
import build  # noqa: E402

PREFIX = "extensions/kindlechat/"


@pytest.fixture(scope="module")
def kindle_zip(tmp_path_factory):
    """The zip `python3 build.py --out DIR` makes (built once per session)."""
    return built_zip(tmp_path_factory)


@pytest.fixture(scope="module")
def names(kindle_zip):
    with zipfile.ZipFile(kindle_zip) as z:
        return z.namelist()


def version():
    text = open(os.path.join(REPO, "src", "kindlechat", "__init__.py")).read()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def pins():
    return {name.lower(): ver for name, ver, _ in build.read_pins()}


def test_zip_is_named_by_version_and_build_says_where_and_how_big(kindle_zip):
    assert os.path.basename(kindle_zip) == "kindlechat-%s.zip" % version()
    output = build_output()
    assert os.path.basename(kindle_zip) in output
    assert "{:,} bytes".format(os.path.getsize(kindle_zip)) in output


def test_rebuild_is_byte_identical(kindle_zip, tmp_path):
    # Two builds back to back, not the session's zip against a later one: the sources may
    # be edited meanwhile (several people share one checkout), and a real change must
    # change the bytes.
    zips = []
    for n in (1, 2):
        out = tmp_path / str(n)
        result = subprocess.run([sys.executable, os.path.join(REPO, "build.py"), "--out", str(out)],
                                cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=300)
        assert result.returncode == 0, result.stdout
        zips.append((out / os.path.basename(kindle_zip)).read_bytes())
    assert zips[0] == zips[1]


def test_entries_are_sorted_with_fixed_times_and_permissions(kindle_zip):
    with zipfile.ZipFile(kindle_zip) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    for info in infos:
        assert info.date_time == build.FIXED_TIME, info.filename
        mode = (info.external_attr >> 16) & 0o777
        assert mode == (0o755 if info.filename.endswith(".sh") else 0o644), info.filename
        assert info.create_system == 3


def test_everything_lands_in_the_extension_folder(names):
    assert all(n.startswith(PREFIX) for n in names), [n for n in names if not n.startswith(PREFIX)]
    for needed in ("config.xml", "menu.json", "VERSION", "bin/start.sh", "bin/stop.sh", "bin/status.sh",
                   "bin/common.sh", "bin/launcher.py", "app/kindlechat/__main__.py",
                   "app/kindlechat/web/routes.py", "www/index.html", "www/app.js",
                   "vendor/bottle.py", "vendor/requests/__init__.py", "vendor/urllib3/__init__.py",
                   "vendor/idna/__init__.py", "vendor/certifi/cacert.pem",
                   "vendor/charset_normalizer/__init__.py", "vendor/segno/__init__.py"):
        assert PREFIX + needed in names, needed


def test_no_compiled_code_caches_or_data(names):
    for name in names:
        parts = name.split("/")
        assert "__pycache__" not in parts, name
        assert not name.endswith((".pyc", ".pyo", ".so", ".pyd", ".dylib", ".dll")), name
        assert not name.endswith((".log", "settings.json", ".pid")), name
        assert "data" not in parts[:3] and "run" not in parts[:3], name
        assert not any(p.endswith(".data") for p in parts), name


def test_every_source_file_is_shipped(names):
    for folder, prefix in (("src/kindlechat", "app/kindlechat/"), ("www", "www/")):
        for top, dirs, files in os.walk(os.path.join(REPO, folder)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for f in files:
                if f.endswith((".pyc", ".pyo")) or f.startswith("."):
                    continue
                rel = os.path.relpath(os.path.join(top, f), os.path.join(REPO, folder)).replace(os.sep, "/")
                assert PREFIX + prefix + rel in names, rel


def test_versions_in_the_zip(kindle_zip):
    with zipfile.ZipFile(kindle_zip) as z:
        assert z.read(PREFIX + "VERSION").decode().strip() == version()
        assert "<version>%s</version>" % version() in z.read(PREFIX + "config.xml").decode()
        assert z.read(PREFIX + "app/kindlechat/__init__.py") == open(
            os.path.join(REPO, "src", "kindlechat", "__init__.py"), "rb").read()


def test_vendored_libraries_are_the_pinned_ones(names):
    expected = {"bottle", "requests", "urllib3", "idna", "certifi", "charset_normalizer",
                "segno"}   # segno: the phone link's QR code (link.py)
    shipped = {}
    for name in names:
        match = re.match(re.escape(PREFIX) + r"vendor/([^/]+)-([^-/]+)\.dist-info/METADATA$", name)
        if match:
            shipped[match.group(1).lower()] = match.group(2)
    assert set(shipped) == expected
    pinned = {build.normalize(k): v for k, v in pins().items()}
    assert shipped == pinned


def test_vendor_pins_agree_with_requirements_txt():
    required = {}
    for line in open(os.path.join(REPO, "requirements.txt")):
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, ver = line.split("==")
            required[name.strip().lower()] = ver.strip()
    assert required, "requirements.txt pins nothing"
    for name, ver in required.items():
        assert pins().get(name) == ver, "vendor.txt and requirements.txt disagree on %s" % name


def _specifier_set():
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:
        from pip._vendor.packaging.specifiers import SpecifierSet
    return SpecifierSet


def test_vendored_libraries_declare_python_39_to_314_support(kindle_zip, names):
    """NiLuJe's Python is 3.9, pithon (HF)'s 3.14: no pin may exclude either."""
    SpecifierSet = _specifier_set()
    with zipfile.ZipFile(kindle_zip) as z:
        for name in names:
            if name.endswith(".dist-info/METADATA"):
                meta = z.read(name).decode("utf-8")
                match = re.search(r"^Requires-Python: (.+)$", meta, re.M)
                if match:
                    for version in ("3.9", "3.14"):
                        assert version in SpecifierSet(match.group(1).strip()), (name, match.group(1))


PYTHONS = cpythons()
COMPILE_ON = sorted({(3, 9), max(PYTHONS)})


@pytest.mark.parametrize("version", COMPILE_ON, ids=lambda v: "%d.%d" % v)
def test_the_zip_imports_and_compiles_without_warnings(kindle_zip, tmp_path, version):
    """Every module in the zip compiles and imports on the Kindle's 3.9 and on the newest
    CPython here, warnings as errors: a SyntaxWarning today (an invalid escape) is a
    SyntaxError in a later Python, a DeprecationWarning a removal."""
    if version not in PYTHONS:
        pytest.skip("no CPython %d.%d on this machine (looked in pyenv and on PATH)" % version)
    with zipfile.ZipFile(kindle_zip) as z:
        z.extractall(str(tmp_path))
    ext = tmp_path / "extensions" / "kindlechat"
    code = (
        "import sys, os\n"
        "sys.path[:0] = [%r, %r]\n"
        "for top, _, files in os.walk(%r):\n"
        "    for f in files:\n"
        "        if f.endswith('.py'):\n"
        "            p = os.path.join(top, f)\n"
        "            with open(p, 'rb') as source:\n"
        "                compile(source.read(), p, 'exec')\n"
        "import bottle, requests, urllib3, idna, certifi, charset_normalizer\n"
        "import kindlechat.web.routes, kindlechat.providers.gemini, kindlechat.demo.emulator, kindlechat.__main__\n"
        "assert kindlechat.web.routes.find_www() == %r, kindlechat.web.routes.find_www()\n"
        "assert requests.get  # noqa\n"
        "print('ok', sys.version.split()[0])\n"
        % (str(ext / "app"), str(ext / "vendor"), str(ext), str(ext / "www")))
    result = subprocess.run([PYTHONS[version], "-I", "-S", "-W", "error", "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("ok %d.%d." % version), result.stdout


# --- failing clearly --------------------------------------------------------

def copy_tree(dst, with_wheels=True):
    """A copy of what build.py reads, to break on purpose."""
    for name in ("build.py", "vendor.txt", "LICENSE"):
        shutil.copy(os.path.join(REPO, name), str(dst / name))
    for folder in ("src", "www", "extensions"):
        shutil.copytree(os.path.join(REPO, folder), str(dst / folder),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if with_wheels:
        shutil.copytree(build.WHEELS, str(dst / "dist" / "wheels"))
    return dst


def run_build(tree):
    return subprocess.run([sys.executable, str(tree / "build.py")], cwd=str(tree), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)


def test_a_missing_page_fails_with_a_clear_message(kindle_zip, tmp_path):
    tree = copy_tree(tmp_path)
    os.remove(str(tree / "www" / "index.html"))
    result = run_build(tree)
    assert result.returncode == 1
    assert "www/index.html is missing" in result.stderr and "Traceback" not in result.stderr
    assert not (tree / "dist" / ("kindlechat-%s.zip" % version())).exists()


def test_a_missing_version_fails_with_a_clear_message(kindle_zip, tmp_path):
    tree = copy_tree(tmp_path, with_wheels=False)
    (tree / "src" / "kindlechat" / "__init__.py").write_text('"""No version here."""\n')
    result = run_build(tree)
    assert result.returncode == 1 and "__version__" in result.stderr and "Traceback" not in result.stderr


def test_a_wrong_wheel_hash_fails_with_a_clear_message(kindle_zip, tmp_path):
    tree = copy_tree(tmp_path)
    pinned = (tree / "vendor.txt").read_text()
    (tree / "vendor.txt").write_text(re.sub(r"(bottle==\S+ --hash=sha256:)[0-9a-f]{64}", r"\g<1>" + "0" * 64, pinned))
    result = run_build(tree)
    assert result.returncode == 1 and "vendor.txt" in result.stderr and "Traceback" not in result.stderr


def test_data_in_the_extension_folder_is_never_shipped(kindle_zip, tmp_path):
    tree = copy_tree(tmp_path)
    data = tree / "extensions" / "kindlechat" / "data"
    data.mkdir()
    (data / "settings.json").write_text('{"api_key": "secret"}')
    (tree / "src" / "kindlechat" / "__pycache__").mkdir(exist_ok=True)
    (tree / "src" / "kindlechat" / "__pycache__" / "server.cpython-311.pyc").write_bytes(b"\0")
    result = run_build(tree)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(str(tree / "dist" / ("kindlechat-%s.zip" % version()))) as z:
        built = z.namelist()
    assert not [n for n in built if "/data/" in n or "__pycache__" in n]
    # And the tree's own copy builds the same bytes as the repository.
    assert open(str(tree / "dist" / ("kindlechat-%s.zip" % version())), "rb").read() == open(kindle_zip, "rb").read()


def test_the_zip_carries_every_licence(kindle_zip, names):
    """KindleChat's own licence, and each vendored library's beside it (its .dist-info),
    so whoever unpacks the zip may lawfully pass it on."""
    with zipfile.ZipFile(kindle_zip) as z:
        assert z.read(PREFIX + "LICENSE") == open(os.path.join(REPO, "LICENSE"), "rb").read()
    for name in pins():
        folder = PREFIX + "vendor/%s-" % build.normalize(name)
        licences = [n for n in names if n.lower().startswith(folder.lower()) and ".dist-info/" in n
                    and re.search(r"/(licenses/)?(LICEN[CS]E|COPYING)[^/]*$", n)]
        assert licences, "no licence for %s in the zip" % name

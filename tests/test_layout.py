"""The arrows of docs/ARCHITECTURE.md, read from the source: nothing imports web/ but
__main__, and nothing in providers/, library/ or ebook/ imports web/ or the service."""
import ast
import os

import kindlechat

PACKAGE = os.path.dirname(kindlechat.__file__)
LOW = ("providers", "library", "ebook", "reading", "device", "words")


def _imports(path, module):
    """Absolute names of the kindlechat modules path imports (relative ones resolved)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    here = module.split(".")[:-1] if not path.endswith("__init__.py") else module.split(".")
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
            out += [base] + ["%s.%s" % (base, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return [n for n in out if n == "kindlechat" or n.startswith("kindlechat.")]


def _modules():
    for folder, _, files in os.walk(PACKAGE):
        rel = os.path.relpath(folder, os.path.dirname(PACKAGE))
        for f in files:
            if f.endswith(".py"):
                name = rel.replace(os.sep, ".") + ("" if f == "__init__.py" else "." + f[:-3])
                yield os.path.join(folder, f), name


def test_resolution_of_relative_imports():
    path = os.path.join(PACKAGE, "providers", "ask.py")
    names = _imports(path, "kindlechat.providers.ask")
    assert "kindlechat.follow_ups" in names and "kindlechat.providers.kinds" in names


def test_nothing_imports_web_but_main():
    bad = [(m, n) for p, m in _modules() if not m.startswith(("kindlechat.web", "kindlechat.__main__"))
           for n in _imports(p, m) if n.startswith("kindlechat.web")]
    assert bad == []


def test_the_edges_never_import_web_or_the_service():
    bad = [(m, n) for p, m in _modules() if m.split(".")[1:2] and m.split(".")[1] in LOW
           for n in _imports(p, m) if n.startswith(("kindlechat.web", "kindlechat.service"))]
    assert bad == []


def test_every_folder_is_a_package_with_its_words():
    for entry in os.listdir(PACKAGE):
        folder = os.path.join(PACKAGE, entry)
        if os.path.isdir(folder) and not entry.startswith(("_", ".")):
            init = os.path.join(folder, "__init__.py")
            assert os.path.exists(init), entry
            assert ast.get_docstring(ast.parse(open(init).read())), entry

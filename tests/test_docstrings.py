"""The runnable examples that open the modules' docstrings do run: every module of
src/kindlechat and of its packages has at least one (bottle's habit), except the
entry point and the packages' own thin __init__ files (they say what the package
owns, in words)."""
import doctest
import importlib
import os
import pkgutil

import pytest

import kindlechat

PACKAGE = os.path.dirname(kindlechat.__file__)
# walk_packages enters a subpackage only when given the prefix to import it by.
FOUND = list(pkgutil.walk_packages(kindlechat.__path__, "kindlechat."))
MODULES = sorted(m.name for m in FOUND if not m.ispkg and m.name != "kindlechat.__main__")


def _files_on_disk():
    """Every module file under src/kindlechat, counted from the folders themselves."""
    out = []
    for folder, _, files in os.walk(PACKAGE):
        rel = os.path.relpath(folder, PACKAGE)
        for f in files:
            if f.endswith(".py") and f not in ("__init__.py", "__main__.py") or (
                    f == "__init__.py" and rel == "errors"):
                out.append(os.path.join(rel, f))
    return out


def test_every_module_is_walked():
    """A move that hides modules from the walk (a folder without __init__.py, a walk
    that never enters subpackages) fails here instead of running fewer examples."""
    walked = [m for m in MODULES] + ["kindlechat.errors"]
    assert len(walked) == len(_files_on_disk()), sorted(_files_on_disk())
    assert any(m.startswith("kindlechat.errors.") for m in MODULES)
    assert any(m.startswith("kindlechat.providers.") for m in MODULES)


@pytest.mark.parametrize("name", MODULES + ["kindlechat.errors"])
def test_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0

"""The runnable examples that open the modules' docstrings do run: every module of
src/kindlechat (and of its packages) has at least one (bottle's habit), except the
entry point."""
import doctest
import importlib
import os
import pkgutil

import pytest

import kindlechat

MODULES = sorted(m.name for m in pkgutil.walk_packages([os.path.dirname(kindlechat.__file__)])
                 if m.name != "__main__")


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module("kindlechat." + name)
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0

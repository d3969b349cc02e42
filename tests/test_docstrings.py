"""The runnable examples that open the modules' docstrings do run."""
import doctest
import importlib

import pytest

MODULES = ["sse", "gemini", "errors", "settings", "store", "emulator", "server"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module("kindlechat." + name)
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0

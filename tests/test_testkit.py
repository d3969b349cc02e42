"""The shared helpers (testkit/) do what their docstring examples say, and the
synthetic Gemini stream reads back, through kindlechat's own decoder, as the text
it was built from."""
import doctest
import importlib
import json

import pytest

from kindlechat.providers import sse
from testkit.gemini_chunks import gemini_stream

MODULES = ["ports", "gemini_chunks", "fixtures"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    result = doctest.testmod(importlib.import_module("testkit." + name))
    assert result.attempted > 0 and result.failed == 0


def test_synthetic_stream_decodes_to_its_texts():
    events, texts = gemini_stream(20000, seed=5)
    decoded = [json.loads(e.data) for e in sse.iter_events(iter(events))]
    parts = [c["candidates"][0]["content"]["parts"][0]["text"] for c in decoded]
    assert parts == texts and decoded[-1]["candidates"][0]["finishReason"] == "STOP"


def test_bench_and_tools_import_no_helper_from_tests():
    """One home for helpers: bench/ and tools/ use testkit/, never tests/."""
    import glob
    import os
    import re
    from testkit import ROOT
    bad = []
    for path in glob.glob(os.path.join(ROOT, "bench", "*.py")) + glob.glob(os.path.join(ROOT, "tools", "*.py")):
        text = open(path, encoding="utf-8").read()
        if re.search(r'join\(\s*\w+\s*,\s*"tests"', text) or re.search(r"^\s*(from|import) (conftest|page_fixtures|tinyfs)\b", text, re.M):
            bad.append(os.path.relpath(path, ROOT))
    assert bad == []

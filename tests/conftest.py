"""Shared fixtures. Test files are named by feature; the helpers that bench/ and
tools/ use too live in testkit/ (serverproc, upstream, gemini_chunks, faultkit),
the test-only ones in tests/*.py without the test_ prefix (page_fixtures, tinyfs)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# tests/ for the helpers that stay beside the tests (page_fixtures, tinyfs), the
# repo root for testkit (the helpers bench/ and tools/ use too), src/ for kindlechat.
for _p in (HERE, os.path.dirname(HERE), os.path.join(os.path.dirname(HERE), "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from testkit.serverproc import ServerProcess  # noqa: E402
from testkit.upstream import Upstream  # noqa: E402
from testkit.fixtures import gemini_dir  # noqa: E402


@pytest.fixture
def upstream():
    """A scripted loopback server in Gemini's wire format (testkit/upstream.py)."""
    up = Upstream().start()
    yield up
    up.stop()


@pytest.fixture
def demo_server(tmp_path):
    """A real `python -m kindlechat --demo` process with a fast emulator."""
    srv = ServerProcess(tmp_path / "data", "--demo").start()
    yield srv
    srv.stop()


@pytest.fixture
def fixtures_dir():
    """The real Gemini captures in tests/fixtures/gemini (see its README). Missing,
    they fail the test that wants them: they are part of the repo, never skipped."""
    return gemini_dir()

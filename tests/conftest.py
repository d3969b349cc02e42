"""Shared fixtures. Test files are named by feature; helpers live in tests/*.py
modules without the test_ prefix (serverproc, upstream)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from serverproc import ServerProcess  # noqa: E402
from upstream import Upstream  # noqa: E402

FIXTURES = os.environ.get("KINDLECHAT_FIXTURES") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared", "fixtures", "gemini")


@pytest.fixture
def upstream():
    """A scripted loopback server in Gemini's wire format (tests/upstream.py)."""
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
    """The real Gemini captures of ../shared/fixtures/gemini (see its README)."""
    if not os.path.isdir(FIXTURES):
        pytest.skip("shared fixtures not found at %s" % FIXTURES)
    return FIXTURES

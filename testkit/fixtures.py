"""The real Gemini captures the tests replay, kept in the repo at tests/fixtures/gemini
(its README says where each came from and which test reads it).

>>> sorted(os.listdir(gemini_dir()))[0]
'README.md'
>>> os.path.isdir(CLIPPINGS)
True

Tests, bench/ and tools/ find them here, never by joining "tests" themselves.
"""
import os

from testkit import ROOT

GEMINI = os.path.join(ROOT, "tests", "fixtures", "gemini")
CLIPPINGS = os.path.join(ROOT, "tests", "fixtures", "clippings")


def gemini_dir():
    """The captures' folder. A missing folder raises: the captures are part of the
    repo, so their absence is a broken checkout, never a reason to skip."""
    if not os.path.isfile(os.path.join(GEMINI, "README.md")):
        raise FileNotFoundError("the Gemini captures are missing from %s; they belong to the repo "
                                "(git checkout -- tests/fixtures)" % GEMINI)
    return GEMINI

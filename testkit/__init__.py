"""Helpers that the tests, the benchmarks and the tools share (none of them asserts).

    import testkit.ports, testkit.serverproc, testkit.upstream, testkit.gemini_chunks

The repo root must be on sys.path: tests/conftest.py, bench/common.py and
tools/kindle_box.py put it there. build.py never ships this package (the zip holds
src/kindlechat, www/, the extension and the vendored libraries only).
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")

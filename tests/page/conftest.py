"""The browser tests' harness: Debian's Chromium through Playwright and PhantomJS
2.1.1 (phantom_page.py, phantom_controller.js); their helpers live beside them."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

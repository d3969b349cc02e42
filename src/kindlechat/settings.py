"""Settings: one table of defaults, then the settings file, the environment and
the command line, each overriding the one before.

    >>> s = load(["--port", "9000", "--data-dir", "/tmp/kc-doc"], environ={})
    >>> s["port"], s["model"]
    (9000, 'gemini-flash-latest')

In settings.json each setting is named like its flag in snake_case; in the
environment it is KINDLECHAT_<NAME>, except the API key, which is GEMINI_API_KEY
(the name Google's own SDK reads) and never a flag, so it stays out of `ps`.
"""
import argparse
import json
import os
from collections import namedtuple

from .providers import profiles

# One row a setting: adding one is a row here, its line in the README's table
# (tests/test_settings.py) and the code that reads it. check: a function that returns
# the value as used or raises SettingsError; start: read at start only, so the page
# can't change it; env: its environment name where not KINDLECHAT_<NAME>; flag:
# False keeps it off the command line (ps shows flags); shown: False keeps it out of
# GET /api/settings.
Row = namedtuple("Row", "name default type help check start env flag shown")


def row(name, default, kind, help_text, check=None, start=False, env=None, flag=True, shown=True):
    return Row(name, default, kind, help_text, check, start, env or "KINDLECHAT_" + name.upper(), flag, shown)


class SettingsError(ValueError):
    """A value that cannot be used, with a message meant for the user."""


def between(low, high):
    """A check: the number lies in [low, high] (and is a number: NaN is not)."""
    def check(name, value):
        if value != value or not low <= value <= high:
            raise SettingsError("%s must be between %s and %s" % (name, low, high))
        return value
    return check


def one_of(*words):
    """A check: one of words, given in any case; empty is unset."""
    def check(name, value):
        if value != "" and value.strip().upper() not in words:
            raise SettingsError("%s must be one of %s (or empty)" % (name, ", ".join(words)))
        return value.strip().upper()
    return check


# The languages the page has a table for (www/strings*.js; tests/page/test_page_languages.py
# checks the two agree). A region is dropped: "de-AT" is "de".
LANGUAGES = ("en", "de", "fr", "es")


def language(name, value):
    code = value.strip().lower().replace("_", "-").split("-")[0]
    if value and code not in LANGUAGES:
        raise SettingsError("%s must be one of %s (or empty: the browser's)" % (name, ", ".join(LANGUAGES)))
    return code


ROWS = (
    row("host", "127.0.0.1", str, "address to serve on; loopback unless Wi-Fi mode", start=True),
    row("port", 8642, int, "port to serve on", between(1, 65535), start=True),
    row("data_dir", "", str, "where chats and settings.json live", start=True),
    row("token", "", str, "access token every request must carry (Wi-Fi mode)", start=True, shown=False),
    row("demo", False, bool, "use the built-in Gemini emulator even if an API key is set", start=True),
    # Google's own SDK reads GEMINI_API_KEY; never a flag, so it stays out of `ps`.
    row("api_key", "", str, "Gemini API key (write-only over the API)", env="GEMINI_API_KEY", flag=False,
        shown=False),
    row("gemini_url", "https://generativelanguage.googleapis.com", str,
        "Gemini base URL; a path prefix is kept (for relays)"),
    row("model", "gemini-flash-latest", str, "model name, passed through as is (default: Google's rolling "
        "alias, so the default never names a retired model; docs/MODELS.md)"),
    row("system_instruction", "", str, "system instruction sent with every chat"),
    row("temperature", None, float, "sampling temperature (model default if unset)", between(0.0, 2.0)),
    row("max_output_tokens", None, int, "reply length limit in tokens (model default if unset)",
        between(1, 1000000)),
    row("thinking_budget", None, int, "thinking token budget (-1 dynamic, 0 off); Gemini 2.5-style models only",
        between(-1, 100000)),
    row("thinking_level", "", str, "thinking level for Gemini 3 models: MINIMAL, LOW, MEDIUM or HIGH (empty: "
        "the model's default)", one_of("MINIMAL", "LOW", "MEDIUM", "HIGH")),
    row("google_search", False, bool, "search the web for a message unless it says otherwise (free keys have "
        "tight grounding quotas)"),
    row("url_context", True, bool, "let Gemini read the web pages a message links to"),
    row("show_thoughts", False, bool, "ask for and show the model's thought summaries"),
    row("throttle_ms", 500, int, "least time between two screen updates of a reply", between(0, 60000)),
    row("book_budget", None, int, "tokens of the book's text a book chat's request carries (unset: the "
        "provider's default: Gemini 100000, Anthropic 50000, OpenAI-compatible 30000, Ollama 2500)",
        between(100, 1000000)),
    row("connect_timeout", 15.0, float, "seconds to connect to Gemini", between(0.5, 300.0)),
    row("read_timeout", 120.0, float, "seconds a reply may stall (thinking models pause long)",
        between(1.0, 3600.0)),
    row("library_dir", "", str, "the Kindle's storage root (/mnt/us) for highlights, words and saved chats; "
        "demo mode uses a sample library when unset", start=True),
    row("library_db", "", str, "the Kindle's library database (default /var/local/cc.db)", start=True),
    row("translate_to", "", str, "language Translate uses (default: the Kindle's own)"),
    row("profile", "Gemini", str, "the provider profile new chats use (profiles.py); Gemini is the settings above"),
    row("quick_prompts", None, list, "one-tap prompts by the message box, one a line (unset: the page's own set)"),
    row("follow_ups", True, bool, "ask for two or three follow-up questions to tap under each reply"),
    row("language", "", str, "the page's language: en, de, fr or es (empty: the browser's)", language),
    # A reply cut by sleep or a network drop (continuing.py, device/sleepwatch.py, device/screensaver.py).
    row("reconnect_tries", 4, int, "times a reply cut by sleep or a network drop is continued by itself "
        "(0: never)", between(0, 20)),
    row("reconnect_wait", 1.0, float, "seconds before the second continuation; doubled for each next one, "
        "at most 60", between(0.0, 60.0)),
    row("network_wait", 1800.0, float, "seconds a cut reply waits for the network before it ends as cut",
        between(0.0, 86400.0)),
    row("sleep_check", 2.0, float, "seconds between looks at the clocks while a reply streams; a look four "
        "times as late means the Kindle slept, and the stale connection is dropped", between(0.05, 60.0)),
    row("screensaver_grace", 5.0, float, "seconds the screensaver stays away after the last reply streamed",
        between(0.0, 600.0)),
    row("new_words_per_day", 10, int, "looked-up words that enter Review each day (words/session.py)",
        between(0, 1000)),
    row("review_mastered", False, bool, "review the words the Kindle marks mastered too"),
    row("cards_in_background", True, bool, "write the due words' cards in the background when Review opens "
        "(a request per five words)"),
)
SETTINGS = {r.name: r for r in ROWS}
# Settings the page may change with PUT /api/settings.
EDITABLE = tuple(r.name for r in ROWS if not r.start)

SETTINGS_FILE = "settings.json"
# Kept in settings.json beside the settings, set over the API only: the provider
# profiles other than Gemini ({name: {kind, base_url, model, api_key, options}}).
PROFILES = "profiles"


def default_data_dir(environ=os.environ):
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "kindlechat")


def coerce(name, value):
    """The value converted to the setting's type and checked by its row; None clears
    an optional number.

        >>> coerce("temperature", "0.7"), coerce("show_thoughts", "yes"), coerce("language", "de-AT")
        (0.7, True, 'de')
    """
    if name not in SETTINGS:
        raise SettingsError("unknown setting: %s" % name)
    spec = SETTINGS[name]
    if spec.type is list:
        return _lines(name, value)
    if value is None or value == "":
        if spec.type in (int, float) and spec.default is None:
            return None
        if spec.type is str:
            return ""
        raise SettingsError("%s needs a value" % name)
    result = _bool(name, value) if spec.type is bool else _typed(name, spec.type, value)
    return spec.check(name, result) if spec.check else result


def _bool(name, value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError("%s must be true or false" % name)


def _typed(name, kind, value):
    if kind in (int, float) and isinstance(value, bool):
        raise SettingsError("%s must be a number" % name)
    if kind is str and not isinstance(value, str):
        raise SettingsError("%s must be text" % name)
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise SettingsError("%s must be a whole number" % name)
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        raise SettingsError("%s must be a number" % name) from None


MAX_LINES, MAX_LINE = 20, 200   # a list setting (quick_prompts): lines, characters a line


def _lines(name, value):
    """A list of short texts, from a list or from text one a line (the environment, a
    flag); blank lines dropped; None, or nothing left, is unset.

        >>> _lines("quick_prompts", "Summarize\\n\\n  Continue "), _lines("quick_prompts", [" "])
        (['Summarize', 'Continue'], None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError("%s must be a list of texts" % name)
    lines = [v.strip() for v in value if v.strip()]
    if len(lines) > MAX_LINES or any(len(v) > MAX_LINE for v in lines):
        raise SettingsError("%s takes at most %d lines of %d characters" % (name, MAX_LINES, MAX_LINE))
    return lines or None


def parse_args(argv):
    """The flags given. A true-or-false setting takes `--name`, `--name=false` or
    `--no-name`, so a flag can turn off what the file turned on.

        >>> parse_args(["--no-follow-ups", "--url-context=false", "--demo"])
        {'demo': True, 'url_context': 'false', 'follow_ups': False}
    """
    parser = argparse.ArgumentParser(prog="python -m kindlechat",
                                     description="KindleChat server: Gemini for the Kindle browser.")
    for spec in ROWS:
        if not spec.flag:
            continue
        flag = "--" + spec.name.replace("_", "-")
        if spec.type is bool:
            parser.add_argument(flag, nargs="?", const=True, default=None, help=spec.help)
            parser.add_argument("--no-" + flag[2:], dest=spec.name, action="store_const", const=False,
                                help=argparse.SUPPRESS)
        else:
            parser.add_argument(flag, default=None, help=spec.help)
    return {k: v for k, v in vars(parser.parse_args(argv)).items() if v is not None}


def read_file(data_dir):
    """settings.json as a dict; a broken file is reported, never fatal."""
    path = os.path.join(data_dir, SETTINGS_FILE)
    try:
        with open(path, "rb") as f:
            raw = json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        print("kindlechat: ignoring unreadable %s (%s)" % (path, exc.__class__.__name__))
        return {}
    return raw if isinstance(raw, dict) else {}


def from_environ(environ):
    found = {}
    for spec in ROWS:
        if spec.env in environ:
            found[spec.name] = environ[spec.env]
    return found


def load(argv, environ=os.environ):
    """All settings: defaults < settings.json < environment < flags."""
    flags = parse_args(argv)
    env = from_environ(environ)
    data_dir = flags.get("data_dir") or env.get("data_dir") or default_data_dir(environ)
    settings = {spec.name: spec.default for spec in ROWS}
    saved = read_file(data_dir)
    for layer in (saved, env, flags):
        for name, value in layer.items():
            if name in SETTINGS:
                try:
                    settings[name] = coerce(name, value)
                except SettingsError as exc:
                    print("kindlechat: ignoring %s" % exc)
    settings["data_dir"] = os.path.abspath(data_dir)
    settings[PROFILES] = profiles.from_file(saved.get(PROFILES))
    return settings


def save(data_dir, changes):
    """Merge changes into settings.json: atomically, readable by the owner alone.
    Only what the user changed is written, so flags and environment stay in charge."""
    from .store import write_atomic   # one crash-safe writer for every file we keep
    doc = read_file(data_dir)
    doc.update(changes)
    doc = {k: v for k, v in doc.items() if (k in EDITABLE or k == PROFILES) and v is not None and v != ""}
    data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
    write_atomic(os.path.join(data_dir, SETTINGS_FILE), data, mode=0o600)


def public(values):
    """What GET /api/settings shows: everything but the key itself."""
    shown = {r.name: values[r.name] for r in ROWS if r.shown}
    shown["api_key_set"] = bool(values.get("api_key"))
    shown.update(profiles.public(values))
    return shown

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

from .providers import profiles

# name: (default, type, help).  The README documents every one (tests/test_settings.py).
DEFAULTS = {
    "host": ("127.0.0.1", str, "address to serve on; loopback unless Wi-Fi mode"),
    "port": (8642, int, "port to serve on"),
    "data_dir": ("", str, "where chats and settings.json live"),
    "token": ("", str, "access token every request must carry (Wi-Fi mode)"),
    "demo": (False, bool, "use the built-in Gemini emulator even if an API key is set"),
    "api_key": ("", str, "Gemini API key (write-only over the API)"),
    "gemini_url": ("https://generativelanguage.googleapis.com", str,
                   "Gemini base URL; a path prefix is kept (for relays)"),
    "model": ("gemini-flash-latest", str, "model name, passed through as is (default: Google's rolling "
              "alias, so the default never names a retired model; docs/MODELS.md)"),
    "system_instruction": ("", str, "system instruction sent with every chat"),
    "temperature": (None, float, "sampling temperature (model default if unset)"),
    "max_output_tokens": (None, int, "reply length limit in tokens (model default if unset)"),
    "thinking_budget": (None, int, "thinking token budget (-1 dynamic, 0 off); Gemini 2.5-style models only"),
    "thinking_level": ("", str, "thinking level for Gemini 3 models: MINIMAL, LOW, MEDIUM or HIGH (empty: "
                       "the model's default)"),
    "google_search": (False, bool, "search the web for a message unless it says otherwise (free keys have "
                      "tight grounding quotas)"),
    "url_context": (True, bool, "let Gemini read the web pages a message links to"),
    "show_thoughts": (False, bool, "ask for and show the model's thought summaries"),
    "throttle_ms": (500, int, "least time between two screen updates of a reply"),
    "connect_timeout": (15.0, float, "seconds to connect to Gemini"),
    "read_timeout": (120.0, float, "seconds a reply may stall (thinking models pause long)"),
    "library_dir": ("", str, "the Kindle's storage root (/mnt/us) for highlights, words and saved chats; "
                    "demo mode uses a sample library when unset"),
    "library_db": ("", str, "the Kindle's library database (default /var/local/cc.db)"),
    "translate_to": ("", str, "language Translate uses (default: the Kindle's own)"),
    "profile": ("Gemini", str, "the provider profile new chats use (profiles.py); Gemini is the settings above"),
    "quick_prompts": (None, list, "one-tap prompts by the message box, one a line (unset: the page's own set)"),
    "follow_ups": (True, bool, "ask for two or three follow-up questions to tap under each reply"),
    "language": ("", str, "the page's language: en, de, fr or es (empty: the browser's)"),
}

# Settings that only make sense at start (changing them needs a restart).
START_ONLY = ("host", "port", "data_dir", "token", "demo", "library_dir", "library_db")
# Settings the page may change with PUT /api/settings.
EDITABLE = tuple(k for k in DEFAULTS if k not in START_ONLY)

SETTINGS_FILE = "settings.json"
# Kept in settings.json beside the settings, set over the API only: the provider
# profiles other than Gemini ({name: {kind, base_url, model, api_key, options}}).
PROFILES = "profiles"


class SettingsError(ValueError):
    """A value that cannot be used, with a message meant for the user."""


def default_data_dir(environ=os.environ):
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "kindlechat")


def coerce(name, value):
    """The value converted to the setting's type; None clears an optional number.

        >>> coerce("temperature", "0.7"), coerce("show_thoughts", "yes")
        (0.7, True)
    """
    if name not in DEFAULTS:
        raise SettingsError("unknown setting: %s" % name)
    default, kind, _ = DEFAULTS[name]
    if kind is list:
        return _lines(name, value)
    if value is None or value == "":
        if kind in (int, float) and default is None:
            return None
        if kind is str:
            return ""
        raise SettingsError("%s needs a value" % name)
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingsError("%s must be true or false" % name)
    if kind in (int, float) and isinstance(value, bool):
        raise SettingsError("%s must be a number" % name)
    if kind is str and not isinstance(value, str):
        raise SettingsError("%s must be text" % name)
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise SettingsError("%s must be a whole number" % name)
    try:
        result = kind(value)
    except (TypeError, ValueError, OverflowError):
        raise SettingsError("%s must be a number" % name) from None
    return _check_choice(name, _check_range(name, result))


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


# Text settings that take one of a few words (given in any case).
_CHOICES = {"thinking_level": ("MINIMAL", "LOW", "MEDIUM", "HIGH")}


# The languages the page has a table for (www/strings*.js; tests/page/test_page_languages.py
# checks the two agree). A region is dropped: "de-AT" is "de".
LANGUAGES = ("en", "de", "fr", "es")


def _check_language(value):
    code = value.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise SettingsError("language must be one of %s (or empty: the browser's)" % ", ".join(LANGUAGES))
    return code


def _check_choice(name, value):
    if name == "language" and value != "":
        return _check_language(value)
    if name not in _CHOICES or value == "":
        return value
    if value.strip().upper() not in _CHOICES[name]:
        raise SettingsError("%s must be one of %s (or empty)" % (name, ", ".join(_CHOICES[name])))
    return value.strip().upper()


_RANGES = {"temperature": (0.0, 2.0), "max_output_tokens": (1, 1000000),
           "thinking_budget": (-1, 100000), "throttle_ms": (0, 60000),
           "connect_timeout": (0.5, 300.0), "read_timeout": (1.0, 3600.0),
           "port": (1, 65535)}


def _check_range(name, value):
    low, high = _RANGES.get(name, (None, None))
    if low is not None and not (low <= value <= high):
        raise SettingsError("%s must be between %s and %s" % (name, low, high))
    if isinstance(value, float) and value != value:
        raise SettingsError("%s must be a number" % name)
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m kindlechat",
                                     description="KindleChat server: Gemini for the Kindle browser.")
    for name, (default, kind, help_text) in DEFAULTS.items():
        flag = "--" + name.replace("_", "-")
        if name == "api_key":
            continue
        if kind is bool:
            parser.add_argument(flag, action="store_const", const=True, default=None, help=help_text)
        else:
            parser.add_argument(flag, default=None, help=help_text)
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
    for name in DEFAULTS:
        key = "GEMINI_API_KEY" if name == "api_key" else "KINDLECHAT_" + name.upper()
        if key in environ:
            found[name] = environ[key]
    return found


def load(argv, environ=os.environ):
    """All settings: defaults < settings.json < environment < flags."""
    flags = parse_args(argv)
    env = from_environ(environ)
    data_dir = flags.get("data_dir") or env.get("data_dir") or default_data_dir(environ)
    settings = {name: spec[0] for name, spec in DEFAULTS.items()}
    saved = read_file(data_dir)
    for layer in (saved, env, flags):
        for name, value in layer.items():
            if name in DEFAULTS:
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
    shown = {k: values[k] for k in DEFAULTS if k not in ("api_key", "token")}
    shown["api_key_set"] = bool(values.get("api_key"))
    shown.update(profiles.public(values))
    return shown

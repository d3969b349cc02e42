"""Provider profiles: named {kind, base_url, model, api_key, options}, one of them
current. The "Gemini" profile is today's settings themselves (gemini_url, model,
api_key and the generation settings at the top of settings.json), so an old
settings.json is a Gemini profile as it stands and nothing needs rewriting; the
others live under "profiles" in the same file.

    >>> s = {"gemini_url": "https://g.example", "model": "gemini-2.5-flash", "api_key": "k",
    ...      "profile": "OpenRouter", "profiles": {"OpenRouter": {"kind": "openai",
    ...      "base_url": "https://openrouter.ai/api/v1", "model": "x/y", "api_key": ""}}}
    >>> name, p = current(s)
    >>> name, p["kind"], ready(p), ready(by_name(s, GEMINI))
    ('OpenRouter', 'openai', False, True)
    >>> public(s)["profiles"]["Gemini"]["api_key_set"]
    True
    >>> ready({"kind": "ollama", "base_url": "http://192.168.1.20:11434", "api_key": ""})
    True

A profile's options override the generation settings for it alone (OPTIONS).
Wording shown for a bad profile is errors.providers' (bad_profile).
"""
import ipaddress
from urllib.parse import urlsplit

from ..errors import bad_profile
from .kinds import KINDS

GEMINI = "Gemini"   # the profile today's top-level settings make
FIELDS = ("kind", "base_url", "model", "api_key", "options")
# Settings a profile may override for itself.
OPTIONS = ("system_instruction", "temperature", "max_output_tokens", "thinking_budget",
           "thinking_level", "show_thoughts")
MAX_PROFILES, MAX_NAME = 20, 40

# The one table of presets: the page fills a new profile's kind and base URL from it.
# "HOST" and "192.168.1.x" are for the reader to replace with their computer's address.
PRESETS = [
    {"name": "OpenAI", "kind": "openai", "base_url": "https://api.openai.com/v1", "key": True},
    {"name": "OpenRouter", "kind": "openai", "base_url": "https://openrouter.ai/api/v1", "key": True},
    {"name": "DeepSeek", "kind": "openai", "base_url": "https://api.deepseek.com", "key": True},
    {"name": "Groq", "kind": "openai", "base_url": "https://api.groq.com/openai/v1", "key": True},
    {"name": "Mistral", "kind": "openai", "base_url": "https://api.mistral.ai/v1", "key": True},
    {"name": "Anthropic", "kind": "anthropic", "base_url": "https://api.anthropic.com", "key": True},
    {"name": "Ollama", "kind": "ollama", "base_url": "http://192.168.1.x:11434", "key": False},
    {"name": "llama.cpp", "kind": "openai", "base_url": "http://HOST:8080/v1", "key": False},
    {"name": "LM Studio", "kind": "openai", "base_url": "http://HOST:1234/v1", "key": False},
]
PLACEHOLDERS = ("host", "192.168.1.x")


def _gemini(settings):
    """The Gemini profile, read from today's top-level settings."""
    return {"kind": "gemini", "base_url": settings["gemini_url"], "model": settings["model"],
            "api_key": settings.get("api_key") or "",
            "options": {k: settings[k] for k in OPTIONS if settings.get(k) is not None}}


def every(settings):
    """{name: profile} with the Gemini profile first."""
    out = {GEMINI: _gemini(settings)}
    for name, profile in (settings.get("profiles") or {}).items():
        if name != GEMINI:
            out[name] = dict(profile, options=dict(profile.get("options") or {}))
    return out


def by_name(settings, name):
    """The profile called name, or None."""
    return _gemini(settings) if name == GEMINI else (settings.get("profiles") or {}).get(name)


def current(settings):
    """(name, profile) of the current profile: Gemini when the named one is gone."""
    name = settings.get("profile") or GEMINI
    profile = by_name(settings, name)
    return (name, profile) if profile is not None else (GEMINI, _gemini(settings))


def for_chat(settings, name):
    """(name, profile) a chat's reply goes to: the profile it started with, or the
    current one (an old chat that named none, or a profile since deleted)."""
    profile = by_name(settings, name) if name else None
    return (name, profile) if profile is not None else current(settings)


def effective(settings, profile):
    """The settings a request builder reads for this profile: its model and options."""
    out = dict(settings, model=profile.get("model") or "")
    out.update({k: v for k, v in (profile.get("options") or {}).items() if k in OPTIONS})
    return out


def needs_key(base_url):
    """False for a service on the reader's own network (Ollama, llama.cpp and LM
    Studio take no key there), True for anything on the internet."""
    host = (urlsplit(base_url or "").hostname or "").lower()
    if not host or host in PLACEHOLDERS:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." in host and not host.endswith((".local", ".lan", ".home", ".internal"))
    return not (ip.is_private or ip.is_loopback or ip.is_link_local)


def ready(profile):
    """True when the profile can be asked as it is: a key, or none needed."""
    return bool(profile.get("api_key")) or not needs_key(profile.get("base_url"))


def public(settings):
    """What GET /api/settings shows of the profiles: never a key, only api_key_set."""
    shown = {}
    for name, profile in every(settings).items():
        entry = {k: profile.get(k) for k in FIELDS if k != "api_key"}
        entry["api_key_set"] = bool(profile.get("api_key"))
        entry["ready"] = ready(profile)
        shown[name] = entry
    return {"profiles": shown, "profile": current(settings)[0], "presets": PRESETS}


def clean_changes(settings, changes, coerce):
    """PUT /api/settings' "profiles" as (top-level changes for the Gemini profile,
    the new "profiles" object to store). A null profile is deleted; a bad one is a
    ValueError whose first argument is the error value (errors.bad_profile)."""
    if not isinstance(changes, dict):
        raise ValueError(bad_profile("", "not_object"))
    stored = {k: dict(v) for k, v in (settings.get("profiles") or {}).items()}
    top = {}
    for name, value in changes.items():
        _check_name(name)
        if name == GEMINI:
            top.update(_gemini_changes(value, coerce))
        elif value is None:
            stored.pop(name, None)
        else:
            stored[name] = _merged(name, stored.get(name), value, coerce)
    if len(stored) > MAX_PROFILES:
        raise ValueError(bad_profile("", "too_many", limit=MAX_PROFILES))
    return top, stored


def _check_name(name):
    if not name.strip() or len(name) > MAX_NAME or name != name.strip():
        raise ValueError(bad_profile(name[:MAX_NAME], "bad_name", limit=MAX_NAME))


def _gemini_changes(value, coerce):
    """The Gemini profile's fields as the top-level settings they are."""
    if value is None:
        raise ValueError(bad_profile(GEMINI, "keep_gemini"))
    fields = _fields(GEMINI, value, coerce)
    if fields.get("kind", "gemini") != "gemini":
        raise ValueError(bad_profile(GEMINI, "keep_gemini"))
    top = dict(fields.pop("options", {}))
    names = {"base_url": "gemini_url", "model": "model", "api_key": "api_key"}
    top.update({names[k]: v for k, v in fields.items() if k in names})
    return top


def _merged(name, old, value, coerce):
    profile = dict(old or {"kind": "", "base_url": "", "model": "", "api_key": "", "options": {}})
    fields = _fields(name, value, coerce)
    if "options" in fields:
        fields["options"] = dict(profile.get("options") or {}, **fields["options"])
        fields["options"] = {k: v for k, v in fields["options"].items() if v is not None and v != ""}
    profile.update(fields)
    if profile["kind"] not in KINDS:
        raise ValueError(bad_profile(name, "bad_kind", kinds=", ".join(sorted(KINDS))))
    if not profile["base_url"]:
        raise ValueError(bad_profile(name, "bad_url"))
    return profile


def _fields(name, value, coerce):
    """The fields of one profile's change, each checked."""
    if not isinstance(value, dict):
        raise ValueError(bad_profile(name, "not_object"))
    unknown = [k for k in value if k not in FIELDS]
    if unknown:
        raise ValueError(bad_profile(name, "unknown_field", field=unknown[0][:40]))
    out = {}
    for key in ("kind", "base_url", "model", "api_key"):
        if key in value:
            if not isinstance(value[key], str):
                raise ValueError(bad_profile(name, "not_text", field=key))
            out[key] = value[key].strip()
    if "base_url" in out and not _url_ok(out["base_url"]):
        raise ValueError(bad_profile(name, "bad_url"))
    if "options" in value:
        out["options"] = _options(name, value["options"], coerce)
    return out


def _url_ok(url):
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query \
        and not parts.username and " " not in url


def _options(name, options, coerce):
    if not isinstance(options, dict):
        raise ValueError(bad_profile(name, "not_object"))
    out = {}
    for key, value in options.items():
        if key not in OPTIONS:
            raise ValueError(bad_profile(name, "unknown_field", field=key[:40]))
        try:
            out[key] = coerce(key, value)
        except ValueError as exc:
            raise ValueError(bad_profile(name, "bad_option", why=str(exc))) from None
    return out


def from_file(raw):
    """The "profiles" object of settings.json, each profile whole or left out (a
    hand-edited file may hold anything)."""
    out = {}
    for name, profile in (raw.items() if isinstance(raw, dict) else ()):
        if (isinstance(name, str) and name != GEMINI and isinstance(profile, dict)
                and profile.get("kind") in KINDS and isinstance(profile.get("base_url"), str)):
            entry = {k: profile.get(k) if isinstance(profile.get(k), str) else "" for k in FIELDS[:4]}
            entry["options"] = {k: v for k, v in (profile.get("options") or {}).items() if k in OPTIONS} \
                if isinstance(profile.get("options"), dict) else {}
            out[name] = entry
        else:
            print("kindlechat: ignoring the unreadable profile %.40r in settings.json" % (name,))
    return out


def keys_added(changes):
    """True when a PUT's "profiles" sets a key (which ends demo mode, as api_key does)."""
    return isinstance(changes, dict) and any(isinstance(v, dict) and v.get("api_key") for v in changes.values())

"""What a reply's error adds from the notes (notes.py) and the key's own model
list: a retired model's replacement, a refused thinking level remembered, the lighter
models a day's quota suggests. No model is named here as a fact: the list is the
service's own, fetched live (models.ModelList keeps it).

    >>> listed = [{"name": n} for n in ("gemini-2.5-flash", "gemini-3.7-flash", "gemini-3.8-flash",
    ...           "gemini-3.9-flash-preview", "gemini-3.5-flash-lite", "gemini-flash-latest", "gemini-3.1-pro-preview")]
    >>> newest_flash(listed, gone={"gemini-2.5-flash"})
    'gemini-3.8-flash'
    >>> lighter(listed, "gemini-3.8-flash", gone=set())
    ['gemini-3.5-flash-lite', 'gemini-3.9-flash-preview', 'gemini-3.7-flash']
"""
import re

from .. import errors

# A name that is not a stable release: previews, experiments, and rolling aliases.
UNSTABLE = re.compile(r"preview|exp|latest|lite", re.I)
MAX_SUGGESTED = 3


def _version(name):
    return tuple(int(n) for n in re.findall(r"\d+", name))


def newest_flash(models, gone):
    """The newest stable Flash of a list (the highest version number), or None."""
    names = [m["name"] for m in models if m["name"] not in gone and "flash" in m["name"].lower()
             and not UNSTABLE.search(m["name"])]
    return max(names, key=_version) if names else None


def lighter(models, current, gone):
    """Up to three models of the list lighter than a Pro: Flash-Lite first, then Flash,
    the newest first within each, the current and the unavailable ones left out."""
    def rank(name):
        low = name.lower()
        return 0 if "lite" in low else 1 if "flash" in low else 2
    names = [m["name"] for m in models if m["name"] not in gone and m["name"] != current
             and "pro" not in m["name"].lower()]
    names.sort(key=lambda n: (rank(n), "latest" in n, tuple(-v for v in _version(n))))
    return names[:MAX_SUGGESTED]


def marked(models, profile, notes, source):
    """The list as GET /api/models gives it: each model with available (false: the
    service told this key it no longer serves it) and levels (the thinking levels to
    offer: Gemini's, less those the model refused; none for a model that does not think).

        >>> import tempfile
        >>> from kindlechat.providers.notes import ModelNotes
        >>> notes = ModelNotes(tempfile.mkdtemp()); notes.mark_unavailable("s", "old")
        >>> marked([{"name": "old", "thinking": True}, {"name": "gemini-3.8-flash", "thinking": True}],
        ...        {"kind": "gemini"}, notes, "s")[1]["levels"]
        ['LOW', 'MEDIUM', 'HIGH']
    """
    gone, gemini = notes.unavailable(source), profile.get("kind") == "gemini"
    return [dict(m, available=m["name"] not in gone,
                 levels=notes.levels(m["name"]) if gemini and m.get("thinking") is not False else [])
            for m in models]


def review(error, profile, notes, source, fetch):
    """error, with what the notes and the list add; fetch() gives the key's list ([]
    when it can't be had). The notes remember what the service said."""
    model = profile.get("model") or ""
    if error.code == "model_unavailable":
        return _unavailable(errors.naming_model(error, model), profile, notes, source, fetch)
    if error.code == "thinking_refused" and model:
        notes.refuse_level(model, (error.extra or {}).get("level"))
        return error
    if error.code == "daily_quota":
        gone = notes.unavailable(source)
        return errors.with_extra(error, suggest=lighter(fetch(), model, set(gone)))
    return error


def _unavailable(error, profile, notes, source, fetch):
    model, named = profile.get("model") or "", error.extra or {}
    if named.get("model") not in (None, model):
        return error   # a name behind an alias, not the reader's model: nothing to remember
    replacement = named.get("replacement")
    gone = set(notes.unavailable(source)) | {model}
    if not replacement:
        listed = fetch()
        if profile.get("kind") == "gemini":
            replacement = newest_flash(listed, gone)
        else:
            replacement = next((m["name"] for m in listed if m["name"] not in gone), None)
    notes.mark_unavailable(source, model, replacement)
    return errors.with_extra(error, replacement=replacement)

"""What the model services have said about their models, kept in the data folder
(models.json) so that a restart remembers it: the models a key may no longer use
(a 404 "no longer available", with the replacement named) and the thinking levels a
model refused with a 400. Nothing here knows a model by name as a fact: every note
comes from a service's own answer (errors/upstream.py reads them), except the few
refusals Google documents, seeded below with their source.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> notes = ModelNotes(folder)
    >>> source = notes.source("https://g.example", "key-1")
    >>> notes.mark_unavailable(source, "gemini-2.5-flash", "gemini-3.8-flash")
    >>> ModelNotes(folder).unavailable(source)
    {'gemini-2.5-flash': 'gemini-3.8-flash'}
    >>> notes.refuse_level("gemini-9-flash", "MINIMAL"); ModelNotes(folder).levels("gemini-9-flash")
    ['LOW', 'MEDIUM', 'HIGH']

The key itself is never written: a source is a hash of the service's URL and key.
A damaged or missing file is an empty memory (the notes are learnt again), never an error.
"""
import hashlib
import json
import os
import threading

from ..diskwrite import write_atomic

FILE = "models.json"
LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")
MAX_NOTES = 200   # per source, and models with refused levels: a hand-edited file stays small

# Refusals Google documents, so Settings leaves them out before the first 400: the
# 3.7 and 3.8 Flash take LOW, MEDIUM and HIGH only (docs/MODELS.md, "The lineup").
# Learnt refusals (refuse_level) join these; a new model needs no line here.
DOCUMENTED = {"gemini-3.8-flash": ("MINIMAL",), "gemini-3.7-flash": ("MINIMAL",)}


class ModelNotes:
    """models.json: {"unavailable": {source: {model: replacement or null}},
    "levels_refused": {model: [level, ...]}}."""

    def __init__(self, data_dir):
        self.path = os.path.join(data_dir, FILE)
        self._lock = threading.Lock()
        self._doc = self._read()

    @staticmethod
    def source(base_url, api_key):
        """The name notes of one key at one service go under (a hash: no key on disk)."""
        return hashlib.sha256(("%s\n%s" % ((base_url or "").rstrip("/"), api_key or "")).encode("utf-8")) \
            .hexdigest()[:16]

    def _read(self):
        try:
            with open(self.path, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except (OSError, ValueError):
            doc = None
        doc = doc if isinstance(doc, dict) else {}
        unavailable = doc.get("unavailable") if isinstance(doc.get("unavailable"), dict) else {}
        refused = doc.get("levels_refused") if isinstance(doc.get("levels_refused"), dict) else {}
        return {"unavailable": {s: {m: r if isinstance(r, str) else None for m, r in models.items()}
                                for s, models in unavailable.items() if isinstance(models, dict)},
                "levels_refused": {m: [lv for lv in levels if lv in LEVELS]
                                   for m, levels in refused.items() if isinstance(levels, list)}}

    def _write(self):
        """Written whole or not at all (diskwrite); a full or absent disk loses the
        note for after a restart only: it still counts while the server runs."""
        data = json.dumps(self._doc, indent=1, sort_keys=True).encode("utf-8")
        try:
            write_atomic(self.path, data, mode=0o600)
        except OSError:
            pass

    def unavailable(self, source):
        """{model: replacement or None} a key may no longer use."""
        with self._lock:
            return dict(self._doc["unavailable"].get(source) or {})

    def mark_unavailable(self, source, model, replacement=None):
        with self._lock:
            models = self._doc["unavailable"].setdefault(source, {})
            if models.get(model, False) == replacement or len(models) >= MAX_NOTES:
                return
            models[model] = replacement
            self._write()

    def refused(self, model):
        """The levels model refused (or Google documents it refuses)."""
        with self._lock:
            return set(self._doc["levels_refused"].get(model, ())) | set(DOCUMENTED.get(model, ()))

    def refuse_level(self, model, level=None):
        """Remember a refused level; None: the model refused thinking levels altogether."""
        with self._lock:
            known = self._doc["levels_refused"].setdefault(model, [])
            new = [lv for lv in ([level] if level else LEVELS) if lv in LEVELS and lv not in known]
            if not new or len(self._doc["levels_refused"]) > MAX_NOTES:
                return
            known.extend(new)
            self._write()

    def levels(self, model):
        """The thinking levels to offer for model, in order."""
        refused = self.refused(model)
        return [lv for lv in LEVELS if lv not in refused]

"""Run by a Python with Anki's own package (PyPI `anki`): import an .apkg into a
fresh collection, with its scheduling, and print what Anki sees as JSON."""
import json
import os
import sys
import tempfile

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

col = Collection(os.path.join(tempfile.mkdtemp(), "reader.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1],
                                                 options=ImportAnkiPackageOptions(with_scheduling=True)))
notes = []
for nid in col.find_notes(""):
    note = col.get_note(nid)
    card = note.cards()[0]
    memory = card.memory_state
    notes.append({"fields": dict(note.items()), "tags": note.tags, "type": card.type, "queue": card.queue,
                  "ivl": card.ivl, "deck": col.decks.name(card.did), "question": card.question(),
                  "answer": card.answer(),
                  "memory": [memory.stability, memory.difficulty] if memory else None})
col.close()
print(json.dumps(notes))

"""Settings saved by taps come close together (issue 22: a choice is saved when tapped):
concurrent changes each land, on disk too, and none fails on the shared .tmp path of
settings.json's crash-safe writer. Real threads, a real data folder."""
import json
import os
import threading

from kindlechat import settings
from kindlechat.service import ChatServer


def test_concurrent_changes_all_land(tmp_path):
    chat = ChatServer(settings.load(["--data-dir", str(tmp_path)], environ={}))
    errors, names = [], ["throttle_ms", "read_timeout", "system_instruction", "follow_ups"]

    def change(i):
        name = names[i % len(names)]
        value = {"throttle_ms": 100 + i, "read_timeout": 30.0 + i, "system_instruction": "n%d" % i,
                 "follow_ups": bool(i % 3)}[name]
        try:
            chat.update_settings({name: value})
        except Exception as exc:  # noqa: BLE001 -- any failure is the finding
            errors.append(repr(exc))
    threads = [threading.Thread(target=change, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open(os.path.join(str(tmp_path), "settings.json"), "rb") as f:
        saved = json.loads(f.read().decode("utf-8"))
    assert all(saved[n] == chat.settings[n] for n in names), "the file holds what the server holds"
    assert not os.path.exists(os.path.join(str(tmp_path), "settings.json.tmp"))

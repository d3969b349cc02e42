"""Settings (src/kindlechat/settings.py): precedence, validation, the file, and that the
README documents every one."""
import json
import os
import re

import pytest

from kindlechat import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_documents_every_setting():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", readme, re.M))
    assert documented == set(settings.SETTINGS)


def test_precedence_defaults_file_environment_flags(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"model": "from-file", "temperature": 0.1,
                                                         "throttle_ms": 700}))
    env = {"KINDLECHAT_MODEL": "from-env", "KINDLECHAT_TEMPERATURE": "0.2", "GEMINI_API_KEY": "k"}
    s = settings.load(["--data-dir", str(tmp_path), "--model", "from-flag"], environ=env)
    assert (s["model"], s["temperature"], s["throttle_ms"], s["api_key"]) == ("from-flag", 0.2, 700, "k")
    assert s["port"] == 8642 and s["host"] == "127.0.0.1"


def test_data_dir_from_environment(tmp_path):
    s = settings.load([], environ={"KINDLECHAT_DATA_DIR": str(tmp_path)})
    assert s["data_dir"] == str(tmp_path)


def test_every_setting_except_the_key_has_a_flag():
    flags = settings.parse_args(["--" + name.replace("_", "-") + ("" if settings.SETTINGS[name].type is bool else "=1")
                                 for name in settings.SETTINGS if name != "api_key"])
    assert set(flags) == set(settings.SETTINGS) - {"api_key"}
    with pytest.raises(SystemExit):
        settings.parse_args(["--api-key", "x"])     # a key on the command line shows in ps


@pytest.mark.parametrize("name, value", [("temperature", "hot"), ("temperature", 3), ("port", 0),
                                         ("throttle_ms", -1), ("show_thoughts", "maybe"),
                                         ("model", 5), ("max_output_tokens", True)])
def test_bad_values_are_refused_with_a_message(name, value):
    with pytest.raises(settings.SettingsError) as info:
        settings.coerce(name, value)
    assert name in str(info.value)


def test_bad_file_is_ignored_not_fatal(tmp_path, capsys):
    (tmp_path / "settings.json").write_bytes(b"{broken")
    s = settings.load(["--data-dir", str(tmp_path)], environ={})
    assert s["model"] == "gemini-flash-latest"
    assert "ignoring" in capsys.readouterr().out


def test_save_merges_and_is_owner_only(tmp_path):
    settings.save(str(tmp_path), {"model": "m1", "api_key": "secret"})
    settings.save(str(tmp_path), {"temperature": 0.5})
    path = tmp_path / "settings.json"
    assert json.loads(path.read_text()) == {"model": "m1", "api_key": "secret", "temperature": 0.5}
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert settings.load(["--data-dir", str(tmp_path)], environ={})["model"] == "m1"


def test_public_view_hides_key_and_token():
    shown = settings.public(dict({r.name: r.default for r in settings.ROWS}, api_key="s", token="t"))
    assert "api_key" not in shown and "token" not in shown and shown["api_key_set"] is True


@pytest.mark.parametrize("argv", [["--no-follow-ups"], ["--follow-ups=false"], ["--follow-ups", "off"]])
def test_a_flag_turns_off_what_the_file_turned_on(tmp_path, argv):
    (tmp_path / "settings.json").write_text(json.dumps({"follow_ups": True, "url_context": True}))
    s = settings.load(["--data-dir", str(tmp_path)] + argv + ["--no-url-context"], environ={})
    assert s["follow_ups"] is False and s["url_context"] is False
    assert settings.load(["--data-dir", str(tmp_path), "--follow-ups"], environ={})["follow_ups"] is True


def test_each_row_checks_its_own_values():
    """A range, a choice and the languages live in the setting's row: one place."""
    for name, bad in (("throttle_ms", 60001), ("thinking_level", "huge"), ("language", "xx")):
        assert settings.SETTINGS[name].check is not None
        with pytest.raises(settings.SettingsError):
            settings.coerce(name, bad)

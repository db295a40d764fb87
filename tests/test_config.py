"""Settings (bot.config): defaults, .env, the environment, and readable errors."""

from __future__ import annotations

import dataclasses
import re
from datetime import time
from pathlib import Path

import pytest

from bot.config import SUMMARY_ALGORITHMS, ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_with_no_env_file_and_an_empty_environment():
    s = load_settings(None, environ={})
    assert s == Settings()
    assert s.discord_token is None
    assert s.seeds_dir == Path("seeds")
    assert s.database_path == Path("data/brief.sqlite3")
    assert s.summary_algorithm == "brief"
    assert s.takeaway_count == 3
    assert s.log_level == "INFO"
    assert s.digest_time == time(9, 0)
    assert s.digest_timezone == "UTC"


def test_a_missing_env_file_is_not_an_error(tmp_path):
    assert load_settings(tmp_path / "nope.env", environ={}) == Settings()


def test_values_are_read_from_the_env_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text(
        "# comment\nTAKEAWAY_COUNT=5\nSUMMARY_ALGORITHM=lsa\nSEEDS_DIR=corpus\n"
        "DISCORD_TOKEN='abc.def'\nADMIN_USER_IDS=111111111111111111, 222222222222222222\n"
    )
    s = load_settings(env, environ={})
    assert s.takeaway_count == 5
    assert s.summary_algorithm == "lsa"
    assert s.seeds_dir == Path("corpus")
    assert s.discord_token == "abc.def"
    assert s.admin_user_ids == frozenset({111111111111111111, 222222222222222222})


def test_the_environment_wins_over_the_env_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text("TAKEAWAY_COUNT=5\nLOG_LEVEL=DEBUG\n")
    s = load_settings(env, environ={"TAKEAWAY_COUNT": "7"})
    assert s.takeaway_count == 7
    assert s.log_level == "DEBUG"


def test_process_environment_is_read_when_no_mapping_is_given(clean_env):
    clean_env.setenv("TAKEAWAY_COUNT", "4")
    assert load_settings(None).takeaway_count == 4


def test_names_and_levels_are_case_insensitive():
    s = load_settings(None, environ={"SUMMARY_ALGORITHM": " TextRank ", "LOG_LEVEL": "debug"})
    assert (s.summary_algorithm, s.log_level) == ("textrank", "DEBUG")


def test_empty_values_mean_the_default():
    s = load_settings(None, environ={"TAKEAWAY_COUNT": "", "DEV_GUILD_ID": "  ", "DIGEST_TIME": ""})
    assert s == Settings()


def test_token_is_not_in_the_settings_repr():
    s = load_settings(None, environ={"DISCORD_TOKEN": "MTIz.secret.token"})
    assert "secret" not in repr(s)


@pytest.mark.parametrize(
    ("name", "value", "accepts"),
    [
        ("TAKEAWAY_COUNT", "0", "whole number from 1 to 10"),
        ("TAKEAWAY_COUNT", "three", "whole number from 1 to 10"),
        ("SUMMARY_ALGORITHM", "foo", ", ".join(SUMMARY_ALGORITHMS)),
        ("LOG_LEVEL", "loud", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DIGEST_TIME", "25:00", "HH:MM"),
        ("DIGEST_TIME", "9am", "HH:MM"),
        ("DIGEST_TIMEZONE", "Mars/Base", "IANA time zone"),
        ("DEV_GUILD_ID", "abc", "Discord id"),
        ("DIGEST_CHANNEL_ID", "12", "Discord id"),
        ("ADMIN_USER_IDS", "111111111111111111, bob", "Discord id"),
        ("WORKERS", "-1", "from 0 to 256"),
        ("MAX_ARTICLE_BYTES", "10", "whole number"),
        ("DIGEST_MAX", "11", "from 1 to 10"),
    ],
)
def test_a_bad_value_raises_config_error_naming_the_setting_and_what_it_accepts(name, value, accepts):
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ={name: value})
    message = str(info.value)
    assert info.value.name == name
    assert name in message
    assert accepts in message
    assert "not valid" in message


def test_a_bad_value_in_the_env_file_is_reported_too(tmp_path):
    env = tmp_path / ".env"
    env.write_text("DIGEST_TIMEZONE=Mars/Base\n")
    with pytest.raises(ConfigError, match="DIGEST_TIMEZONE"):
        load_settings(env, environ={})


def test_config_error_is_a_value_error_with_a_shortened_long_value():
    with pytest.raises(ValueError) as info:
        load_settings(None, environ={"SUMMARY_ALGORITHM": "x" * 500})
    assert len(str(info.value)) < 300


# -- .env.example ------------------------------------------------------------------------

EXAMPLE = ROOT / ".env.example"


def _example_entries() -> dict[str, list[str]]:
    """NAME -> the comment lines just above its ``NAME=`` line (commented-out or not)."""
    entries: dict[str, list[str]] = {}
    comments: list[str] = []
    for raw in EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        m = re.fullmatch(r"#?\s*([A-Z][A-Z0-9_]*)=.*", line)
        if m:
            entries[m[1]] = comments
            comments = []
        elif line.startswith("#"):
            comments.append(line)
        else:
            comments = []
    return entries


def test_env_example_documents_every_setting_with_a_comment():
    assert EXAMPLE.is_file(), ".env.example is missing at the repository root"
    entries = _example_entries()
    for f in dataclasses.fields(Settings):
        name = f.name.upper()
        assert name in entries, f"{name} is not in .env.example"
        assert entries[name], f"{name} in .env.example has no comment above it"


def test_env_example_lists_only_real_settings_and_loads_as_is():
    assert EXAMPLE.is_file(), ".env.example is missing at the repository root"
    known = {f.name.upper() for f in dataclasses.fields(Settings)}
    assert set(_example_entries()) <= known
    load_settings(EXAMPLE, environ={})  # its values are all valid

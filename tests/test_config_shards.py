"""SHARD_COUNT and SHARD_IDS (bot.config): parsing and one-message errors naming the setting."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


def load(**env: str) -> Settings:
    return load_settings(None, environ=env)


def test_not_sharded_by_default_or_when_empty():
    for s in (load(), load(SHARD_COUNT="", SHARD_IDS=" ")):
        assert s.shard_count is None and s.shard_ids is None and not s.sharded


def test_a_number_or_auto():
    assert load(SHARD_COUNT=" 16 ").shard_count == 16
    assert load(SHARD_COUNT="1").sharded
    assert load(SHARD_COUNT="10000").shard_count == 10_000
    assert load(SHARD_COUNT="Auto").shard_count == "auto"
    assert load(SHARD_COUNT="auto").shard_ids is None


def test_shard_ids_are_sorted_and_unique():
    s = load(SHARD_COUNT="8", SHARD_IDS="5, 0,5 7")
    assert s.shard_ids == (0, 5, 7)
    assert load(SHARD_COUNT="2", SHARD_IDS="1").shard_ids == (1,)


@pytest.mark.parametrize("bad", ["0", "10001", "-1", "2.5", "two", "auto2"])
def test_bad_shard_count(bad):
    with pytest.raises(ConfigError, match="SHARD_COUNT") as info:
        load(SHARD_COUNT=bad)
    assert info.value.name == "SHARD_COUNT"
    assert "auto, or a whole number from 1 to 10000" in str(info.value)


@pytest.mark.parametrize(
    ("env", "accepts"),
    [
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "each from 0 to 1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,-1"}, "each from 0 to 1"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "one"}, "each from 0 to 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": ","}, "each from 0 to 3"),
        ({"SHARD_IDS": "0"}, "need a numeric SHARD_COUNT"),
        ({"SHARD_COUNT": "auto", "SHARD_IDS": "0"}, "need a numeric SHARD_COUNT"),
    ],
)
def test_bad_shard_ids(env, accepts):
    with pytest.raises(ConfigError, match="SHARD_IDS") as info:
        load(**env)
    assert info.value.name == "SHARD_IDS"
    assert accepts in str(info.value)
    assert str(info.value).count("\n") == 0

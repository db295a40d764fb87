"""The `brief` command (bot.__main__ + bot.cli): output and exit status of every subcommand."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import Executor
from pathlib import Path

import pytest

import bot.cli as cli_module
import bot.service as service_module
from bot.__main__ import main
from tests.conftest import FIXTURES, SEED, SETTING_NAMES, fixture_text

ROOT = Path(__file__).resolve().parents[1]
TAKEAWAY_KEYS = ["id", "title", "source", "dateline", "publisher_takeaways", "takeaways"]


class Brief:
    """Runs ``brief`` in-process against a temporary corpus and database."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
        self.seeds = tmp_path / "seeds"
        self.seeds.mkdir()
        self.db = tmp_path / "data" / "brief.sqlite3"
        self.env_file = tmp_path / "no.env"  # never exists: a developer's .env stays out
        self.capsys = capsys

    def base(self) -> list[str]:
        return ["--env-file", str(self.env_file), "--database", str(self.db), "--seeds", str(self.seeds)]

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            code = main([*self.base(), *args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *args: str):
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    def add(self, fixture: str, as_name: str | None = None) -> None:
        shutil.copyfile(FIXTURES / fixture, self.seeds / (as_name or fixture))


class SharedPool(Executor):
    """The session's worker process, lent to one command: its shutdown leaves the pool running."""

    def __init__(self, pool: Executor) -> None:
        self._pool = pool

    def submit(self, fn, /, *args, **kwargs):
        return self._pool.submit(fn, *args, **kwargs)

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        return self._pool.map(fn, *iterables, timeout=timeout, chunksize=chunksize)

    def shutdown(self, wait=True, *, cancel_futures=False):
        pass


@pytest.fixture
def real_brief(tmp_path, capsys, clean_env) -> Brief:
    """Each command starts (and stops) its own worker processes, as in real use."""
    clean_env.setenv("WORKERS", "1")
    return Brief(tmp_path, capsys)


@pytest.fixture
def brief(real_brief, clean_env, process_pool) -> Brief:
    """Commands borrow the session's worker process instead of spawning one each (faster)."""
    shared = SharedPool(process_pool)
    clean_env.setattr(service_module, "make_pool", lambda workers: shared)
    clean_env.setattr(cli_module, "make_pool", lambda workers: shared)
    return real_brief


@pytest.fixture
def loaded(brief) -> Brief:
    brief.add("harbor_ferry.txt", "harbor.txt")
    brief.add("town_library.txt", "library.txt")
    shutil.copyfile(SEED, brief.seeds / SEED.name)
    code, _, err = brief("reload")
    assert code == 0, err
    return brief


# -- reload --------------------------------------------------------------------------------


def test_reload_prints_the_report_and_a_second_reload_is_unchanged(real_brief):
    brief = real_brief
    brief.add("harbor_ferry.txt", "harbor.txt")
    brief.add("river_footbridge.md", "bridge.md")
    (brief.seeds / "empty.txt").write_text("")
    code, out, _ = brief("reload")
    assert code == 0
    assert out.startswith("2 added, 0 updated, 0 unchanged, 0 removed, 1 failed.")
    assert "added: bridge, harbor" in out
    assert "empty.txt: is empty" in out
    code, out, _ = brief("reload")
    assert out.startswith("0 added, 0 updated, 2 unchanged, 0 removed, 1 failed.")


def test_reload_dry_run_writes_nothing(brief):
    brief.add("harbor_ferry.txt", "harbor.txt")
    code, out, _ = brief("reload", "--dry-run")
    assert code == 0
    assert out.startswith("Dry run, nothing written: 1 added")
    assert brief.json("reload")["added"] == ["harbor"]  # still new after the dry run


def test_reload_json_shape(brief):
    brief.add("harbor_ferry.txt", "harbor.txt")
    (brief.seeds / "bad.txt").write_bytes(b"\x00\x00")
    data = brief.json("reload")
    assert data == {
        "dry_run": False,
        "added": ["harbor"],
        "updated": [],
        "unchanged": 0,
        "removed": [],
        "failed": [{"name": "bad.txt", "reason": data["failed"][0]["reason"]}],
    }
    assert "binary" in data["failed"][0]["reason"]


def test_reload_without_the_seeds_folder_exits_1(brief):
    brief.seeds.rmdir()
    code, out, err = brief("reload")
    assert code == 1
    assert out == ""
    assert err.startswith("brief: ") and "SEEDS_DIR" in err


# -- import ----------------------------------------------------------------------------------


def test_import_reports_on_stdout_and_progress_on_stderr(brief, tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"doc-{i}", "article": f"Story number {i} is here. It is short."})
             for i in range(3)]
    path.write_text("\n".join([*lines, "{broken"]) + "\n")
    code, out, err = brief("import", str(path))
    assert code == 0
    assert out.startswith("3 added, 0 updated, 0 unchanged, 0 removed, 1 failed.")
    assert "line 4:" in out
    assert "import: 4/4" in err
    data = brief.json("import", str(path))
    assert (data["added"], data["unchanged"]) == ([], 3)
    assert brief.json("list")["total"] == 3


def test_import_of_a_missing_file_exits_1(brief, tmp_path):
    code, _, err = brief("import", str(tmp_path / "nope.jsonl"))
    assert code == 1
    assert "Cannot read" in err


# -- list ------------------------------------------------------------------------------------


def test_list_shows_every_article_with_id_and_title(loaded):
    code, out, _ = loaded("list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert any(line.startswith("harbor ") and "Can the Harbor City Ferry" in line for line in lines)
    assert any("Is Japan Ready" in line and "(NationPress)" in line for line in lines)


def test_list_limit_says_how_many_more(loaded):
    code, out, _ = loaded("list", "--limit", "1")
    assert code == 0
    assert out.splitlines()[-1].startswith("… 2 more")


def test_list_json_shape(loaded):
    data = loaded.json("list")
    assert data["total"] == 3
    assert {a["id"] for a in data["articles"]} == {"harbor", "library", "000-fbe23b38341c844e"}
    seed = next(a for a in data["articles"] if a["id"] == "000-fbe23b38341c844e")
    assert list(seed) == ["id", "title", "source", "date", "dateline", "added_at"]
    assert seed["dateline"] == {"place": "Moscow", "date": "July 15"}


def test_list_of_an_empty_corpus_says_how_to_fill_it(brief):
    code, out, _ = brief("list")
    assert code == 0
    assert "corpus is empty" in out and "brief reload" in out


# -- takeaways -------------------------------------------------------------------------------


def test_takeaways_text_shows_bullets_positions_and_the_publishers(loaded):
    code, out, _ = loaded("takeaways", "japan")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Is Japan Ready to Resume Peace Talks with Russia?"
    assert "NationPress" in lines[1] and "000-fbe23b38341c844e" in lines[1]
    assert "Key takeaways (brief):" in out
    assert out.count("•") == 3
    assert "paragraph\u00a0" in out
    assert "Publisher's takeaways:" in out
    assert "Japan is open to restarting peace talks with Russia." in out


def test_takeaways_json_shape_exactly(loaded):
    data = loaded.json("takeaways", "000-fbe23b38341c844e")
    assert list(data) == TAKEAWAY_KEYS
    assert data["id"] == "000-fbe23b38341c844e"
    assert data["title"] == "Is Japan Ready to Resume Peace Talks with Russia?"
    assert data["source"] == "NationPress"
    assert data["dateline"] == {"place": "Moscow", "date": "July 15"}
    assert len(data["publisher_takeaways"]) == 5
    assert all(isinstance(t, str) for t in data["publisher_takeaways"])
    assert len(data["takeaways"]) == 3
    for t in data["takeaways"]:
        assert list(t) == ["text", "paragraph", "sentence"]
        assert isinstance(t["paragraph"], int) and isinstance(t["sentence"], int)
        assert t["text"] not in data["publisher_takeaways"]


def test_takeaways_json_for_a_plain_article_has_null_dateline(loaded):
    data = loaded.json("takeaways", "library")
    assert data["dateline"] is None and data["source"] is None
    assert data["publisher_takeaways"] == []


def test_takeaway_count_setting_is_used(loaded, clean_env):
    clean_env.setenv("TAKEAWAY_COUNT", "5")
    assert len(loaded.json("takeaways", "harbor")["takeaways"]) == 5


def test_unknown_article_exits_1_with_a_message(loaded):
    code, out, err = loaded("takeaways", "zzyzx qwv")
    assert code == 1
    assert out == ""
    assert "No article matches 'zzyzx qwv'" in err


def test_ambiguous_article_exits_1_listing_the_candidates(loaded):
    code, out, err = loaded("takeaways", "ar")  # Harbor, Library
    assert code == 1
    assert out == ""
    assert "2 articles match 'ar'" in err
    assert "Can the Harbor City Ferry Survive Another Winter? (harbor)" in err
    assert "Town Library Extends Opening Hours (library)" in err


def test_first_run_loads_seeds_dir_automatically(brief):
    brief.add("harbor_ferry.txt", "harbor.txt")
    code, out, err = brief("takeaways", "harbor")
    assert code == 0
    assert "first run: loaded" in err and "1 added" in err
    assert out.startswith("Can the Harbor City Ferry Survive Another Winter?")
    code, _, err = brief("takeaways", "harbor")
    assert "first run" not in err


# -- summary ---------------------------------------------------------------------------------


def test_summary_with_algorithm_and_sentences(loaded):
    code, out, _ = loaded("summary", "harbor", "--algorithm", "luhn", "--sentences", "2")
    assert code == 0
    assert out.splitlines()[0] == "Can the Harbor City Ferry Survive Another Winter?"
    assert "Summary (luhn, 2 sentences):" in out


def test_summary_json_shape(loaded):
    data = loaded.json("summary", "library", "--algorithm", "kl", "--sentences", "4")
    assert list(data) == ["id", "title", "algorithm", "sentences"]
    assert (data["id"], data["algorithm"]) == ("library", "kl")
    assert len(data["sentences"]) == 4
    positions = [(s["paragraph"], s["sentence"]) for s in data["sentences"]]
    assert positions == sorted(positions)
    assert loaded.json("summary", "library", "--algorithm", "kl", "--sentences", "4") == data


@pytest.mark.parametrize("value", ["0", "11", "-3", "two"])
def test_summary_sentences_out_of_range_exits_2(loaded, value):
    code, out, err = loaded("summary", "harbor", "--sentences", value)
    assert code == 2
    assert out == ""
    assert "from 1 to 10" in err


def test_summary_unknown_algorithm_exits_2(loaded):
    code, _, err = loaded("summary", "harbor", "--algorithm", "magic")
    assert code == 2
    assert "lexrank" in err


# -- analyze ---------------------------------------------------------------------------------


def test_analyze_a_file_without_touching_the_database(brief):
    code, out, _ = brief("analyze", str(FIXTURES / "rail_safety.txt"))
    assert code == 0
    assert out.startswith("Senators Strike Deal on Rail Safety Bill\n")
    assert "Key takeaways (brief):" in out
    assert not brief.db.exists()


def test_analyze_json_shape(brief):
    data = brief.json("analyze", str(FIXTURES / "harbor_ferry.txt"))
    assert list(data) == [*TAKEAWAY_KEYS, "quotes", "topics"]
    assert all(list(q) == ["quote", "speaker", "paragraph"] for q in data["quotes"])
    assert data["topics"] and all(isinstance(t, str) for t in data["topics"])
    assert data["id"] == "harbor-ferry"
    assert data["dateline"] == {"place": "Lisbon", "date": "March 3"}
    assert len(data["publisher_takeaways"]) == 3
    assert len(data["takeaways"]) == 3
    assert all(list(t) == ["text", "paragraph", "sentence"] for t in data["takeaways"])


def test_analyze_reads_standard_input(brief, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(fixture_text("town_library.txt").encode("utf-8")))
    monkeypatch.setattr(sys, "stdin", stdin)
    data = brief.json("analyze", "-")
    assert data["id"] == "stdin"
    assert data["title"] == "Town Library Extends Opening Hours"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\x00\x01\x02", "binary"), ("Café\n\nLe café.".encode("latin-1"), "UTF-8")],
)
def test_analyze_a_bad_file_exits_1_with_the_reason(brief, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, out, err = brief("analyze", str(path))
    assert code == 1
    assert out == ""
    assert message in err


def test_analyze_a_missing_file_exits_1(brief, tmp_path):
    code, _, err = brief("analyze", str(tmp_path / "missing.txt"))
    assert code == 1
    assert "Cannot read" in err


def test_analyze_jsonl_writes_one_line_per_input_line_in_order(real_brief, tmp_path):
    brief = real_brief
    records = [
        {"id": "a", "title": "Library hours", "article": fixture_text("town_library.txt").split("\n", 2)[2]},
        {"id": "b", "article": "Bakers walked out on Monday. Bread ran short by noon. Shops shut."},
        "{not json",
        {"id": "c"},
        {"id": "d", "title": "Rail", "article": fixture_text("rail_safety.txt").split("\n", 2)[2]},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    code, out, err = brief("analyze", "--jsonl", str(path))
    assert code == 1  # some lines failed
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(records)
    assert [r["id"] for r in rows] == ["a", "b", None, None, "d"]
    assert rows[2]["line"] == 3 and "JSON" in rows[2]["error"]
    assert rows[3]["line"] == 4 and '"article"' in rows[3]["error"]
    for r in (rows[0], rows[1], rows[4]):
        assert list(r)[:6] == TAKEAWAY_KEYS
        assert r["takeaways"]
    assert rows[0]["title"] == "Library hours"
    assert "line 3:" in err and "line 4:" in err


def test_analyze_jsonl_with_only_good_lines_exits_0(brief, tmp_path, monkeypatch):
    data = json.dumps({"id": "x", "article": "One fine day. Two fine days."}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(data))
    code, out, _ = brief("analyze", "--jsonl", "-")
    assert code == 0
    assert json.loads(out)["id"] == "x"


def test_analyze_without_a_file_exits_1_saying_what_to_give(brief):
    code, _, err = brief("analyze")
    assert code == 1
    assert "FILE" in err


# -- settings and the database ---------------------------------------------------------------


def test_a_bad_setting_exits_2_naming_it(brief, clean_env):
    clean_env.setenv("TAKEAWAY_COUNT", "0")
    code, out, err = brief("list")
    assert code == 2
    assert out == ""
    assert "TAKEAWAY_COUNT" in err and "1 to 10" in err


def test_a_bad_setting_in_the_env_file_exits_2_naming_it(brief):
    brief.env_file.write_text("SUMMARY_ALGORITHM=foo\n")
    code, _, err = brief("list")
    assert code == 2
    assert "SUMMARY_ALGORITHM" in err and "lexrank" in err


def test_a_corrupt_database_exits_1_with_advice(brief):
    brief.db.parent.mkdir(parents=True)
    brief.db.write_bytes(b"garbage, not sqlite " * 100)
    code, _, err = brief("list")
    assert code == 1
    assert "brief reload" in err


def test_no_subcommand_is_a_usage_error(brief):
    code, _, err = brief()
    assert code == 2
    assert "usage" in err.lower()


# -- real processes --------------------------------------------------------------------------


def _clean_environ(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(WORKERS="1", HOME=str(tmp_path))
    return env


def test_python_dash_m_bot_runs_list_json(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copyfile(SEED, seeds / SEED.name)
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"),
         "--database", str(tmp_path / "db.sqlite3"), "--seeds", str(seeds), "list", "--json"],
        cwd=tmp_path, env=_clean_environ(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [a["id"] for a in data["articles"]] == ["000-fbe23b38341c844e"]
    assert "first run" in proc.stderr


def test_brief_console_script_exits_1_for_an_unknown_article(tmp_path):
    script = Path(sys.executable).with_name("brief")
    if not script.exists():
        pytest.skip(f"no brief script beside {sys.executable}")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copyfile(FIXTURES / "rail_safety.txt", seeds / "rail.txt")
    base = [str(script), "--env-file", str(tmp_path / "none.env"),
            "--database", str(tmp_path / "db.sqlite3"), "--seeds", str(seeds)]
    env = _clean_environ(tmp_path)
    proc = subprocess.run([*base, "takeaways", "rail", "--json"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads(proc.stdout)) == TAKEAWAY_KEYS
    proc = subprocess.run([*base, "takeaways", "nothing like it"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "No article matches" in proc.stderr

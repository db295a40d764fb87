"""Bad corpus files: each one is loaded or reported with its reason, and the rest of the corpus is
unaffected (the article already loaded stays exactly as it was, nothing of the bad file is half-written).

Every case starts from the same database (one good article, loaded once for the module) and adds one
bad thing to SEEDS_DIR. See docs/reliability.md for the table of cases.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bot.corpus as corpus_module
import bot.news.analyze as analyze_module
import bot.service as service_module
from bot.news.summarize import MAX_RANKED_SENTENCES
from tests.conftest import fixture_text
from tests.helpers import build_template

GOOD = fixture_text("town_library.txt")
OTHER = fixture_text("harbor_ferry.txt")
LIMIT = 2_000_000  # the default MAX_ARTICLE_BYTES


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with one good article (``good``), loaded once for the module."""
    return build_template(tmp_path_factory.mktemp("corpus-template"), {"good.txt": GOOD})


@pytest.fixture
async def corpus(template: Path, settings: Any, make_service: Any) -> Any:
    """(service over a copy of the template, seeds folder, the good article as stored)."""
    shutil.copy(template / "seeds" / "good.txt", settings.seeds_dir / "good.txt")
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template / "db" / "brief.sqlite3", settings.database_path)
    return settings


def rows_of(db: Path, article_id: str) -> int:
    """Rows anywhere in the database that belong to one article (nothing half-written)."""
    con = sqlite3.connect(db)
    try:
        total = con.execute("SELECT count(*) FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        for table in ("sentences", "takeaways", "publisher_takeaways", "article_topics", "quotes"):
            sql = f"SELECT count(*) FROM {table} WHERE article_id = ?"
            total += con.execute(sql, (article_id,)).fetchone()[0]
        return int(total)
    finally:
        con.close()


def sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)  # a hole: no 50 MB written to disk


def non_utf8_name(seeds: Path) -> None:
    with open(os.fsencode(seeds) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(OTHER.encode("utf-8"))


ONE_LINE = ("The council met on Monday and talked for hours about the new bridge over the river. " * 12500)[
    :1_000_000
]
PARAGRAPHS = "Five Thousand Lines\n" + "\n".join(
    f"Line {i} says that the council of the town met again today." for i in range(5000)
)

# (case, what to put in SEEDS_DIR, the file reported, words of the reason) -- refused cases
REFUSED: list[tuple[str, Callable[[Path], object], str, tuple[str, ...]]] = [
    ("empty", lambda s: (s / "bad.txt").write_bytes(b""), "bad.txt", ("empty",)),
    ("whitespace only", lambda s: (s / "bad.txt").write_bytes(b" \n\t\n  \r\n"), "bad.txt",
     ("whitespace",)),
    ("binary", lambda s: (s / "bad.txt").write_bytes(bytes(range(256)) * 8), "bad.txt", ("binary",)),
    ("NUL bytes in text", lambda s: (s / "bad.txt").write_bytes(b"A title\n\nSome \x00 body text."),
     "bad.txt", ("binary", "NUL")),
    ("Latin-1", lambda s: (s / "bad.txt").write_bytes("Café news\n\nThe café opened.".encode("latin-1")),
     "bad.txt", ("not valid UTF-8", "0xe9", "save it as UTF-8")),
    ("50 MB (sparse)", lambda s: sparse(s / "bad.txt", 50 * 1024 * 1024), "bad.txt",
     (f"{LIMIT:,}-byte limit", "MAX_ARTICLE_BYTES")),
    ("a title and no body", lambda s: (s / "bad.txt").write_text("Only A Title Here\n"), "bad.txt",
     ("no body",)),
    ("symlink outside SEEDS_DIR", lambda s: os.symlink(s.parent / "outside.txt", s / "bad.txt"), "bad.txt",
     ("outside SEEDS_DIR", "not followed")),
    ("symlink loop", lambda s: (os.symlink(s / "bad2.txt", s / "bad.txt"), os.symlink(s / "bad.txt",
                                                                                       s / "bad2.txt")),
     "bad.txt", ("loops",)),
    ("a FIFO named .txt", lambda s: os.mkfifo(s / "bad.txt"), "bad.txt", ("not a regular file",)),
    ("a file name that is not UTF-8", non_utf8_name, "caf\ufffd.txt", ("not valid UTF-8", "rename")),
    ("dangling symlink inside", lambda s: os.symlink(s / "gone.txt", s / "bad.txt"), "bad.txt",
     ("cannot be read",)),
]


@pytest.mark.parametrize(
    ("make", "name", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
async def test_a_bad_file_is_reported_with_its_reason_and_the_rest_is_unaffected(
    corpus: Any, make_service: Any, make: Callable[[Path], object], name: str, words: tuple[str, ...]
) -> None:
    seeds = corpus.seeds_dir
    (seeds.parent / "outside.txt").write_text(OTHER, encoding="utf-8")  # a link target outside
    make(seeds)
    service = await make_service()
    before = await service.store.article("good")
    report = await asyncio.wait_for(service.reload(), 20)  # a FIFO once hung here for ever
    reasons = {f.name: f.reason for f in report.failed}
    assert name in reasons, report
    for word in words:
        assert word in reasons[name]
    assert report.added == report.updated == report.removed == []
    assert report.unchanged == ["good"]
    assert await service.store.article("good") == before
    assert await service.store.count_articles() == 1
    assert rows_of(corpus.database_path, "bad") == rows_of(corpus.database_path, "caf") == 0
    # and the report is stable: the next reload says the same, and nothing was half-done
    again = await asyncio.wait_for(service.reload(), 20)
    assert [(f.name, f.reason) for f in again.failed] == [(f.name, f.reason) for f in report.failed]


async def test_utf16_with_a_bom_is_decoded_and_loads(corpus: Any, make_service: Any) -> None:
    (corpus.seeds_dir / "wide.txt").write_bytes(OTHER.encode("utf-16"))
    service = await make_service()
    report = await service.reload()
    assert report.added == ["wide"] and report.failed == []
    assert (await service.store.entry("wide")).title == OTHER.splitlines()[0]  # type: ignore[union-attr]


async def test_one_line_of_1_mb_loads_with_a_short_title_and_keeps_the_line_in_the_body(
    corpus: Any, make_service: Any
) -> None:
    (corpus.seeds_dir / "oneline.txt").write_text(ONE_LINE, encoding="utf-8")
    service = await make_service()
    report = await service.reload()
    assert report.added == ["oneline"] and report.failed == []
    article = await service.store.article("oneline")
    assert article is not None
    assert len(article.title) <= 300
    assert article.title.startswith("The council met on Monday")
    assert article.body.startswith("The council met on Monday")  # the first line stayed in the body
    assert len(await service.store.takeaways("oneline", 10)) == 10


async def test_5000_one_line_paragraphs_load_and_ranking_reads_only_the_first_400_sentences(
    corpus: Any, make_service: Any
) -> None:
    (corpus.seeds_dir / "lines.txt").write_text(PARAGRAPHS, encoding="utf-8")
    service = await make_service()
    report = await service.reload()
    assert report.added == ["lines"]
    assert await service.store.paragraph_count("lines") == 5000
    ranked = await service.store.takeaways("lines", 10)
    assert len(ranked) == 10
    assert MAX_RANKED_SENTENCES == 400
    assert all(t.paragraph < MAX_RANKED_SENTENCES for t in ranked)  # one sentence a paragraph


async def test_the_same_text_under_two_names_loads_twice_with_distinct_ids(
    corpus: Any, make_service: Any
) -> None:
    (corpus.seeds_dir / "copy-a.txt").write_text(OTHER, encoding="utf-8")
    (corpus.seeds_dir / "copy-b.txt").write_text(OTHER, encoding="utf-8")
    service = await make_service()
    report = await service.reload()
    assert report.added == ["copy-a", "copy-b"]
    a, b = await service.store.article("copy-a"), await service.store.article("copy-b")
    assert a is not None and b is not None
    assert a.sha256 == b.sha256 and a.paragraphs == b.paragraphs


async def test_hidden_and_editor_temp_files_are_ignored_not_reported(corpus: Any, make_service: Any) -> None:
    for name in (".hidden.txt", ".git/x.txt", "good.txt~", "#good.txt#", ".good.txt.swp", "good.txt.tmp",
                 "~$good.txt", "good.txt.part"):
        path = corpus.seeds_dir / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(OTHER, encoding="utf-8")
    service = await make_service()
    report = await service.reload()
    assert report.added == [] and report.failed == [] and report.unchanged == ["good"]


# -- an unreadable file ----------------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file; see the monkeypatched tests")
async def test_an_unreadable_file_is_reported_chmod(corpus: Any, make_service: Any) -> None:
    path = corpus.seeds_dir / "locked.txt"
    path.write_text(OTHER, encoding="utf-8")
    path.chmod(0)
    service = await make_service()
    report = await service.reload()
    assert "cannot be read" in {f.name: f.reason for f in report.failed}["locked.txt"]


def _refuse(target: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(target):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    return fake_open


async def test_an_unreadable_file_at_the_scan_is_reported_and_nothing_else_changes(
    corpus: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus.seeds_dir / "locked.txt").write_text(OTHER, encoding="utf-8")
    monkeypatch.setattr(corpus_module, "open", _refuse("locked.txt", open), raising=False)
    service = await make_service(threads=True)
    report = await service.reload()
    assert {f.name: f.reason for f in report.failed} == {"locked.txt": "cannot be read (Permission denied)"}
    assert report.unchanged == ["good"] and report.added == []


async def test_a_file_unreadable_in_the_worker_keeps_its_stored_version(
    corpus: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = corpus.seeds_dir / "good.txt"
    service = await make_service(threads=True)
    before = await service.store.article("good")
    good.write_text(GOOD + "\nA new last line.", encoding="utf-8")  # changed: it must be read again
    monkeypatch.setattr(analyze_module, "open", _refuse("good.txt", open), raising=False)
    report = await service.reload()
    assert {f.name: f.reason for f in report.failed} == {"good.txt": "cannot be read (Permission denied)"}
    assert report.removed == [] and report.updated == []
    assert await service.store.article("good") == before
    monkeypatch.undo()
    assert (await service.reload()).updated == ["good"]


# -- a file deleted or changed while the reload reads it -------------------------------------------


def _after_scan(monkeypatch: pytest.MonkeyPatch, action: Callable[[], object]) -> None:
    """Run ``action`` between the scan (hashes taken) and the analysis (files read again)."""
    real_scan = corpus_module.scan

    def scan_then_act(*args: Any, **kwargs: Any) -> Any:
        result = real_scan(*args, **kwargs)
        action()
        return result

    monkeypatch.setattr(service_module.corpus, "scan", scan_then_act)


async def test_a_file_deleted_after_the_scan_is_reported_and_kept_until_the_next_reload(
    corpus: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = corpus.seeds_dir / "good.txt"
    good.write_text(GOOD + "\nA new last line.", encoding="utf-8")
    (corpus.seeds_dir / "new.txt").write_text(OTHER, encoding="utf-8")
    service = await make_service()
    before = await service.store.article("good")
    _after_scan(monkeypatch, lambda: (good.unlink(), (corpus.seeds_dir / "new.txt").unlink()))
    report = await service.reload()
    reasons = {f.name: f.reason for f in report.failed}
    assert reasons.keys() == {"good.txt", "new.txt"}
    assert all("cannot be read" in r for r in reasons.values())
    assert await service.store.article("good") == before  # not half-written, not yet removed
    assert rows_of(corpus.database_path, "new") == 0
    monkeypatch.undo()
    again = await service.reload()
    assert again.removed == ["good"] and again.failed == []
    assert await service.store.count_articles() == 0


async def test_a_file_changed_after_the_scan_stores_what_was_read_and_the_next_reload_agrees(
    corpus: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = corpus.seeds_dir / "good.txt"
    good.write_text(GOOD + "\nFirst edit.", encoding="utf-8")
    service = await make_service()
    _after_scan(monkeypatch, lambda: good.write_text(GOOD + "\nSecond edit, saved mid-reload.",
                                                     encoding="utf-8"))
    report = await service.reload()
    assert report.updated == ["good"]
    article = await service.store.article("good")
    assert article is not None and "Second edit" in article.body
    monkeypatch.undo()
    again = await service.reload()
    assert again.unchanged == ["good"] and again.updated == []  # the stored hash is of what was read


async def test_a_file_emptied_after_the_scan_is_reported_and_its_stored_version_kept(
    corpus: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = corpus.seeds_dir / "good.txt"
    good.write_text(GOOD + "\nAn edit.", encoding="utf-8")
    service = await make_service()
    before = await service.store.article("good")
    _after_scan(monkeypatch, lambda: good.write_bytes(b""))
    report = await service.reload()
    assert {f.name: f.reason for f in report.failed} == {"good.txt": "is empty"}
    assert await service.store.article("good") == before

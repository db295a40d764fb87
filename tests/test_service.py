"""The use cases (bot.service): reload, import, look-ups, takeaways, summaries."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

import bot.service as service_module
from bot.errors import AmbiguousArticle, ArticleNotFound, InvalidInput, ReloadInProgress
from bot.storage.store import Writer
from tests.conftest import SEED, fixture_text

HARBOR = fixture_text("harbor_ferry.txt")
LIBRARY = fixture_text("town_library.txt")
BRIDGE = fixture_text("river_footbridge.md")
RAIL = fixture_text("rail_safety.txt")


def failed_reasons(report) -> dict[str, str]:
    return {f.name: f.reason for f in report.failed}


@pytest.fixture
def record_analysis(monkeypatch):
    """Records every batch of files or texts sent to the pool (needs a thread-pool service)."""
    seen: list[str] = []
    real_files, real_texts = service_module.analyze_files, service_module.analyze_texts

    def files(tasks, *args, **kwargs):
        seen.extend(t.article_id for t in tasks)
        return real_files(tasks, *args, **kwargs)

    def texts(tasks, *args, **kwargs):
        seen.extend(t.article_id for t in tasks)
        return real_texts(tasks, *args, **kwargs)

    monkeypatch.setattr(service_module, "analyze_files", files)
    monkeypatch.setattr(service_module, "analyze_texts", texts)
    return seen


# -- reload ------------------------------------------------------------------------------


async def test_reload_adds_every_article_file(service, write_article):
    write_article("harbor.txt", HARBOR)
    write_article("world/Europe/bridge.md", BRIDGE)
    report = await service.reload()
    assert report.added == ["harbor", "world-europe-bridge"]
    assert (report.updated, report.unchanged, report.removed, report.failed) == ([], [], [], [])
    assert await service.store.count_articles() == 2
    entry = await service.store.entry("world-europe-bridge")
    assert entry.title == "New Footbridge Opens Over the River Dee"
    assert entry.path == "world/Europe/bridge.md"
    assert len(await service.store.takeaways("harbor", 10)) == 10


async def test_second_reload_reports_unchanged_and_redoes_no_work(make_service, write_article,
                                                                  record_analysis):
    service = await make_service(threads=True)
    write_article("harbor.txt", HARBOR)
    write_article("library.txt", LIBRARY)
    await service.reload()
    assert sorted(record_analysis) == ["harbor", "library"]
    record_analysis.clear()
    before = await service.store.entry("harbor")
    report = await service.reload()
    assert sorted(report.unchanged) == ["harbor", "library"]
    assert report.added == report.updated == report.removed == []
    assert record_analysis == []  # nothing sent to the pool
    assert await service.store.entry("harbor") == before


async def test_changed_content_is_reported_updated_and_stored(service, write_article):
    path = write_article("library.txt", LIBRARY)
    await service.reload()
    added_at = (await service.store.entry("library")).added_at
    path.write_text(LIBRARY.replace("nine in the evening", "ten at night"), encoding="utf-8")
    report = await service.reload()
    assert report.updated == ["library"]
    assert report.added == []
    article = await service.store.article("library")
    assert "ten at night" in article.body
    assert (await service.store.entry("library")).added_at == added_at


async def test_only_the_changed_file_is_reanalysed(make_service, write_article, record_analysis):
    service = await make_service(threads=True)
    write_article("harbor.txt", HARBOR)
    lib = write_article("library.txt", LIBRARY)
    await service.reload()
    record_analysis.clear()
    lib.write_text(LIBRARY + "\nA late addition closes the story.", encoding="utf-8")
    report = await service.reload()
    assert record_analysis == ["library"]
    assert (report.updated, report.unchanged) == (["library"], ["harbor"])


async def test_a_deleted_file_is_reported_removed_and_leaves_the_database(service, write_article):
    write_article("harbor.txt", HARBOR)
    lib = write_article("library.txt", LIBRARY)
    await service.reload()
    lib.unlink()
    report = await service.reload()
    assert report.removed == ["library"]
    assert report.unchanged == ["harbor"]
    assert await service.store.entry("library") is None
    assert await service.store.count_articles() == 1


async def test_bad_files_are_reported_with_reasons_and_the_rest_loads(
    make_service, settings, write_article, tmp_path
):
    service = await make_service(max_article_bytes=1_000)
    write_article("good.txt", RAIL)
    write_article("empty.txt", b"")
    write_article("blank.md", b"  \n\n ")
    write_article("binary.txt", b"Title\n\n\x00\x01\x02\x03 not text")
    write_article("latin.txt", "Café news\n\nThe café opened on Monday.".encode("latin-1"))
    write_article("big.txt", "Big story\n\n" + "The council met again today. " * 60)
    write_article("notitle.txt", b"Only a title\n")
    outside = tmp_path / "outside.txt"
    outside.write_text(LIBRARY, encoding="utf-8")
    os.symlink(outside, settings.seeds_dir / "link.txt")
    report = await service.reload()
    reasons = failed_reasons(report)
    assert report.added == ["good"]
    assert set(reasons) == {
        "empty.txt", "blank.md", "binary.txt", "latin.txt", "big.txt", "notitle.txt", "link.txt"
    }
    assert "empty" in reasons["empty.txt"]
    assert "whitespace" in reasons["blank.md"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin.txt"]
    assert "1,000-byte limit" in reasons["big.txt"] and "MAX_ARTICLE_BYTES" in reasons["big.txt"]
    assert "no body" in reasons["notitle.txt"]
    assert "outside SEEDS_DIR" in reasons["link.txt"]
    assert await service.store.count_articles() == 1
    assert await service.store.entry("link") is None


async def test_a_link_inside_seeds_dir_is_followed(service, settings, write_article):
    target = write_article("real/library.txt", LIBRARY)
    os.symlink(target, settings.seeds_dir / "alias.txt")
    report = await service.reload()
    assert report.added == ["alias", "real-library"]


async def test_hidden_temp_and_other_files_are_ignored(service, write_article):
    write_article("library.txt", LIBRARY)
    for name in (".hidden.txt", ".drafts/draft.txt", "library.txt~", "#library.txt#",
                 ".library.txt.swp", "notes.swp", "copy.txt.bak", "~lock.txt", "photo.png",
                 "README", "data.json"):
        write_article(name, HARBOR)
    report = await service.reload()
    assert report.added == ["library"]
    assert report.failed == []


async def test_two_files_with_the_same_id_load_one_and_report_the_other(service, write_article):
    write_article("a-b.txt", LIBRARY)
    write_article("A B.txt", HARBOR)
    report = await service.reload()
    assert len(report.added) == 1
    assert [f.name for f in report.failed] == ["a-b.txt"]  # files are scanned in sorted order
    assert "same article id" in report.failed[0].reason


async def test_a_file_that_turns_bad_keeps_its_stored_version(make_service, write_article):
    service = await make_service(max_article_bytes=2_000)
    lib = write_article("library.txt", LIBRARY)
    big = write_article("harbor.txt", RAIL)
    await service.reload()
    before = await service.store.article("library")
    lib.write_bytes(b"\x00\x01 broken by a bad save")
    big.write_text(RAIL + " More words." * 200, encoding="utf-8")
    report = await service.reload()
    assert set(failed_reasons(report)) == {"library.txt", "harbor.txt"}
    assert report.removed == []
    assert await service.store.article("library") == before
    assert await service.store.entry("harbor") is not None


async def test_dry_run_reports_changes_and_writes_nothing(service, write_article):
    write_article("harbor.txt", HARBOR)
    lib = write_article("library.txt", LIBRARY)
    report = await service.reload(dry_run=True)
    assert report.dry_run
    assert report.added == ["harbor", "library"]
    assert await service.store.count_articles() == 0
    await service.reload()
    lib.unlink()
    write_article("rail.txt", RAIL)
    write_article("harbor.txt", HARBOR + "\nOne more line of news.")
    report = await service.reload(dry_run=True)
    assert (report.added, report.updated, report.removed) == (["rail"], ["harbor"], ["library"])
    assert await service.store.entry("library") is not None
    assert await service.store.entry("rail") is None
    assert "One more line" not in (await service.store.article("harbor")).body


async def test_a_failure_mid_reload_leaves_the_old_corpus_whole(service, write_article, monkeypatch):
    lib = write_article("library.txt", LIBRARY)
    write_article("harbor.txt", HARBOR)
    await service.reload()
    before = {aid: await service.store.article(aid) for aid in ("library", "harbor")}

    lib.write_text(LIBRARY.replace("Tuesday", "Wednesday"), encoding="utf-8")
    write_article("rail.txt", RAIL)
    write_article("bridge.md", BRIDGE)
    write_article("harbor.txt", "")  # harbor now fails: its stored version stays
    calls = 0
    real_upsert_many = Writer.upsert_many

    async def flaky_upsert_many(self, items, **kwargs):
        # the first article is written for real, then the second write fails
        nonlocal calls
        for item in items:
            calls += 1
            if calls == 2:
                raise RuntimeError("disk on fire")
            await real_upsert_many(self, [item], **kwargs)

    monkeypatch.setattr(Writer, "upsert_many", flaky_upsert_many)
    with pytest.raises(RuntimeError, match="disk on fire"):
        await service.reload()
    assert calls == 2
    assert await service.store.count_articles() == 2
    for aid, article in before.items():
        assert await service.store.article(aid) == article
    assert await service.store.entry("rail") is None
    assert not service.reloading

    monkeypatch.setattr(Writer, "upsert_many", real_upsert_many)
    report = await service.reload()
    assert report.added == ["bridge", "rail"]
    assert report.updated == ["library"]
    assert "Wednesday" in (await service.store.article("library")).body
    assert await service.store.article("harbor") == before["harbor"]


async def test_a_second_reload_while_one_runs_raises_reload_in_progress(service, write_article):
    write_article("harbor.txt", HARBOR)
    first = asyncio.create_task(service.reload())
    await asyncio.sleep(0)  # the first reload takes the lock
    assert service.reloading
    with pytest.raises(ReloadInProgress):
        await service.reload()
    with pytest.raises(ReloadInProgress):
        await service.import_jsonl(SEED)
    report = await first
    assert report.added == ["harbor"]
    assert not service.reloading


async def test_reload_without_the_seeds_folder_is_a_clear_error(make_service, tmp_path):
    service = await make_service(seeds_dir=tmp_path / "nowhere")
    with pytest.raises(InvalidInput, match="SEEDS_DIR"):
        await service.reload()
    assert await service.ensure_loaded() is None


async def test_ensure_loaded_loads_only_an_empty_database(service, write_article):
    write_article("harbor.txt", HARBOR)
    report = await service.ensure_loaded()
    assert report.added == ["harbor"]
    write_article("library.txt", LIBRARY)
    assert await service.ensure_loaded() is None
    assert await service.store.count_articles() == 1


async def test_reload_reports_progress(service, write_article):
    for i in range(3):
        write_article(f"a{i}.txt", LIBRARY.replace("Tuesday", f"day {i}"))
    calls = []
    await service.reload(progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (3, 3)


# -- import --------------------------------------------------------------------------------


def jsonl(tmp_path, *lines: object, name="corpus.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8"
    )
    return path


def record(rid, text=LIBRARY, **extra):
    title, _, body = text.partition("\n")
    return {"id": rid, "title": title, "article": body.strip(), **extra}


async def test_import_adds_articles_and_reports_bad_lines_with_numbers(service, tmp_path):
    path = jsonl(
        tmp_path,
        record("cnn/2024/Bakers", source="Daily Loaf", date="2024-02-01"),  # line 1
        "",  # 2: blank, skipped
        {"id": "no-title", "article": "Bakers walked out on Monday. Bread ran short by noon."},  # 3
        "{not json",  # 4
        {"id": "x"},  # 5: no article
        "[1, 2]",  # 6: not an object
        record("cnn/2024/Bakers", RAIL),  # 7: repeated id
        {"id": "empty-body", "article": "   "},  # 8
    )
    report = await service.import_jsonl(path)
    assert sorted(report.added) == ["cnn/2024/Bakers", "no-title"]
    reasons = failed_reasons(report)
    assert set(reasons) == {"line 4", "line 5", "line 6", "line 7 (cnn/2024/Bakers)", "line 8"}
    assert "JSON" in reasons["line 4"]
    assert '"article"' in reasons["line 5"] and '"article"' in reasons["line 8"]
    assert "object" in reasons["line 6"]
    assert "repeats the id" in reasons["line 7 (cnn/2024/Bakers)"]
    entry = await service.store.entry("cnn/2024/Bakers")  # the id is kept exactly as given
    assert entry.title == "Town Library Extends Opening Hours"
    assert (entry.source, entry.date) == ("Daily Loaf", "2024-02-01")
    assert (await service.resolve("cnn/2024/Bakers")).id == "cnn/2024/Bakers"


async def test_reimport_is_unchanged_and_a_changed_article_is_updated(make_service, tmp_path,
                                                                      record_analysis):
    service = await make_service(threads=True)
    first = jsonl(tmp_path, record("a", LIBRARY), record("b", RAIL))
    await service.import_jsonl(first)
    record_analysis.clear()
    report = await service.import_jsonl(first)
    assert sorted(report.unchanged) == ["a", "b"]
    assert report.added == report.updated == []
    assert record_analysis == []
    second = jsonl(tmp_path, record("a", LIBRARY.replace("Tuesday", "Friday")), record("b", RAIL),
                   record("c", HARBOR), name="second.jsonl")
    report = await service.import_jsonl(second)
    assert (report.updated, report.unchanged, report.added) == (["a"], ["b"], ["c"])
    assert record_analysis == ["a", "c"]
    assert "Friday" in (await service.store.article("a")).body


async def test_imported_articles_survive_a_reload_of_seeds(service, tmp_path, write_article):
    await service.import_jsonl(jsonl(tmp_path, record("imported-1", RAIL)))
    write_article("library.txt", LIBRARY)
    report = await service.reload()
    assert report.removed == []
    assert await service.store.entry("imported-1") is not None


async def test_import_reports_a_line_that_is_not_utf8(service, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        json.dumps({"id": "ok", "article": "Bakers walked out. Bread ran short."}).encode() + b"\n"
        + b'{"id": "latin", "article": "The caf\xe9 opened today. Queues formed."}\n'
    )
    report = await service.import_jsonl(path)
    assert report.added == ["ok"]
    assert [f.name for f in report.failed] == ["line 2"]
    assert "UTF-8" in report.failed[0].reason


async def test_import_of_a_missing_file_is_a_clear_error(service, tmp_path):
    with pytest.raises(InvalidInput, match="Cannot read"):
        await service.import_jsonl(tmp_path / "missing.jsonl")


async def test_import_reports_progress_against_the_line_count(service, tmp_path):
    path = jsonl(tmp_path, *(record(f"r{i}") for i in range(5)))
    calls = []
    await service.import_jsonl(path, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 5)


# -- resolving an article ------------------------------------------------------------------


@pytest.fixture
async def corpus(service, copy_fixture, write_article):
    copy_fixture("harbor_ferry.txt", "harbor.txt")
    copy_fixture("town_library.txt", "library.txt")
    copy_fixture("rail_safety.txt", "rail.txt")
    write_article("library-2.txt", "Town Library Wins an Award\n\nThe town library won a prize today.")
    write_article("award.txt", "Award\n\nA short piece about an award.")
    await service.reload()
    return service


async def test_resolve_by_exact_id_any_case(corpus):
    assert (await corpus.resolve("harbor")).id == "harbor"
    assert (await corpus.resolve("  HARBOR ")).id == "harbor"


async def test_resolve_by_a_unique_title_fragment(corpus):
    assert (await corpus.resolve("rail safety")).id == "rail"
    assert (await corpus.resolve("ferry survive")).id == "harbor"


async def test_an_ambiguous_fragment_lists_the_candidates(corpus):
    with pytest.raises(AmbiguousArticle) as info:
        await corpus.resolve("town library")
    assert {i for i, _ in info.value.candidates} == {"library", "library-2"}
    assert "Town Library Extends Opening Hours" in str(info.value)
    assert "library-2" in str(info.value)


async def test_an_exact_title_among_several_matches_wins(corpus):
    assert (await corpus.resolve("award")).id == "award"


async def test_no_match_gives_not_found_with_suggestions_from_the_text(corpus):
    with pytest.raises(ArticleNotFound) as info:
        await corpus.resolve("estuary commuters")
    assert [i for i, _ in info.value.suggestions] == ["harbor"]
    assert "estuary commuters" in str(info.value)
    with pytest.raises(ArticleNotFound) as info:
        await corpus.resolve("zzyzx qwv")
    assert info.value.suggestions == []


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
async def test_an_empty_query_is_invalid_input(corpus, query):
    with pytest.raises(InvalidInput):
        await corpus.resolve(query)


# -- takeaways and summaries ---------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 4])
async def test_takeaways_count_follows_the_setting(make_service, copy_fixture, count):
    copy_fixture("harbor_ferry.txt", "harbor.txt")
    service = await make_service(takeaway_count=count)
    await service.reload()
    view = await service.takeaways("harbor")
    assert len(view.takeaways) == count
    positions = [(t.paragraph, t.sentence) for t in view.takeaways]
    assert positions == sorted(positions)


async def test_takeaways_are_body_sentences_with_the_publishers_alongside(corpus):
    view = await corpus.takeaways("harbor")
    article = await corpus.store.article("harbor")
    assert view.publisher_takeaways == article.publisher_takeaways
    assert len(view.publisher_takeaways) == 3
    for t in view.takeaways:
        assert article.paragraphs[t.paragraph][t.sentence] == t.text
        assert t.text not in view.publisher_takeaways
    data = view.as_dict()
    assert list(data) == ["id", "title", "source", "dateline", "publisher_takeaways", "takeaways"]
    assert data["dateline"] == {"place": "Lisbon", "date": "March 3"}
    assert data["source"] == "Harbor Wire"


async def test_summary_is_computed_once_then_read_from_the_cache(make_service, copy_fixture,
                                                                  monkeypatch):
    copy_fixture("harbor_ferry.txt", "harbor.txt")
    service = await make_service(threads=True)
    await service.reload()
    calls = []
    real = service_module.summarize_article

    def counting(article, algorithm, count):
        calls.append((article.id, algorithm, count))
        return real(article, algorithm, count)

    monkeypatch.setattr(service_module, "summarize_article", counting)
    first = await service.summary("harbor", "luhn", 4)
    second = await service.summary("harbor", "LUHN", 4)
    assert calls == [("harbor", "luhn", 4)]
    assert first == second
    assert len(first.sentences) == 4
    await service.summary("harbor", "luhn", 2)
    assert len(calls) == 2
    assert await service.store.cached_summary("harbor", "luhn", 2) is not None


async def test_summary_with_the_default_algorithm_uses_the_stored_ranking(corpus):
    view = await corpus.summary("harbor", None, 5)
    assert view.algorithm == "brief"
    stored = await corpus.store.takeaways("harbor", 5)
    assert sorted(view.sentences, key=lambda t: (t.paragraph, t.sentence)) == list(view.sentences)
    assert set(view.sentences) == set(stored)


async def test_summary_in_a_worker_process_matches_the_article(corpus):
    view = await corpus.summary("library", "textrank", 3)
    article = await corpus.store.article("library")
    assert len(view.sentences) == 3
    for t in view.sentences:
        assert article.paragraphs[t.paragraph][t.sentence] == t.text


@pytest.mark.parametrize(("algorithm", "count"), [("bogus", 3), ("luhn", 0), ("luhn", 11)])
async def test_summary_refuses_bad_algorithm_or_count(corpus, algorithm, count):
    with pytest.raises(InvalidInput):
        await corpus.summary("harbor", algorithm, count)


def test_worker_processes_run_at_a_lower_priority(process_pool):
    # The bot's event loop keeps its priority while a reload keeps every worker busy.
    import os

    from bot.news.analyze import WORKER_NICENESS

    mine = os.nice(0)
    theirs = process_pool.submit(os.nice, 0).result(timeout=60)
    assert theirs == min(19, mine + WORKER_NICENESS)
    assert os.nice(0) == mine  # the bot process itself is left as it was

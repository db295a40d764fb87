# ruff: noqa: E501  (article text in the fixtures)
"""Quotes through the service: per article, per speaker, autocomplete, reload, analyze --json (issue 4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.errors import InvalidInput
from bot.service import Service

Write = Callable[[str, str], Path]


def article(title: str, body: str, *, date: str | None = None) -> str:
    front = [f"title: {title}", "source: Harbour Gazette"] + ([f"date: {date}"] if date else [])
    return "---\n" + "\n".join(front) + "\n---\n" + title + "\n\n" + body.strip() + "\n"


TREATY = article(
    "Coastal Nations Sign Fishing Treaty",
    """
Norway and Iceland signed a fishing treaty on Friday that sets shared quotas for cod and herring for the next decade.

"This treaty gives our fishing towns the certainty they have asked for," said Élodie Marchand, the mediator who chaired the final round of talks.

Marchand said the quotas would be reviewed every three years. "Nobody gets everything they wanted, but everybody gets a future," she added.
""",
    date="2026-01-10",
)
DREDGING = article(
    "Port Authority Plans Harbour Dredging",
    """
The port authority will dredge the main shipping channel this summer so that larger container ships can dock.

"The channel has silted up faster than anyone predicted," said harbour master Tomas Lindqvist. He said dredging would start in June.

Fishermen worried about the spawning grounds. "We will monitor the water every week," Lindqvist said.
""",
    date="2026-02-15",
)
QUOTAS = article(
    "Cod Quotas Questioned by Boat Owners",
    """
Boat owners in the northern ports say the new fishing treaty leaves them with too little cod to stay in business.

"We cannot pay our crews on these numbers," said skipper Ingrid Halvorsen, who fishes out of Vardø.

The mediator, Elodie Marchand, defended the treaties signed this winter. "The stocks need time to recover, and the quotas will rise when they do," Marchand said.
""",
    date="2026-03-02",
)
STORM = article(
    "Storm Floods the Lower Town",
    """
Heavy rain flooded the lower town overnight and closed the coast road until the morning.

"I have never seen the water come up so fast," one neighbour recalled as crews pumped out cellars.
""",
    date="2026-03-05",
)
CORPUS = {"treaty.txt": TREATY, "dredging.txt": DREDGING, "quotas.txt": QUOTAS, "storm.txt": STORM}


@pytest.fixture
async def corpus(write_article: Write, service: Service) -> Service:
    for name, text in CORPUS.items():
        write_article(name, text)
    report = await service.reload()
    assert not report.failed, report.failed
    return service


async def test_article_quotes_in_order_with_speakers(corpus: Service) -> None:
    entry, quotes = await corpus.article_quotes("treaty")
    assert entry.id == "treaty"
    assert [(q.text, q.speaker) for q in quotes] == [
        ("This treaty gives our fishing towns the certainty they have asked for,", "Élodie Marchand"),
        ("Nobody gets everything they wanted, but everybody gets a future,", "Élodie Marchand"),
    ]
    assert [q.paragraph for q in quotes] == [1, 2]


async def test_article_quotes_by_title_fragment(corpus: Service) -> None:
    entry, quotes = await corpus.article_quotes("harbour dredging")
    assert entry.id == "dredging"
    assert [q.speaker for q in quotes] == ["Tomas Lindqvist", "Tomas Lindqvist"]
    assert quotes[1].text.startswith("We will monitor the water")


@pytest.mark.parametrize(
    "name", ["Élodie Marchand", "elodie marchand", "ELODIE MARCHAND", "Marchand", "marchand", "MARCHAND", "  Élodie   Marchand "]
)
async def test_speaker_quotes_by_full_name_or_surname_any_case_any_accents(corpus: Service, name: str) -> None:
    found, total = await corpus.speaker_quotes(name)
    assert total == 3
    assert [f.entry.id for f in found] == ["quotas", "treaty", "treaty"]  # newest article first
    assert found[0].quote.text.startswith("The stocks need time to recover")
    # within an article, in article order
    assert found[1].quote.paragraph < found[2].quote.paragraph


async def test_speaker_quotes_with_accent_typed_on_a_plain_name(corpus: Service) -> None:
    found, total = await corpus.speaker_quotes("Lindqvíst")
    assert total == 2 and {f.entry.id for f in found} == {"dredging"}


async def test_speaker_quotes_pages(corpus: Service) -> None:
    first, total = await corpus.speaker_quotes("marchand", page=0, per_page=2)
    second, _ = await corpus.speaker_quotes("marchand", page=1, per_page=2)
    assert total == 3 and len(first) == 2 and len(second) == 1
    assert second[0].quote.text.startswith("Nobody gets everything")


async def test_speaker_quotes_unknown_speaker_is_empty(corpus: Service) -> None:
    assert await corpus.speaker_quotes("Vladimir Putin") == ([], 0)
    assert await corpus.speaker_quotes("Elodie") == ([], 0)  # a first name alone is not a surname


async def test_speaker_quotes_empty_name_is_invalid(corpus: Service) -> None:
    with pytest.raises(InvalidInput):
        await corpus.speaker_quotes("   ")


async def test_unattributed_quote_has_no_speaker_and_is_never_returned_for_a_speaker(corpus: Service) -> None:
    _, quotes = await corpus.article_quotes("storm")
    assert [(q.text, q.speaker) for q in quotes] == [("I have never seen the water come up so fast,", None)]
    for name in ("neighbour", "one neighbour", "None", ""):
        if name.strip():
            assert (await corpus.speaker_quotes(name))[1] == 0
    assert all(s.speaker for s in await corpus.suggest_speakers(""))


async def test_suggest_speakers_most_quoted_first(corpus: Service) -> None:
    speakers = await corpus.suggest_speakers("")
    assert [(s.speaker, s.quotes) for s in speakers][:3] == [
        (speakers[0].speaker, 3), ("Tomas Lindqvist", 2), ("Ingrid Halvorsen", 1)
    ]
    assert speakers[0].speaker in {"Élodie Marchand", "Elodie Marchand"}
    assert len(speakers) == 3


@pytest.mark.parametrize("typed", ["lind", "Tomas", "LINDQVIST", "tom"])
async def test_suggest_speakers_by_start_of_name_or_surname(corpus: Service, typed: str) -> None:
    assert [s.speaker for s in await corpus.suggest_speakers(typed)] == ["Tomas Lindqvist"]


async def test_suggest_speakers_with_accents_typed(corpus: Service) -> None:
    assert [s.quotes for s in await corpus.suggest_speakers("Élo")] == [3]


async def test_reload_that_edits_an_article_updates_its_quotes(
    corpus: Service, write_article: Write
) -> None:
    write_article("dredging.txt", DREDGING.replace("We will monitor the water every week", "We will test the water daily"))
    report = await corpus.reload()
    assert report.updated == ["dredging"]
    _, quotes = await corpus.article_quotes("dredging")
    assert [q.text for q in quotes] == [
        "The channel has silted up faster than anyone predicted,",
        "We will test the water daily,",
    ]
    found, total = await corpus.speaker_quotes("Lindqvist")
    assert total == 2 and all("monitor" not in f.quote.text for f in found)


async def test_reload_that_removes_a_speaker_drops_their_quotes(
    corpus: Service, seeds_dir: Path
) -> None:
    (seeds_dir / "dredging.txt").unlink()
    await corpus.reload()
    assert await corpus.speaker_quotes("Lindqvist") == ([], 0)
    assert await corpus.suggest_speakers("lind") == []


async def test_role_word_before_a_name_is_not_part_of_the_speaker(
    write_article: Write, service: Service
) -> None:
    write_article("a.txt", article("Talks End", 'Talks ended on Friday.\n\n"We are close," said Élodie Marchand, who chaired them.', date="2026-01-01"))
    write_article("b.txt", article("Talks Resume", 'Talks resumed on Monday.\n\nMediator Elodie Marchand defended the deal. "It is fair," Marchand said.', date="2026-01-05"))
    await service.reload()
    speakers = await service.suggest_speakers("")
    assert [(s.quotes) for s in speakers] == [2]


# -- brief analyze --json -------------------------------------------------------------------


def test_analyze_json_includes_quotes_and_topics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quotas.txt"
    path.write_text(QUOTAS, encoding="utf-8")
    code = main(["--env-file", str(tmp_path / "missing.env"), "analyze", str(path), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["quotes"] == [
        {"quote": "We cannot pay our crews on these numbers,", "speaker": "Ingrid Halvorsen", "paragraph": 1},
        {"quote": "The stocks need time to recover, and the quotas will rise when they do,",
         "speaker": "Elodie Marchand", "paragraph": 2},
    ]
    assert isinstance(data["topics"], list) and data["topics"]
    assert all(isinstance(t, str) for t in data["topics"])
    assert "Elodie Marchand" in data["topics"]


def test_analyze_json_unattributed_speaker_is_null(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "storm.txt"
    path.write_text(STORM, encoding="utf-8")
    assert main(["--env-file", str(tmp_path / "missing.env"), "analyze", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["quotes"] == [
        {"quote": "I have never seen the water come up so fast,", "speaker": None, "paragraph": 1}
    ]
    assert '"speaker": null' in out

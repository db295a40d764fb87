"""File text -> Article (bot.news.parse). Articles here are written for these tests."""

from __future__ import annotations

import codecs
import hashlib

import pytest

from bot.news.article import Dateline
from bot.news.parse import (
    ParseError,
    article_from_record,
    article_id_for_path,
    decode,
    parse_bytes,
    parse_text,
    split_dateline,
)
from tests.conftest import FIXTURES, SEED

SEED_TAKEAWAYS = (
    "Japan is open to restarting peace talks with Russia.",
    "Territorial disputes over the Kuril Islands remain a significant hurdle.",
    "The U.S. plays a crucial role in mediating peace efforts.",
    "Relations have soured due to sanctions imposed by Japan on Russia.",
    "Both nations have engaged in talks since the mid-20th century.",
)


# -- the seed article -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    return parse_bytes(SEED.read_bytes(), article_id_for_path(SEED.name))


def test_seed_title_is_the_first_line(seed):
    assert seed.title == "Is Japan Ready to Resume Peace Talks with Russia?"


def test_seed_publisher_takeaways_are_the_five_bullets_in_order(seed):
    assert seed.publisher_takeaways == SEED_TAKEAWAYS


def test_seed_dateline_is_moscow_july_15_from_nationpress(seed):
    assert seed.dateline == Dateline("Moscow", "July 15")
    assert seed.source == "NationPress"


def test_seed_body_starts_after_the_dateline(seed):
    first = seed.paragraphs[0][0]
    assert first.startswith("Japan is prepared to restart discussions")
    assert "NationPress" not in seed.body


def test_seed_body_keeps_none_of_the_headings_or_publisher_bullets(seed):
    body = seed.body
    for bullet in SEED_TAKEAWAYS:
        assert bullet not in body
    assert "Key Takeaways" not in body
    assert "Synopsis" not in body
    assert seed.title not in body


def test_seed_empty_synopsis_heading_gives_no_synopsis(seed):
    assert seed.synopsis is None


def test_seed_has_one_paragraph_per_body_line_and_ends_with_the_last_sentence(seed):
    lines = SEED.read_text(encoding="utf-8").split("\n")
    body_lines = lines[lines.index("- " + SEED_TAKEAWAYS[-1]) + 1 :]
    assert len(seed.paragraphs) == len(body_lines) == 11
    assert seed.paragraphs[-1][-1].endswith("aims to undermine Russia’s interests.")


def test_seed_id_is_the_slug_of_the_file_name_and_sha256_is_of_the_bytes(seed):
    assert seed.id == "000-fbe23b38341c844e"
    assert seed.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()


# -- the formats -----------------------------------------------------------------------


def parse_fixture(name: str):
    return parse_bytes((FIXTURES / name).read_bytes(), article_id_for_path(name))


def test_seed_like_article_keeps_synopsis_takeaways_and_dateline_apart():
    a = parse_fixture("harbor_ferry.txt")
    assert a.title == "Can the Harbor City Ferry Survive Another Winter?"
    assert a.synopsis == "The city's oldest ferry line faces rising fuel costs and falling ridership."
    assert a.publisher_takeaways == (
        "Ridership on the crossing fell by a fifth over two years.",
        "Fuel bills doubled since the last fare review.",
        "A council vote on funding is due before the new year.",
    )
    assert a.dateline == Dateline("Lisbon", "March 3")
    assert a.source == "Harbor Wire"
    assert len(a.paragraphs) == 6
    assert a.paragraphs[0] == (
        "The Harbor City ferry carried fewer passengers this winter than in any year since it "
        "opened, its operator said on Monday.",
    )
    assert "ferry line faces rising fuel costs" not in a.body


def test_seed_format_with_trailing_newline_keeps_one_paragraph_per_line():
    data = SEED.read_bytes()
    assert len(parse_bytes(data + b"\n", "x").paragraphs) == len(parse_bytes(data, "x").paragraphs)


def test_plain_text_is_a_title_line_and_blank_line_paragraphs():
    a = parse_fixture("town_library.txt")
    assert a.id == "town-library"
    assert a.title == "Town Library Extends Opening Hours"
    assert a.dateline is None and a.source is None and a.publisher_takeaways == ()
    assert [len(p) for p in a.paragraphs] == [3, 2, 2, 2]
    # the first paragraph spans two lines of the file: they are one paragraph
    assert a.paragraphs[0][1] == (
        "The change follows a survey in which most residents asked for later hours."
    )


def test_markdown_front_matter_sets_title_source_date_and_url():
    a = parse_fixture("river_footbridge.md")
    assert a.id == "river-footbridge"
    assert a.title == "New Footbridge Opens Over the River Dee"
    assert a.source == "Valley Courier"
    assert a.date == "2024-05-14"
    assert a.url == "https://example.org/news/footbridge"


def test_markdown_headings_are_not_body_text():
    a = parse_fixture("river_footbridge.md")
    assert "Footbridge opens" not in a.body
    assert "Cost and delays" not in a.body
    assert "#" not in a.body
    assert a.paragraphs[0] == (
        "The new footbridge over the River Dee opened to walkers and cyclists on Saturday morning.",
    )
    assert len(a.paragraphs) == 4


def test_markdown_title_without_front_matter_loses_its_hashes():
    a = parse_text("## Storm closes the coast road\n\nThe coast road was shut on Friday.", "x")
    assert a.title == "Storm closes the coast road"


def test_front_matter_overrides_the_inferred_source_and_title():
    text = (
        "---\ntitle: \"Ferry: the final crossing\"\nsource: Coast Herald\nignored: yes\n---\n"
        "Ferry line closes\n\nLisbon, March 3 (Harbor Wire) The ferry made its last trip today. "
        "Nobody came to wave it off.\n"
    )
    a = parse_text(text, "x")
    assert a.title == "Ferry: the final crossing"
    assert a.source == "Coast Herald"
    assert a.dateline == Dateline("Lisbon", "March 3")
    assert a.paragraphs[0][0] == "The ferry made its last trip today."


def test_cnn_style_place_dateline_is_taken_off_the_body():
    a = parse_fixture("rail_safety.txt")
    assert a.dateline == Dateline("WASHINGTON", None)
    assert a.source == "CNN"
    assert a.paragraphs[0][0].startswith("Senators from both parties reached a deal")


@pytest.mark.parametrize(
    ("paragraph", "dateline", "source", "rest"),
    [
        (
            "MOSCOW, Russia, July 15, 2025 (Reuters) -- Talks resumed today.",
            Dateline("MOSCOW, Russia", "July 15, 2025"),
            "Reuters",
            "Talks resumed today.",
        ),
        ("LONDON, England (CNN) -- Rain fell.", Dateline("LONDON, England"), "CNN", "Rain fell."),
        ("(AP) -- Prices rose again in May.", None, "AP", "Prices rose again in May."),
        ("Prices rose again in May.", None, None, "Prices rose again in May."),
    ],
)
def test_split_dateline_variants(paragraph, dateline, source, rest):
    assert split_dateline(paragraph) == (dateline, source, rest)


def test_a_sentence_opening_with_a_weekday_and_date_is_not_a_dateline():
    text = "Ministry report\n\nOn Sunday, March 2 (local time), the ministry published its report."
    a = parse_text(text, "x")
    assert a.source is None
    assert a.paragraphs[0][0] == "On Sunday, March 2 (local time), the ministry published its report."


def test_numbered_and_starred_bullets_are_publisher_takeaways():
    text = "Title here\nKey Takeaways:\n1. First point.\n* Second point.\nThe body begins here."
    a = parse_text(text, "x")
    assert a.publisher_takeaways == ("First point.", "Second point.")
    assert a.paragraphs == (("The body begins here.",),)


def test_crlf_line_endings_parse_like_lf():
    text = (FIXTURES / "town_library.txt").read_text(encoding="utf-8")
    lf = parse_text(text, "x")
    crlf = parse_text(text.replace("\n", "\r\n"), "x")
    assert (crlf.title, crlf.paragraphs) == (lf.title, lf.paragraphs)


# -- bad and unusual inputs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "is empty"),
        (b"   \n\n\t \n", "holds only whitespace"),
        (b"Title\n\nSome \x00\x01\x02 binary", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Café opens\n\nThe café opened today.".encode("latin-1"), "not valid UTF-8"),
        (b"Just a title line\n", "no body"),
        (b"---\ntitle: Only front matter\n---\n", "no text"),
    ],
    ids=["empty", "whitespace", "nul", "png", "latin-1", "title-only", "front-matter-only"],
)
def test_unusable_inputs_are_rejected_with_a_reason(data, reason):
    with pytest.raises(ParseError, match=reason):
        parse_bytes(data, "x")


def test_latin1_rejection_says_where_and_what_to_do():
    with pytest.raises(ParseError) as info:
        decode("Café opens\n\nThe café opened.".encode("latin-1"))
    assert "0xe9" in str(info.value) and "offset 3" in str(info.value)
    assert "UTF-8" in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_unicode_files_with_a_byte_order_mark_are_decoded(encoding):
    text = "Café reopens\n\nThe café on Rua Augusta reopened on Monday. Queues formed early."
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    data = bom + text.encode(encoding)
    a = parse_bytes(data, "x")
    assert a.title == "Café reopens"
    assert a.paragraphs == (("The café on Rua Augusta reopened on Monday.", "Queues formed early."),)
    assert a.sha256 == hashlib.sha256(data).hexdigest()


def test_utf16_without_bom_is_refused_as_binary():
    with pytest.raises(ParseError, match="binary"):
        parse_bytes("Title\n\nBody text here.".encode("utf-16-le"), "x")


# -- ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "article_id"),
    [
        ("000_fbe23b38341c844e.txt", "000-fbe23b38341c844e"),
        ("world/Japan talks.md", "world-japan-talks"),
        ("A  B -- C.TXT", "a-b-c"),
        ("nested/deeper/x.txt", "nested-deeper-x"),
    ],
)
def test_article_id_is_the_slug_of_the_path_without_suffix(path, article_id):
    assert article_id_for_path(path) == article_id


def test_a_file_name_with_no_letters_or_digits_has_no_id():
    with pytest.raises(ParseError, match="no usable id"):
        article_id_for_path("___.txt")


# -- JSON-lines records ------------------------------------------------------------------


def test_record_with_title_and_metadata_parses_like_a_front_matter_file():
    text, rid = article_from_record(
        {
            "id": "cnn-0001",
            "title": "Bakers  strike\nover pay",
            "article": "Bakers walked out on Monday. Bread ran short by noon.",
            "source": "Daily Loaf",
            "date": "2024-02-01",
            "highlights": "Bakers strike.",
        }
    )
    assert rid == "cnn-0001"
    a = parse_text(text, rid)
    assert a.title == "Bakers strike over pay"
    assert a.source == "Daily Loaf" and a.date == "2024-02-01"
    assert a.paragraphs == (("Bakers walked out on Monday.", "Bread ran short by noon."),)


def test_record_without_title_uses_its_first_sentence_and_keeps_it_in_the_body():
    text, rid = article_from_record({"id": 42, "article": "Bakers walked out. Bread ran short."})
    assert rid == "42"
    a = parse_text(text, rid)
    assert a.title == "Bakers walked out."
    assert a.paragraphs[0] == ("Bakers walked out.", "Bread ran short.")


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"article": "Text here."}, '"id"'),
        ({"id": "  ", "article": "Text here."}, '"id"'),
        ({"id": "a"}, '"article"'),
        ({"id": "a", "article": "   "}, '"article"'),
        ({"id": ["a"], "article": "Text."}, '"id"'),
    ],
)
def test_record_without_id_or_article_is_refused(record, reason):
    with pytest.raises(ParseError, match=reason):
        article_from_record(record)

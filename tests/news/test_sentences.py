"""Behaviour of the offline sentence and word splitter (bot.news.sentences).

All passages here are written for these tests.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.news import sentences
from bot.news.sentences import split_sentences, split_words

ROOT = Path(__file__).resolve().parents[2]


def assert_substrings_in_order(text: str, parts: list[str]) -> None:
    pos = 0
    for part in parts:
        assert part, "empty sentence"
        assert part == part.strip(), f"not stripped: {part!r}"
        found = text.find(part, pos)
        assert found >= 0, f"not a substring in order: {part!r}"
        pos = found + len(part)


@pytest.mark.parametrize(
    ("text", "first_starts", "first_ends"),
    [
        (
            "Lisbon, May 9 (NationPress) Portugal is planning a new high-speed rail line. "
            "Work could start in two years.",
            "Lisbon, May 9 (NationPress) Portugal",
            "rail line.",
        ),
        (
            "OTTAWA (CNN) -- The Canadian parliament passed the budget late on Tuesday. "
            "The opposition voted against it.",
            "OTTAWA (CNN) -- The Canadian",
            "Tuesday.",
        ),
        (
            "(CNN)Three hikers were rescued from a mountain ridge overnight. All of them were unhurt.",
            "(CNN)Three hikers",
            "overnight.",
        ),
        (
            "DENVER, Colo. (AP) \u2014 Snow closed the main highway for hours. Crews reopened it at dusk.",
            "DENVER, Colo. (AP) \u2014 Snow",
            "for hours.",
        ),
        (
            "Rome, Aug. 21 (NationPress) Italy will host the summit in October. "
            "Leaders from 30 countries are expected.",
            "Rome, Aug. 21 (NationPress) Italy",
            "in October.",
        ),
    ],
)
@pytest.mark.parametrize("lower", [False, True], ids=["cased", "lowercased"])
def test_dateline_stays_in_first_sentence(text: str, first_starts: str, first_ends: str, lower: bool) -> None:
    if lower:
        text, first_starts, first_ends = text.lower(), first_starts.lower(), first_ends.lower()
    got = split_sentences(text)
    assert len(got) == 2
    assert got[0].startswith(first_starts)
    assert got[0].endswith(first_ends)


def test_dateline_split_off_by_a_period_is_glued_back() -> None:
    text = "NEW YORK. (Reuters) stocks fell sharply on friday. traders blamed oil prices."
    assert split_sentences(text) == [
        "NEW YORK. (Reuters) stocks fell sharply on friday.",
        "traders blamed oil prices.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr. Okafor and Dr. Lindqvist met Gen. Park and Sen. Alvarez at the U.N. on Friday.",
        "The U.S. embassy said Marlowe Holdings Inc. would pay a fine by Jan. 31.",
        "Former President George W. Bush and author J.K. Rowling were both at the gala.",
        "The bill, listed as No. 7 on the agenda, was signed by Gov. Ray Tolbert.",
        "Prices rose 3.5 percent before the market closed at 4 p.m. on Thursday.",
        "The report was written by Maria T. Okonjo, a Ph.D. student at the college.",
    ],
)
@pytest.mark.parametrize("lower", [False, True], ids=["cased", "lowercased"])
def test_abbreviations_and_initials_do_not_split(sentence: str, lower: bool) -> None:
    text = f"{sentence} Nobody else attended."
    if lower:
        text, sentence = text.lower(), sentence.lower()
    assert split_sentences(text) == [sentence, text[len(sentence) + 1 :]]


def test_common_words_that_punkt_lists_as_abbreviations_still_end_sentences() -> None:
    text = "Prices climbed again this month. Shoppers are worried. It began a year ago. No end is near."
    assert split_sentences(text) == [
        "Prices climbed again this month.",
        "Shoppers are worried.",
        "It began a year ago.",
        "No end is near.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'The coach called the result "a disaster." His players disagreed.',
            ['The coach called the result "a disaster."', "His players disagreed."],
        ),
        (
            "Witnesses called the blast \u201cterrifying.\u201d The street was closed.",
            ["Witnesses called the blast \u201cterrifying.\u201d", "The street was closed."],
        ),
        (
            '"We will rebuild," the mayor said. "It will take years."',
            ['"We will rebuild," the mayor said.', '"It will take years."'],
        ),
        (
            '"Where is the money?" she asked. Nobody answered.',
            ['"Where is the money?" she asked.', "Nobody answered."],
        ),
    ],
)
def test_quote_ending_sentences_split_after_the_closing_quote(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_lowercased_quote_then_attribution_stays_one_sentence() -> None:
    text = '"the plan is working." he said the figures would improve. markets were calm.'
    assert split_sentences(text) == [
        '"the plan is working." he said the figures would improve.',
        "markets were calm.",
    ]


def test_lowercased_text_splits_into_sentences() -> None:
    text = (
        "the river rose two meters overnight. officials closed the old bridge in 2019. "
        'residents called the warning "too late." most have now left. '
        "the mayor, mr. haddad, asked for federal help. a decision is expected on monday."
    )
    got = split_sentences(text)
    assert got == [
        "the river rose two meters overnight.",
        "officials closed the old bridge in 2019.",
        'residents called the warning "too late."',
        "most have now left.",
        "the mayor, mr. haddad, asked for federal help.",
        "a decision is expected on monday.",
    ]


def test_lowercased_ellipsis_inside_a_sentence_does_not_split() -> None:
    text = "she paused... and then signed the deal. it was worth $2 billion."
    assert split_sentences(text) == [
        "she paused... and then signed the deal.",
        "it was worth $2 billion.",
    ]


def test_numbered_list_marker_stays_with_its_item() -> None:
    text = "The plan has two parts. 1. Build more homes. 2. Cut the waiting list."
    assert split_sentences(text) == [
        "The plan has two parts.",
        "1. Build more homes.",
        "2. Cut the waiting list.",
    ]


def test_urls_and_emails_do_not_split() -> None:
    text = "Read the rules at www.example.com/rules or write to help@example.org. Replies take a day."
    assert split_sentences(text) == [
        "Read the rules at www.example.com/rules or write to help@example.org.",
        "Replies take a day.",
    ]


def test_every_sentence_is_a_stripped_substring_in_order() -> None:
    text = (
        '  The vote is set for Tuesday.\n\nTurnout may be low.   "Nobody cares," one '
        "voter said.  the count starts at 9 p.m. results follow!  Really?  "
    )
    got = split_sentences(text)
    assert len(got) >= 4
    assert_substrings_in_order(text, got)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcXYZ .?!\"'()\u201c\u201d\n19-")),
        max_size=120,
    )
)
def test_any_text_gives_stripped_nonempty_substrings(text: str) -> None:
    assert_substrings_in_order(text, split_sentences(text))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_split_words_drops_punctuation_and_keeps_inner_apostrophes_and_hyphens() -> None:
    words = split_words('"Don\'t stop," said the mid-20th century star -- twice... (really!)')
    assert words == ["Don't", "stop", "said", "the", "mid-20th", "century", "star", "twice", "really"]


def test_split_words_keeps_curly_apostrophes_and_digits() -> None:
    assert split_words("It\u2019s 2024 \u2014 rock\u2019n\u2019roll, 3.5%!") == [
        "It\u2019s",
        "2024",
        "rock\u2019n\u2019roll",
        "3.5",
    ]


def test_splitting_works_offline_and_without_nltk(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setitem(sys.modules, "nltk", None)  # "import nltk" now fails
    monkeypatch.setenv("NLTK_DATA", str(ROOT / "no-such-nltk-data"))
    sentences._tokenizer.cache_clear()  # load the model again, offline
    try:
        got = split_sentences("Dr. Mendes arrived late. The meeting began without her.")
    finally:
        sentences._tokenizer.cache_clear()
    assert got == ["Dr. Mendes arrived late.", "The meeting began without her."]


def test_module_imports_without_discord() -> None:
    code = (
        "import sys; sys.modules['discord'] = None\n"
        "from bot.news.sentences import split_sentences\n"
        "assert split_sentences('One. Two.') == ['One.', 'Two.']\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)

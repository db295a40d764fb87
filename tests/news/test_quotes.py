"""Direct quotations and their speakers (bot.news.quotes).

Every passage here was written for these tests (no real article text). The
passages in ``OWN_PASSAGES`` use the dev set's format, so that
``python bench/quotes.py --own`` scores them too.
"""

from __future__ import annotations

import re

import pytest

from bot.news.article import Quote
from bot.news.parse import article_id_for_path, parse_bytes, parse_text
from bot.news.quotes import extract_quotes, extract_quotes_from_paragraphs, speaker_key, surname
from tests.conftest import SEED


def _q(quote: str, speaker: str | None) -> dict[str, str | None]:
    return {"quote": quote, "speaker": speaker}


# One passage a rule (or two); paragraphs separated by blank lines.
OWN_PASSAGES: list[dict] = [
    {
        "id": "own-split-quote-and-pronoun",
        "rule": "a quote split around its tag is two quotes by one speaker; 'she said' after a named person",
        "text": (
            "The city of Lowmarsh will close its oldest swimming pool in May, Mayor Ingrid Solberg "
            "announced on Monday.\n\n"
            '"We kept it open as long as we could," she said, "but the roof is no longer safe."\n\n'
            "The pool opened in 1936."
        ),
        "quotes": [
            _q("We kept it open as long as we could,", "Ingrid Solberg"),
            _q("but the roof is no longer safe.", "Ingrid Solberg"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-surname-honorific-title",
        "rule": "surname only, Mr. + surname and 'the minister' resolve to the full name introduced earlier",
        "text": (
            "Health Minister Oskar Lindqvist presented a plan on Friday to hire 4,000 nurses over five "
            "years. Opposition lawmaker Petra Novak called it underfunded.\n\n"
            "“Hospitals cannot wait five years,” Novak told reporters.\n\n"
            "“The money is in the budget and the first contracts are signed,” the minister said.\n\n"
            "“Nobody is being asked to wait,” Mr. Lindqvist added."
        ),
        "quotes": [
            _q("Hospitals cannot wait five years,", "Petra Novak"),
            _q("The money is in the budget and the first contracts are signed,", "Oskar Lindqvist"),
            _q("Nobody is being asked to wait,", "Oskar Lindqvist"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-multi-paragraph",
        "rule": "a quote over several paragraphs: each paragraph is a quote, all by the tagged speaker",
        "text": (
            "The rescue ended late on Sunday when the last of the seven hikers was lifted off the ridge.\n\n"
            "“The wind dropped for twenty minutes and we took our chance. Nobody wanted to wait for "
            "another front.\n\n"
            "“They were cold and hungry, but they walked out on their own feet,” said Tobias Renner, "
            "who led the mountain rescue team."
        ),
        "quotes": [
            _q(
                "The wind dropped for twenty minutes and we took our chance. Nobody wanted to wait for "
                "another front.",
                "Tobias Renner",
            ),
            _q("They were cold and hungry, but they walked out on their own feet,", "Tobias Renner"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-multi-paragraph-tag-first",
        "rule": "a multi-paragraph quote introduced by 'NAME said:' keeps that speaker to its end",
        "text": (
            'At the award ceremony, the novelist Grace Adeyemi said: "I wrote the first chapter on a '
            "night bus.\n\n"
            '"The rest took nine years."'
        ),
        "quotes": [
            _q("I wrote the first chapter on a night bus.", "Grace Adeyemi"),
            _q("The rest took nine years.", "Grace Adeyemi"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-partial-quotes",
        "rule": "partial quotes take the subject of the speech verb or the author of the statement",
        "text": (
            "Aviation regulator chief Marta Kowalczyk said the airline's maintenance records were "
            '"patchy at best" and ordered an audit.\n\n'
            "The carrier pointed to a letter from its chief executive, Rune Halvorsen, pledging to "
            '"fix every gap within ninety days."\n\n'
            'Union officials described the audit as "long overdue."'
        ),
        "quotes": [
            _q("patchy at best", "Marta Kowalczyk"),
            _q("fix every gap within ninety days.", "Rune Halvorsen"),
            _q("long overdue.", None),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-not-speech",
        "rule": "titles, names, so-called/dubbed/known as and adjective scare quotes are not quotes",
        "text": (
            'The so-called "Blue Corridor" plan would link three ports by rail. Officials dubbed it '
            'the "backbone project" at its launch, and a documentary titled "Iron and Salt" follows '
            "its engineers.\n\n"
            'Critics said the "historic" agreement left out the smaller towns along the coast, a line '
            'the local paper known as "The Harbour Voice" has repeated all year.'
        ),
        "quotes": [],
        "non_speech_quoted": [
            "Blue Corridor",
            "backbone project",
            "Iron and Salt",
            "historic",
            "The Harbour Voice",
        ],
    },
    {
        "id": "own-apostrophes",
        "rule": "apostrophes in contractions, possessives and years never open or close a quote",
        "text": (
            "The dockers' union and the drivers' association met on Tuesday. It's the first meeting "
            "since the '90s strike.\n\n"
            "“We don't agree on much, but we agree on this,” said Colette Ambrose, the union's "
            "secretary. ‘Enough’ was the word she used twice."
        ),
        "quotes": [_q("We don't agree on much, but we agree on this,", "Colette Ambrose")],
        "non_speech_quoted": [],
    },
    {
        "id": "own-organisations",
        "rule": "an organisation speaks by its name; 'the airline' resolves to the airline named earlier",
        "text": (
            "Norvik Airlines cancelled 140 flights on Thursday after a software fault grounded its fleet "
            "for three hours.\n\n"
            '"Safety was never at risk," Norvik said in a statement.\n\n'
            '"Passengers will be rebooked free of charge," the airline added.\n\n'
            '"We are looking into the outage," the transport ministry said.'
        ),
        "quotes": [
            _q("Safety was never at risk,", "Norvik Airlines"),
            _q("Passengers will be rebooked free of charge,", "Norvik Airlines"),
            _q("We are looking into the outage,", None),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-unattributed",
        "rule": "crowds, indefinite speakers and bare plurals leave the quote unattributed",
        "text": (
            "Hundreds of fans waited outside the stadium on Saturday night.\n\n"
            '"Bring back the coach!" shouted the crowd.\n\n'
            '"We have paid for season tickets for nothing," said one supporter, who gave only his '
            "first name.\n\n"
            '"The gates will stay closed tonight," police said.'
        ),
        "quotes": [
            _q("Bring back the coach!", None),
            _q("We have paid for season tickets for nothing,", None),
            _q("The gates will stay closed tonight,", None),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-according-to",
        "rule": "'according to NAME' before or after a quote names its speaker",
        "text": (
            "Wheat prices rose for a fourth week. According to Farid Haddou, an analyst at Tessel Bank, "
            '"the market is pricing in a poor harvest before anyone has seen one."\n\n'
            '"Stocks are lower than they were in 2011," according to Haddou.'
        ),
        "quotes": [
            _q("the market is pricing in a poor harvest before anyone has seen one.", "Farid Haddou"),
            _q("Stocks are lower than they were in 2011,", "Farid Haddou"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-gender-pronoun",
        "rule": "he/she pick the person of that gender among those just named",
        "text": (
            "Ms. Lucia Ferreira met Mr. Viktor Hallberg in Geneva on Wednesday to discuss the water "
            "treaty.\n\n"
            '"The treaty has served both countries well for fifty years," she said afterwards.\n\n'
            '"We want to modernise it, not tear it up," he told journalists.'
        ),
        "quotes": [
            _q("The treaty has served both countries well for fifty years,", "Lucia Ferreira"),
            _q("We want to modernise it, not tear it up,", "Viktor Hallberg"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-untagged-continuation",
        "rule": "an untagged quote after reported speech or another quote keeps that speaker",
        "text": (
            "Principal Anselm Okoye said the school would reopen on Monday after the flood repairs.\n\n"
            '"Every classroom has been checked twice."\n\n'
            '"The library will take longer," Okoye said. "We lost most of the books on the lower shelves."'
        ),
        "quotes": [
            _q("Every classroom has been checked twice.", "Anselm Okoye"),
            _q("The library will take longer,", "Anselm Okoye"),
            _q("We lost most of the books on the lower shelves.", "Anselm Okoye"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-inverted-and-age",
        "rule": "'said NAME, the ...' and 'NAME, 34, said' name the speaker; surname: latest full name",
        "text": (
            'Two brothers run the bakery on Quay Street. "We start at three every morning," said '
            "Emil Brandt, the elder of the two.\n\n"
            'His brother, Jonas Brandt, 34, said the shop had never missed a day. "Not even during the '
            'snowstorm," Brandt said.'
        ),
        "quotes": [
            _q("We start at three every morning,", "Emil Brandt"),
            _q("Not even during the snowstorm,", "Jonas Brandt"),
        ],
        "non_speech_quoted": [],
    },
    {
        "id": "own-colon-intro-and-title-stripping",
        "rule": "'TITLE NAME told reporters:' strips titles; an unsigned statement stays unattributed",
        "text": (
            "Foreign Secretary Amelia Hartwell told reporters: “The embassy will reopen next week.”\n\n"
            "“The decision was taken without consulting us,” said a statement issued by the "
            "opposition bloc."
        ),
        "quotes": [
            _q("The embassy will reopen next week.", "Amelia Hartwell"),
            _q("The decision was taken without consulting us,", None),
        ],
        "non_speech_quoted": [],
    },
]


# -- the seed article -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_quotes() -> tuple[Quote, ...]:
    article = parse_bytes(SEED.read_bytes(), article_id_for_path(SEED.name))
    return extract_quotes(article)


def test_seed_has_exactly_the_four_quotes_with_their_speakers(seed_quotes):
    got = [(q.text.split()[:4], q.speaker) for q in seed_quotes]
    assert got == [
        (["To", "establish", "stable", "relations"], "Akira Muto"),
        (["develop", "relations", "with", "Tokyo."], "Vladimir Putin"),
        (["We", "closely", "monitor", "the"], "Akira Muto"),
        (["The", "Japanese", "government", "supports"], "Akira Muto"),
    ]
    assert seed_quotes[1].text == "develop relations with Tokyo."
    assert seed_quotes[0].text.startswith("To establish stable relations with Russia")
    assert seed_quotes[0].text.endswith("Our stance on this matter remains unchanged,")


def test_seed_quote_offsets_point_into_the_paragraph_text():
    article = parse_bytes(SEED.read_bytes(), article_id_for_path(SEED.name))
    for q in extract_quotes(article):
        assert " ".join(article.paragraphs[q.paragraph])[q.start : q.end] == q.text


def test_seed_leaves_out_the_northern_territories(seed_quotes):
    assert not any("Northern Territories" in q.text for q in seed_quotes)


# -- the interface ----------------------------------------------------------------------


def test_quote_as_dict_has_the_json_shape():
    q = Quote(text="Hello,", speaker=None, paragraph=2, start=1, end=7)
    assert q.as_dict() == {"quote": "Hello,", "speaker": None, "paragraph": 2}


def test_quotes_are_frozen():
    q = Quote(text="x", speaker="A B", paragraph=0, start=0, end=1)
    with pytest.raises(AttributeError):
        q.text = "y"  # type: ignore[misc]


def test_extract_quotes_from_an_article_matches_the_paragraph_function():
    text = 'Title\n\n"We are ready," said Nora Lind.\n\nShe left at noon.'
    article = parse_text(text, "t")
    assert extract_quotes(article) == extract_quotes_from_paragraphs(
        [" ".join(p) for p in article.paragraphs]
    )
    (q,) = extract_quotes(article)
    assert (q.text, q.speaker, q.paragraph) == ("We are ready,", "Nora Lind", 0)


def test_no_marks_no_quotes():
    assert extract_quotes_from_paragraphs(["Nothing quoted here.", "Nor here."]) == ()
    assert extract_quotes_from_paragraphs([]) == ()


@pytest.mark.parametrize("name", ["Akira Muto", "akira muto", "AKIRA MUTO", "Akira Múto", " Akira   Muto "])
def test_speaker_key_folds_case_accents_and_spaces(name):
    assert speaker_key(name) == "akira muto"


def test_speaker_key_folds_typographic_apostrophes():
    assert speaker_key("Conan O’Brien") == speaker_key("conan o'brien")


@pytest.mark.parametrize(
    ("name", "last"),
    [
        ("Akira Muto", "Muto"),
        ("Muto", "Muto"),
        ("Martin Luther King Jr.", "King"),
        ("Faustino Dry III", "Dry"),
    ],
)
def test_surname_is_the_last_name_word(name, last):
    assert surname(name) == last
    assert speaker_key(surname(name)) == speaker_key(last)


def test_the_quotes_module_imports_no_discord():
    import bot.news.quotes as mod

    assert not re.search(r"^\s*(?:import|from)\s+discord", open(mod.__file__, encoding="utf-8").read(), re.M)


# -- one test a passage -----------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


@pytest.mark.parametrize("passage", OWN_PASSAGES, ids=[p["id"] for p in OWN_PASSAGES])
def test_own_passage(passage):
    found = extract_quotes_from_paragraphs(_paragraphs(passage["text"]))
    assert [(q.text, q.speaker) for q in found] == [(g["quote"], g["speaker"]) for g in passage["quotes"]], (
        passage["rule"]
    )
    for q in found:
        assert _paragraphs(passage["text"])[q.paragraph][q.start : q.end] == q.text


# -- single rules -------------------------------------------------------------------------


def test_straight_and_curly_marks_both_work():
    for a, b in (('"', '"'), ("“", "”"), ("«", "»")):
        (q,) = extract_quotes_from_paragraphs([f"{a}It works,{b} said Hana Ito."])
        assert (q.text, q.speaker) == ("It works,", "Hana Ito")


def test_a_nested_single_quote_stays_inside():
    (q,) = extract_quotes_from_paragraphs(["\"He told me 'wait here' and left,\" said Ruth Obi."])
    assert q.text == "He told me 'wait here' and left,"


def test_quoted_title_after_called_is_not_speech_but_called_with_an_object_is():
    found = extract_quotes_from_paragraphs(
        ['She starred in a film called "Blue Harbour". Critic Ian Moss called the film "a quiet triumph."']
    )
    assert [(q.text, q.speaker) for q in found] == [("a quiet triumph.", "Ian Moss")]


def test_a_name_is_never_guessed_for_an_untagged_opening_quote():
    (q,) = extract_quotes_from_paragraphs(['"Prices will rise again."', "Lena Vogt is an economist."])
    assert q.speaker is None


def test_the_company_said_resolves_to_the_named_company():
    found = extract_quotes_from_paragraphs(
        ["Keller Motors recalled 3,000 vans.", '"No injuries have been reported," the company said.']
    )
    assert [q.speaker for q in found] == ["Keller Motors"]


def test_missing_closing_mark_runs_to_the_end_of_the_paragraph():
    (q,) = extract_quotes_from_paragraphs(['Mayor Tom Reyes said: "We will rebuild every house'])
    assert (q.text, q.speaker) == ("We will rebuild every house", "Tom Reyes")


def test_said_by_matches_full_name_or_surname_in_any_case_and_accents() -> None:
    from bot.news.article import Quote
    from bot.news.quotes import said_by

    quote = Quote("We will build it.", "Élodie Marchand", 0, 1, 18)
    assert said_by(quote, "Elodie Marchand")
    assert said_by(quote, "marchand")
    assert said_by(quote, "MARCHAND")
    assert not said_by(quote, "Elodie")
    assert not said_by(quote, "Marchan")
    assert not said_by(Quote("Nobody said this.", None, 0, 1, 18), "marchand")


def test_end_anchored_cues_read_only_the_last_words_and_agree_with_a_full_search():
    import itertools
    import random

    from bot.news import quotes

    words = ["known", "widely", "as", "referred", "to", "the", "word", "so", "called", "so-called",
             "dubbed", "him", "a", "film", "(branded", "x-labelled", "said", "it", "Read", "MOTTO", "them"]
    spaces = [" ", "  ", "\t", "\n", " \u00a0"]
    rng = random.Random(5)
    cases = []
    for n in range(1, 9):
        for _ in range(300):
            parts = [rng.choice(words) for _ in range(n)]
            seps = [rng.choice(spaces) for _ in range(n)]
            cases.append("".join(itertools.chain.from_iterable(zip(parts, seps, strict=True))))
            cases.append(cases[-1].rstrip() + rng.choice(["", ",", ":", ", ", ":\n", " ,  "]))
    cases += ["", " ", "called", "a film called ", "known  widely\tas  them \n", "the said so-called "]
    matched: dict[str, int] = {}
    for text in cases:
        tail = quotes._last_chunks(text, 4)
        assert text.endswith(tail)
        for pattern in (quotes._LABEL_CUE, quotes._LABEL_CUE_GAP):
            found = bool(pattern.search(text))
            assert bool(pattern.search(tail)) == found, (pattern.pattern[:20], text)
            matched[pattern.pattern] = matched.get(pattern.pattern, 0) + found
        assert quotes._ends_in_comma_or_colon(text) == bool(re.search(r"[,:]\s*$", text)), text
    assert all(count > 100 for count in matched.values())  # both patterns matched often

"""Brief's takeaway ranker (bot.news.ranker) and the datelines it relies on.

Every article here is written for these tests.
"""

from __future__ import annotations

import json
import socket

import pytest
from sumy.nlp.stemmers import Stemmer

from bot.news import summarize
from bot.news.article import Article, Dateline
from bot.news.parse import parse_text, split_dateline
from bot.news.ranker import PARAMS_PATH, BriefSummarizer, RankerParams, default_params, inside_quotation
from bot.news.sentences import split_words
from tests.conftest import FIXTURES, SEED

# A lead, two near-copies of one fact, a fragment, a question, and background.
HARBOR = "\n\n".join(
    [
        "Harbor ferry returns after storm",
        (
            "Marlow Bay, March 3 (Coast Herald) The harbor ferry between Marlow Bay and Ostin Island "
            "will run again on Monday after a storm closed the route for nine days, the port authority "
            "said."
        ),
        "Read more.",
        (
            "Engineers replaced the damaged ramp at the Ostin Island pier, and inspectors approved the "
            "ferry for passengers on Friday afternoon."
        ),
        (
            "The ferry between Marlow Bay and Ostin Island will run again on Monday after the storm "
            "closed the route for nine days."
        ),
        "Will the new ramp survive the next winter storm?",
        (
            "The port authority said the first ferry will leave Marlow Bay at 6:30 in the morning and "
            "that tickets bought before the storm remain valid."
        ),
        (
            "Islanders relied on fishing boats and a helicopter for groceries and medicine while the "
            "ferry route was closed."
        ),
        (
            "The ferry has carried passengers between Marlow Bay and Ostin Island since 1962, and it "
            "is the only car link to the island."
        ),
    ]
)


class NetworkCut(OSError):
    pass


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network and no NLTK data: the ranker must need neither."""

    def no_network(*args, **kwargs):
        raise NetworkCut("network unreachable in tests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    import nltk.data

    def no_data(*args, **kwargs):
        raise LookupError("NLTK data is not available in tests")

    monkeypatch.setattr(nltk.data, "find", no_data)
    monkeypatch.setattr(nltk.data, "load", no_data)


def make_ranker(**changes: float) -> BriefSummarizer:
    ranker = BriefSummarizer(Stemmer(summarize.LANGUAGE), default_params().with_(**changes))
    ranker.stop_words = summarize.stop_words()
    return ranker


def ranked(article: Article, count: int = 3, **changes: float) -> list[tuple[int, int, str]]:
    """What ``summarize.rank`` would give with this ranker: (paragraph, sentence, text), best first."""
    document, positions = summarize.build_document(article)
    capture = summarize._RankCapture(count)
    make_ranker(**changes)(document, capture)
    out = []
    for info in capture.ranked:
        p, s = positions[id(info.sentence)]
        out.append((p, s, article.paragraphs[p][s]))
    return out


@pytest.fixture(scope="module")
def harbor() -> Article:
    return parse_text(HARBOR, "harbor")


def test_params_file_loads_and_names_only_known_weights():
    data = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    params = RankerParams.from_mapping(data)
    assert params == default_params()
    assert {k for k in data if not k.startswith("_")} == set(RankerParams().as_dict())
    assert 1 <= params.min_words <= 20 and params.max_words >= 30


def test_unknown_parameter_is_refused():
    with pytest.raises(ValueError, match="unknown ranker parameters: speed"):
        RankerParams.from_mapping({"speed": 1.0})


@pytest.mark.parametrize("path", [SEED, *sorted(FIXTURES.iterdir())], ids=lambda p: p.name)
def test_takeaways_are_whole_sentences_of_the_body(path):
    article = parse_text(path.read_text(encoding="utf-8"), "x")
    body = {text for _, _, text in article.sentences()}
    picks = ranked(article, 3)
    assert len(picks) == min(3, article.sentence_count)
    for p, s, text in picks:
        assert text in body and article.paragraphs[p][s] == text
    assert len({(p, s) for p, s, _ in picks}) == len(picks)


def test_no_two_takeaways_say_the_same_thing(harbor):
    picks = [text for _, _, text in ranked(harbor, 5)]
    copies = [t for t in picks if "will run again on Monday" in t]
    assert len(copies) == 1


def test_near_duplicates_are_picked_when_redundancy_is_switched_off(harbor):
    picks = [text for _, _, text in ranked(harbor, 3, redundancy=0.0, duplicate=2.0, position=5.0)]
    assert sum("will run again on Monday" in t for t in picks) == 2


def test_no_takeaway_is_shorter_than_a_clause(harbor):
    params = default_params()
    for _, _, text in ranked(harbor, 5):
        assert text != "Read more."
        assert len(split_words(text)) >= params.min_words


def test_a_run_on_sentence_is_not_a_takeaway():
    run_on = " ".join(f"item{i}" for i in range(default_params().max_words + 20)) + "."
    text = (
        "List\n\n" + run_on + "\n\n"
        "The council approved the new budget for the city schools on Tuesday night.\n\n"
        "Teachers will get a raise of three percent under the budget that the council approved."
    )
    picks = [t for _, _, t in ranked(parse_text(text, "x"), 2)]
    assert run_on not in picks


def test_only_fragments_left_still_gives_takeaways():
    article = parse_text("Notes\n\nRain.\n\nWind.\n\nCold.", "x")
    assert len(ranked(article, 3)) == 3


def test_position_alone_ranks_in_article_order(harbor):
    only_position = {
        "centroid": 0.0, "lexrank": 0.0, "length": 0.0, "question": 0.0, "quote": 0.0,
        "attribution": 0.0, "redundancy": 0.0, "duplicate": 2.0, "min_words": 0, "max_words": 10_000,
    }
    picks = [(p, s) for p, s, _ in ranked(harbor, 4, **only_position)]
    assert picks == sorted(picks)
    assert picks[0] == (0, 0)


def test_the_lead_sentence_comes_first(harbor):
    assert ranked(harbor, 1)[0][2].startswith("The harbor ferry between Marlow Bay")


def test_centrality_alone_prefers_the_sentence_that_shares_most_with_the_article(harbor):
    central = {"position": 0.0, "lexrank": 0.0, "length": 0.0, "redundancy": 0.0, "centroid": 1.0}
    first = ranked(harbor, 1, **central)[0][2]
    assert "Marlow Bay" in first and "Ostin Island" in first and "ferry" in first


def test_a_question_is_not_a_takeaway(harbor):
    assert all(not t.endswith("?") for _, _, t in ranked(harbor, 4))


def test_sentences_inside_a_quoted_passage_are_marked():
    curly = ("“We will rebuild.", "The ramp comes first.", "Then the pier,” she said.", "Work starts soon.")
    straight = ('"we will rebuild.', "the ramp comes first.", 'then the pier," she said.', "work begins.")
    expected = [False, True, True, False]
    assert inside_quotation([curly]) == expected
    assert inside_quotation([straight]) == expected
    assert inside_quotation([("“One.", "Two."), ("Three.",)]) == [False, True, False]  # per paragraph
    # both marks in one sentence: followed in order, a stray closing mark never goes below zero
    assert inside_quotation([("It was ”odd“ he said.", "Later.")]) == [False, True]
    assert inside_quotation([("“Yes,” she said, “and more.", "Then.", "Done”.", "After.")]) == [
        False, True, True, False
    ]


def test_features_do_not_depend_on_what_the_process_ranked_before():
    from bot.news import ranker

    def features(texts):
        return ranker.sentence_features(
            texts, [split_words(t) for t in texts], summarize.stem, summarize.stop_words()
        )

    first = ["The harbor ferry runs again.", "Ferries crossed the harbor at dawn.", "Storms closed it."]
    second = ["Dawn storms closed the harbor.", "The ferry waited, 12 ferries in the harbor.", "Crews left."]
    features(first)
    warm = features(second)
    ranker._term_cache.cache_clear()
    cold = features(second)
    for name in ("words", "centroid", "lexrank", "similarity"):
        assert (getattr(warm, name) == getattr(cold, name)).all(), name
    assert list(cold.words) == [5.0, 7.0, 2.0]  # every token with a letter ("12" is not), stop words too
    assert cold.similarity[0, 1] > 0 and cold.similarity[0, 2] == 0  # "harbor" shared


def test_the_middle_of_a_quoted_passage_counts_as_a_quote_and_is_penalised():
    text = "\n\n".join([
        "Pier",
        "The town council voted on Monday to rebuild the old pier before the summer season begins.",
        "“We will rebuild the pier with stone. The council voted for the pier and for the harbor "
        "wall today. It will take a year,” the mayor said.",
        "Builders from the harbor company will start work on the pier in April, the council said.",
    ])
    article = parse_text(text, "x")
    document, _ = summarize.build_document(article)
    assert make_ranker().features(document).quote.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    middle = "The council voted for the pier and for the harbor wall today."

    def place(**changes: float) -> int:
        return [t for _, _, t in ranked(article, 5, **changes)].index(middle)

    assert place(quote=1.0) > place(quote=0.0)


def test_rank_capture_sees_picks_best_first(harbor):
    picks = ranked(harbor, 3)
    two = ranked(harbor, 2)
    assert picks[:2] == two


def test_sumy_call_with_a_plain_count_returns_sentences_in_document_order(harbor):
    document, positions = summarize.build_document(harbor)
    out = make_ranker()(document, 3)
    order = [positions[id(s)] for s in out]
    assert len(out) == 3 and order == sorted(order)


def test_an_empty_document_gives_nothing():
    from sumy.models.dom import ObjectDocumentModel

    assert make_ranker()(ObjectDocumentModel(()), 3) == ()


def test_a_one_sentence_article_gives_that_sentence():
    article = parse_text("Title\n\nThe only sentence of this article is here.", "x")
    assert [t for _, _, t in ranked(article, 3)] == ["The only sentence of this article is here."]


# --------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    ("paragraph", "dateline", "source", "rest"),
    [
        ("(CNN)Five hikers were found safe.", None, "CNN", "Five hikers were found safe."),
        ("(cnn) five hikers were found safe.", None, "cnn", "five hikers were found safe."),
        (
            "garissa, kenya (cnn) the school reopened.",
            Dateline("garissa, kenya"),
            "cnn",
            "the school reopened.",
        ),
        ("washington (cnn) -- the vote passed.", Dateline("washington"), "cnn", "the vote passed."),
        ("london , england ( cnn ) -- rain fell.", Dateline("london , england"), "cnn", "rain fell."),
        (
            "Garissa, Kenya (CNN) The school reopened.",
            Dateline("Garissa, Kenya"),
            "CNN",
            "The school reopened.",
        ),
        (
            "By . Staff Reporter . PUBLISHED: 10:07 EST, 3 March 2014 . | . "
            "UPDATED: 11:15 EST, 3 March 2014 . A bridge closed.",
            None,
            None,
            "A bridge closed.",
        ),
        ("by . staff reporter . a bridge closed.", None, None, "a bridge closed."),
    ],
)
def test_lowercased_and_outlet_datelines_are_taken_off(paragraph, dateline, source, rest):
    assert split_dateline(paragraph) == (dateline, source, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "by the time police arrived, the crowd had gone.",
        "Prices rose (AP) today.",
        "the man told cnn (cnn) he was fine.",
        "On Sunday (CNN) viewers saw it.",
        "(Updated) The story changed.",
    ],
)
def test_sentences_that_only_look_like_datelines_stay(paragraph):
    assert split_dateline(paragraph) == (None, None, paragraph)


def test_a_lowercased_record_loses_its_dateline_before_ranking():
    text = "Title\n\ngarissa, kenya (cnn) the school reopened on monday after a week of closures. all came."
    article = parse_text(text, "x")
    assert article.paragraphs[0][0] == "the school reopened on monday after a week of closures."
    assert article.source == "cnn"

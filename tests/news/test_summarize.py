"""The sumy pipeline (bot.news.summarize): every algorithm, offline, over the body only."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.news.parse import article_id_for_path, parse_bytes
from bot.news.summarize import (
    ALGORITHMS,
    MAX_SENTENCES,
    UnknownAlgorithm,
    build_document,
    rank,
    summarize,
)
from tests.conftest import FIXTURES, SEED

ROOT = Path(__file__).resolve().parents[2]
ARTICLE_FILES = [SEED, *sorted(FIXTURES.iterdir())]


class NetworkCut(OSError):
    pass


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network and no NLTK data: any attempt to use either fails the test loudly."""

    def no_network(*args, **kwargs):
        raise NetworkCut("network unreachable in tests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    nltk = pytest.importorskip("nltk")

    def no_nltk_data(*args, **kwargs):
        raise LookupError("NLTK data is not available in tests")

    monkeypatch.setattr(nltk.data, "find", no_nltk_data)
    monkeypatch.setattr(nltk.data, "load", no_nltk_data)
    monkeypatch.setattr(nltk, "download", no_nltk_data)


def test_the_network_is_really_cut():
    with pytest.raises(NetworkCut):
        socket.create_connection(("example.org", 80), timeout=1)


def load(path: Path):
    return parse_bytes(path.read_bytes(), article_id_for_path(path.name))


@pytest.fixture(scope="module", params=ARTICLE_FILES, ids=lambda p: p.name)
def article(request):
    return load(request.param)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_gives_n_body_sentences_in_article_order_offline(article, algorithm):
    n = min(3, article.sentence_count)
    result = summarize(article, algorithm, n)
    assert len(result) == n
    positions = [(t.paragraph, t.sentence) for t in result]
    assert positions == sorted(positions)
    assert len(set(positions)) == n
    for t in result:
        assert article.paragraphs[t.paragraph][t.sentence] == t.text


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("count", [1, 5, MAX_SENTENCES])
def test_rank_on_the_seed_gives_count_distinct_body_sentences(algorithm, count):
    a = load(SEED)
    result = rank(a, algorithm, count)
    assert len(result) == count
    assert len({(t.paragraph, t.sentence) for t in result}) == count
    for t in result:
        assert a.paragraphs[t.paragraph][t.sentence] == t.text
        assert t.text not in a.publisher_takeaways


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_rank_is_best_first_and_summarize_is_the_same_set_in_article_order(algorithm):
    a = load(SEED)
    best5 = rank(a, algorithm, 5)
    assert rank(a, algorithm, 1) == best5[:1]
    assert rank(a, algorithm, 3) == best5[:3]
    assert summarize(a, algorithm, 5) == tuple(
        sorted(best5, key=lambda t: (t.paragraph, t.sentence))
    )


def test_rank_order_differs_from_article_order_for_some_algorithm():
    """Keeps the test above honest: ranking is not just article order."""
    a = load(SEED)
    assert any(rank(a, alg, 5) != summarize(a, alg, 5) for alg in ALGORITHMS)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_publisher_takeaways_are_not_input_to_ranking(algorithm):
    a = load(SEED)
    loud = ("Kuril Kuril Kuril islands islands peace treaty Japan Russia Moscow Tokyo.",) * 5
    assert rank(a, algorithm, 5) == rank(
        dataclasses.replace(a, publisher_takeaways=loud), algorithm, 5
    )
    assert rank(a, algorithm, 5) == rank(dataclasses.replace(a, publisher_takeaways=()), algorithm, 5)


def test_sumy_document_holds_only_body_sentences():
    a = load(SEED)
    document, positions = build_document(a)
    assert [str(s) for s in document.sentences] == [text for _, _, text in a.sentences()]
    assert sorted(positions.values()) == [(p, s) for p, s, _ in a.sentences()]


def test_count_larger_than_the_body_gives_every_sentence():
    a = load(FIXTURES / "rail_safety.txt")
    assert a.sentence_count == 6
    for algorithm in ALGORITHMS:
        assert len(summarize(a, algorithm, MAX_SENTENCES)) == a.sentence_count


@pytest.mark.parametrize("count", [0, -1, MAX_SENTENCES + 1])
def test_count_out_of_range_is_refused(count):
    with pytest.raises(ValueError, match="from 1 to"):
        rank(load(SEED), "lexrank", count)


def test_unknown_algorithm_is_refused_with_the_choices():
    with pytest.raises(UnknownAlgorithm, match="lexrank"):
        rank(load(SEED), "bogus", 3)


def test_every_algorithm_runs_in_a_fresh_process_with_no_network_and_no_nltk_data(tmp_path):
    """No warm caches: a new interpreter, sockets refused, NLTK's data path empty."""
    script = textwrap.dedent(
        f"""
        import socket, sys
        def refuse(*a, **k):
            raise OSError("network unreachable")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        import nltk
        nltk.data.path[:] = [{str(tmp_path)!r}]
        nltk.download = refuse
        from pathlib import Path
        from bot.news.parse import parse_bytes
        from bot.news.summarize import ALGORITHMS, summarize
        a = parse_bytes(Path({str(SEED)!r}).read_bytes(), "seed")
        for alg in ALGORITHMS:
            out = summarize(a, alg, 3)
            assert len(out) == 3, (alg, out)
            print(alg, "ok")
        """
    )
    env = {"PATH": "/usr/bin:/bin", "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [w for alg in ALGORITHMS for w in (alg, "ok")]


def test_light_words_module_matches_sumy():
    # bot.news.words reads sumy's stop-word file itself (so the bot process need not import
    # sumy.utils); the list, the stems and the algorithm names must be sumy's own.
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    from bot.config import SUMMARY_ALGORITHMS
    from bot.news import words
    from bot.news.summarize import ALGORITHMS

    assert words.stop_words() == get_stop_words("english")
    assert len(words.stop_words()) > 100
    english = Stemmer("english")
    for word in ("treaties", "running", "ministers", "negotiated", "Harbour"):
        assert words.stem(word) == english(word)
    assert SUMMARY_ALGORITHMS == ALGORITHMS

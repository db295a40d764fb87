"""Topic extraction (bot.news.topics): names and keyphrases, cased and lowercased text.

The seed is the corpus's first article; every other passage here is written
for these tests.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.news.article import Article
from bot.news.parse import parse_bytes, parse_text
from bot.news.topics import extract_topics, topic_key
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parents[2]

BUSINESS = """Harbor Foods agrees to buy Green Valley Dairy

Harbor Foods said on Tuesday it would buy Green Valley Dairy for $2.1 billion, the largest deal in
the packaged food industry this year.

The acquisition gives Harbor Foods the milk processing plants it has wanted since 2019. Chief
Executive Maria Lindqvist said the dairy business would keep its brand and its farms in Vermont.

Green Valley Dairy shareholders will receive $48 a share in cash. Analysts at Northgate Capital said
the price was fair, but warned that milk prices have fallen for three quarters.

Lindqvist said the deal would close by March, pending approval from the Federal Trade Commission.
The milk processing plants employ about 1,200 people.

Harbor Foods shares rose 4 percent. Green Valley Dairy stock jumped 22 percent last week on reports
of the talks.
"""

SPORT = """Rovers win the cup final on penalties

Westfield Rovers won the National Cup final on Saturday, beating Castleton United on penalties after
a goalless draw.

Goalkeeper Tomas Brandt saved two penalties in the shootout. "I had watched their penalty takers all
week," Brandt said.

Castleton United had the better chances in extra time, but their striker Leo Okafor hit the post
twice. Okafor also missed the first penalty of the shootout.

It is the first National Cup title for Westfield Rovers since 1998. Rovers manager Ellen Marsh said
the penalty shootout was "pure nerves."
"""

SCIENCE = """Coral reefs recover faster than expected after heat waves

Coral reefs in the Pacific recovered faster than scientists expected after the marine heat waves of
recent summers, a study published on Wednesday found.

Researchers at the Halden Marine Institute surveyed 120 reefs over six years. Coral cover returned
to its earlier level within four years on most reefs, the study said.

Reefs with many herbivorous fish recovered fastest, because the fish graze the algae that compete
with young coral. "Protecting the fish protects the reef," said Dr. Amara Osei, who led the study.

The researchers warned that more frequent heat waves could outpace the recovery. Coral bleaching
events have become more common as ocean temperatures rise.
"""

LOWERCASED = """the city council approves a new light rail line

the city council voted on monday to build a light rail line between the airport and the university
district. the light rail line will cost $900 million and open in 2031, officials said.

council member dana ruiz said the light rail line would cut traffic on the ring road. bus drivers
worry that the transit agency will cut bus routes once the trains run.

the transit agency said no bus routes would be cut. construction of the light rail line starts next
spring, and the airport station will be built first.
"""

JUNK = {
    "said",
    "says",
    "last week",
    "monday",
    "tuesday",
    "wednesday",
    "saturday",
    "year",
    "percent",
    "people",
}


def article(text: str, article_id: str = "t") -> Article:
    return parse_text(text, article_id)


def keys(topics: tuple[str, ...]) -> set[str]:
    return {topic_key(t) for t in topics}


@pytest.fixture(scope="module")
def seed() -> Article:
    return parse_bytes(SEED.read_bytes(), "seed")


def assert_no_junk(topics: tuple[str, ...]) -> None:
    for topic in topics:
        key = topic_key(topic)
        assert key not in JUNK, topic
        assert not any(ch.isdigit() for ch in key), topic
        assert key == key.strip() and key, topic


# --------------------------------------------------------------------------- topic_key


def test_topic_key_folds_case_accents_and_whitespace():
    assert topic_key("Peace Treaty") == topic_key("peace treaty") == "peace treaty"
    assert topic_key("  peace\u00a0 \ttreaty ") == "peace treaty"
    assert topic_key("Zürich") == topic_key("ZURICH") == "zurich"
    assert topic_key("Škoda Auto") == "skoda auto"
    assert topic_key("Russia’s") == topic_key("Russia's")
    assert topic_key("STRASSE") == topic_key("Straße")  # casefold, not lower


def test_topic_key_keeps_different_topics_apart():
    assert topic_key("peace treaty") != topic_key("peace talks")
    assert topic_key("") == ""


# --------------------------------------------------------------------------- the seed


def test_seed_topics_name_what_the_article_is_about(seed: Article):
    topics = extract_topics(seed)
    expected = {"kuril islands", "peace treaty", "northern territories", "japan", "russia", "akira muto"}
    found = expected & keys(topics)
    assert len(found) >= 4, topics
    assert {"japan", "russia", "peace treaty", "akira muto"} <= keys(topics)
    assert_no_junk(topics)


def test_seed_topics_are_display_forms(seed: Article):
    topics = extract_topics(seed, limit=20)
    assert "Akira Muto" in topics  # "Muto" alone counts toward the full name
    assert "Muto" not in topics
    assert "peace treaty" in topics  # a keyphrase keeps its lowercase
    assert "Japanese" not in topics and "Russian" not in topics  # nationality -> country
    assert {"kuril islands", "northern territories"} <= keys(topics)
    assert "Vladimir Putin" in topics and "President Vladimir Putin" not in topics  # titles cut off
    assert len(keys(topics)) == len(topics)  # no two forms of one topic


def test_seed_lowercased_still_finds_the_main_topics(seed: Article):
    lowered = dataclasses.replace(
        seed,
        title=seed.title.lower(),
        paragraphs=tuple(tuple(s.lower() for s in p) for p in seed.paragraphs),
        publisher_takeaways=tuple(t.lower() for t in seed.publisher_takeaways),
    )
    topics = extract_topics(lowered)
    assert {"peace treaty", "japan", "russia"} <= keys(topics), topics
    assert "Russia" in topics  # countries get their usual spelling even on lowercased text
    assert_no_junk(topics)


# --------------------------------------------------------------------------- articles written for the tests


def test_business_article():
    topics = extract_topics(article(BUSINESS))
    assert {"harbor foods", "green valley dairy"} <= keys(topics[:3]), topics
    assert "milk processing plants" in keys(topics) or "milk processing" in keys(topics)
    assert "maria lindqvist" in keys(topics)  # "Lindqvist" alone counts toward her
    assert "chief executive maria lindqvist" not in keys(topics)
    assert_no_junk(topics)


def test_sport_article():
    topics = extract_topics(article(SPORT))
    assert {"westfield rovers", "castleton united", "national cup"} <= keys(topics), topics
    assert "tomas brandt" in keys(topics) and "goalkeeper tomas brandt" not in keys(topics)
    assert any(k.startswith("penalt") for k in keys(topics))
    assert_no_junk(topics)


def test_science_article():
    topics = extract_topics(article(SCIENCE))
    assert "heat waves" in keys(topics[:3]), topics
    assert {"coral", "coral reefs", "reefs", "reef"} & keys(topics[:3])
    assert "reefs" not in keys(topics) or "reef" not in keys(topics)  # plural and singular are one
    # Named once each: a single mention is not enough to make a topic.
    assert not {"halden marine institute", "amara osei", "pacific"} & keys(topics)
    assert_no_junk(topics)


def test_lowercased_article():
    topics = extract_topics(article(LOWERCASED))
    assert topics and topic_key(topics[0]) == "light rail line", topics
    assert "bus routes" in keys(topics) and "transit agency" in keys(topics)
    assert all(t == t.lower() for t in topics)  # nothing to capitalise from
    assert "rail" not in keys(topics) and "light rail" not in keys(topics)  # inside the longer phrase
    assert_no_junk(topics)


def test_sentence_initial_words_are_not_names():
    text = (
        "Storm damage\n\nFollowing the storm, crews cleared roads. Conversely, the bridge held.\n\n"
        "Relations between the towns improved. Crews from Ashby helped crews from Marlow. "
        "Ashby and Marlow share the bridge."
    )
    topics = extract_topics(article(text))
    assert {"ashby", "marlow"} <= keys(topics), topics
    assert not keys(topics) & {"following", "conversely", "relations", "crews from ashby"}


# --------------------------------------------------------------------------- limits and edge cases


def test_limit_is_respected_and_best_first(seed: Article):
    assert len(extract_topics(seed)) <= 8
    for n in (1, 3, 5, 12):
        topics = extract_topics(seed, limit=n)
        assert len(topics) <= n
        assert topics == extract_topics(seed, limit=20)[: len(topics)]
    assert extract_topics(seed, limit=0) == ()


def test_empty_and_tiny_bodies_give_few_or_no_topics():
    empty = Article(id="e", title="", paragraphs=(), sha256="0")
    assert extract_topics(empty) == ()
    blank = Article(id="b", title="Nothing", paragraphs=(("...", "!!"),), sha256="0")
    assert extract_topics(blank) == ()
    numbers = Article(id="n", title="Figures", paragraphs=(("In 2024, 12 of 30 rose 4%.",),), sha256="0")
    assert extract_topics(numbers) == ()
    one = article("A note\n\nThe ferry was late.")
    assert extract_topics(one) == ()  # one mention of anything is not a topic


def test_topics_are_deterministic(seed: Article):
    assert extract_topics(seed) == extract_topics(seed)


def test_speed_is_sane(seed: Article):
    """Not a timing assertion: only that a few hundred calls finish quickly, for the log."""
    extract_topics(seed)
    start = time.perf_counter()
    for _ in range(200):
        extract_topics(seed)
    per_call = (time.perf_counter() - start) / 200
    print(f"extract_topics on the seed: {per_call * 1000:.2f} ms")


def test_topics_module_is_pure_and_offline():
    code = (
        "import sys, socket\n"
        "def no(*a, **k): raise OSError('network')\n"
        "socket.socket.connect = no\n"
        "from bot.news.parse import parse_bytes\n"
        "from bot.news.topics import extract_topics\n"
        f"a = parse_bytes(open({str(SEED)!r}, 'rb').read(), 's')\n"
        "assert extract_topics(a)\n"
        "assert 'discord' not in sys.modules, 'discord imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

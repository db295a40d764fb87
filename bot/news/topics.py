"""Topics of an article: the few names and keyphrases that say what it is about.

Pure Python and fast (it runs once per article at ingest; see ``docs/topics.md``
for the method and measured figures). Two kinds of candidates are collected in
one pass over the sentences:

* **Names** (only when the text is cased): runs of capitalised words, joined
  across ``of``/``de``/... when both sides are capitalised ("Bank of Japan").
  A leading job title or nationality is cut off ("Russian President Vladimir
  Putin" -> "Vladimir Putin"), nationality words count toward their country
  ("Japanese" -> "Japan"), a few aliases are folded ("U.S." -> "United
  States"), and a lone surname counts toward the full name it ends
  ("Muto" -> "Akira Muto"). A capitalised word that only ever opens a
  sentence is not taken for a name.
* **Keyphrases**: 1 to 3 content words between stop words (sumy's English
  list plus news filler), punctuation, numbers and, on cased text, names;
  adverbs (``-ly``) and past forms (``-ed``) never end a phrase. Counts are
  grouped by stems (sumy's English stemmer), so "islands" and "island" are one
  phrase, and a phrase's occurrences inside a longer repeated phrase are not
  counted for it (C-value style), so "peace treaty" wins over "treaty".

Scores combine frequency, the title (a candidate that occurs in the title gets
a bonus), early position and the kind of candidate; near-duplicates (one
phrase's stems inside another's) are dropped in favour of the better one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .article import Article
from .words import stem as _stem
from .words import stop_words

__all__ = ["extract_topics", "topic_key"]

# --------------------------------------------------------------------------- word lists

# News filler that sumy's stop-word list lacks: reporting verbs, time words,
# numbers in words, vague nouns. Never part of a keyphrase.
_FILLER = frozenset(
    """
    says said say told tell tells telling stated states remarked added adds noted notes explained
    asked replied claimed claims reported reports announced announces emphasized emphasised
    pointed recalled insisted warned urged highlighted declared confirmed suggested described
    according include includes including included also would could might must
    year years month months week weeks day days today yesterday tomorrow tonight time times
    morning afternoon evening night hour hours minute minutes decade decades century centuries
    monday tuesday wednesday thursday friday saturday sunday weekend
    january february march april june july august september october november december
    ago recent recently earlier early late later currently previously finally
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions trillion dozen dozens
    percent per cent half first second third fourth fifth last next
    lot lots thing things stuff kind sort part parts number numbers way ways case cases point
    fact side sides end top bottom front back person people man men woman women group
    mr mrs ms dr sir madam
    make makes made making take takes taking give gave get got come comes came go goes went
    see saw seen show shows showed shown find found put puts want wanted like liked
    think thought know knew feel felt let lets keep kept told seem seemed become became
    good great big small large high low long short little many much more most less least
    able possible likely unlikely major key main important new old
    yes okay ok oh well really very still even ever never just already again
    statement statements comment comments interview spokesman spokeswoman spokesperson
    news source sources official officials report article photo video image images
    click subscribe advertisement copyright newsletter cnn reuters ap afp
    """.split()
)

# Capitalised words that never start or extend a name.
_CALENDAR = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
    """.split()
)

# Job titles and honorifics: cut from the front of a name ("President Putin").
_TITLES = frozenset(
    """
    president vice prime minister ministers secretary ambassador envoy chancellor premier
    king queen prince princess emperor empress pope sheikh sultan lord lady dame sir
    mr mrs ms miss dr prof professor rev reverend father sister brother saint st
    sen senator rep representative gov governor mayor judge justice attorney gen
    chief director chairman chairwoman chair ceo cfo coach manager captain capt commander
    officer sergeant sgt lt lieutenant col colonel maj major admiral adm cpl corporal
    deputy acting former late leader spokesman spokeswoman spokesperson head
    detective inspector superintendent constable agent commissioner
    actor actress comedian singer rapper author writer producer designer artist chef
    goalkeeper striker midfielder defender quarterback pitcher
    """.split()
)

# Words between a title and a name: "Foreign Minister", "Attorney General", "Secretary of State".
_TITLE_MODIFIERS = frozenset(
    "foreign defense defence interior finance home state general federal national first executive".split()
)

# Abbreviations whose period is not a boundary ("Mr. Smith", "Gen. Petraeus").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen sen rep gov lt col capt sgt maj adm prof rev jr sr ft mt no vs".split()
)

# Countries with their adjective and people forms (lowercase). Nationality
# words count toward the country; the country is shown in its usual spelling.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "Afghanistan": ("afghan", "afghans"),
    "Albania": ("albanian", "albanians"),
    "Algeria": ("algerian", "algerians"),
    "Argentina": ("argentine", "argentinian", "argentines", "argentinians"),
    "Armenia": ("armenian", "armenians"),
    "Australia": ("australian", "australians"),
    "Austria": ("austrian", "austrians"),
    "Azerbaijan": ("azerbaijani", "azerbaijanis"),
    "Bangladesh": ("bangladeshi", "bangladeshis"),
    "Belarus": ("belarusian", "belarusians"),
    "Belgium": ("belgian", "belgians"),
    "Bolivia": ("bolivian", "bolivians"),
    "Bosnia": ("bosnian", "bosnians"),
    "Brazil": ("brazilian", "brazilians"),
    "Britain": ("british", "briton", "britons"),
    "Bulgaria": ("bulgarian", "bulgarians"),
    "Cambodia": ("cambodian", "cambodians"),
    "Canada": ("canadian", "canadians"),
    "Chile": ("chilean", "chileans"),
    "China": ("chinese",),
    "Colombia": ("colombian", "colombians"),
    "Croatia": ("croatian", "croatians", "croat", "croats"),
    "Cuba": ("cuban", "cubans"),
    "Cyprus": ("cypriot", "cypriots"),
    "Czech Republic": ("czech", "czechs"),
    "Denmark": ("danish", "dane", "danes"),
    "Ecuador": ("ecuadorian", "ecuadorians"),
    "Egypt": ("egyptian", "egyptians"),
    "England": ("english",),
    "Estonia": ("estonian", "estonians"),
    "Ethiopia": ("ethiopian", "ethiopians"),
    "Finland": ("finnish", "finn", "finns"),
    "France": ("french",),
    "Georgia": ("georgian", "georgians"),
    "Germany": ("german", "germans"),
    "Ghana": ("ghanaian", "ghanaians"),
    "Greece": ("greek", "greeks"),
    "Hungary": ("hungarian", "hungarians"),
    "Iceland": ("icelandic", "icelander", "icelanders"),
    "India": ("indian", "indians"),
    "Indonesia": ("indonesian", "indonesians"),
    "Iran": ("iranian", "iranians"),
    "Iraq": ("iraqi", "iraqis"),
    "Ireland": ("irish",),
    "Israel": ("israeli", "israelis"),
    "Italy": ("italian", "italians"),
    "Japan": ("japanese",),
    "Jordan": ("jordanian", "jordanians"),
    "Kazakhstan": ("kazakh", "kazakhs"),
    "Kenya": ("kenyan", "kenyans"),
    "Kuwait": ("kuwaiti", "kuwaitis"),
    "Latvia": ("latvian", "latvians"),
    "Lebanon": ("lebanese",),
    "Libya": ("libyan", "libyans"),
    "Lithuania": ("lithuanian", "lithuanians"),
    "Malaysia": ("malaysian", "malaysians"),
    "Mexico": ("mexican", "mexicans"),
    "Mongolia": ("mongolian", "mongolians"),
    "Morocco": ("moroccan", "moroccans"),
    "Myanmar": ("burmese",),
    "Nepal": ("nepalese", "nepali", "nepalis"),
    "Netherlands": ("dutch",),
    "New Zealand": ("zealander", "zealanders"),
    "Nigeria": ("nigerian", "nigerians"),
    "North Korea": ("north korean", "north koreans"),
    "Norway": ("norwegian", "norwegians"),
    "Pakistan": ("pakistani", "pakistanis"),
    "Palestine": ("palestinian", "palestinians"),
    "Peru": ("peruvian", "peruvians"),
    "Philippines": ("filipino", "filipinos", "philippine"),
    "Poland": ("polish", "pole", "poles"),
    "Portugal": ("portuguese",),
    "Qatar": ("qatari", "qataris"),
    "Romania": ("romanian", "romanians"),
    "Russia": ("russian", "russians"),
    "Saudi Arabia": ("saudi", "saudis"),
    "Scotland": ("scottish", "scot", "scots"),
    "Serbia": ("serbian", "serbians", "serb", "serbs"),
    "Singapore": ("singaporean", "singaporeans"),
    "Slovakia": ("slovak", "slovaks"),
    "Somalia": ("somali", "somalis"),
    "South Africa": ("south african", "south africans"),
    "South Korea": ("south korean", "south koreans"),
    "Spain": ("spanish", "spaniard", "spaniards"),
    "Sri Lanka": ("sri lankan", "sri lankans"),
    "Sudan": ("sudanese",),
    "Sweden": ("swedish", "swede", "swedes"),
    "Switzerland": ("swiss",),
    "Syria": ("syrian", "syrians"),
    "Taiwan": ("taiwanese",),
    "Thailand": ("thai", "thais"),
    "Tunisia": ("tunisian", "tunisians"),
    "Turkey": ("turkish", "turk", "turks"),
    "Ukraine": ("ukrainian", "ukrainians"),
    "United States": ("american", "americans"),
    "Venezuela": ("venezuelan", "venezuelans"),
    "Vietnam": ("vietnamese",),
    "Wales": ("welsh",),
    "Yemen": ("yemeni", "yemenis"),
    "Zimbabwe": ("zimbabwean", "zimbabweans"),
}

# Other spellings of a few very frequent names (lowercase, dots kept).
_ALIASES: dict[str, str] = {
    "u.s.": "United States",
    "us": "United States",
    "u.s.a.": "United States",
    "usa": "United States",
    "america": "United States",
    "united states of america": "United States",
    "u.k.": "Britain",
    "uk": "Britain",
    "united kingdom": "Britain",
    "great britain": "Britain",
    "u.n.": "United Nations",
    "un": "United Nations",
    "e.u.": "European Union",
    "eu": "European Union",
    "ussr": "Soviet Union",
    "uae": "United Arab Emirates",
}

_DEMONYMS: dict[str, str] = {d: country for country, forms in _COUNTRIES.items() for d in forms}
_COUNTRY_KEYS = frozenset(c.lower() for c in _COUNTRIES) | frozenset(v.lower() for v in _ALIASES.values())
# Lowercase text: the canonical spelling of countries and aliases ("russia" -> "Russia").
_CANONICAL: dict[str, str] = {c.lower(): c for c in _COUNTRIES} | {
    k: v for k, v in _ALIASES.items() if "." in k or len(k) > 3
}

_CANONICAL_FIRST = frozenset(k.split()[0] for k in _CANONICAL)

# Lowercase words that join two capitalised parts of one name.
_NAME_JOINERS = frozenset("of de del della da di du van von der den la le al bin ibn y &".split())

_TITLE_BONUS = 2.0
_SIDE_WEIGHT = 1.0  # an occurrence in the synopsis or the publisher's takeaways
_SUMMARY_BONUS = 0.5  # once, for a candidate the synopsis or the takeaways mention
_MIN_WEIGHT = 2.0  # a topic needs at least this much evidence (two body mentions, or title + one)


# --------------------------------------------------------------------------- tokens

# A prepared token: (word, lowercase, starts with a capital, opens a sentence);
# None stands for a boundary (punctuation, the end of a possessive).
_Item = tuple[str, str, bool, bool] | None

_CONTENT, _HEAD, _START = 1, 2, 4


def _prepare(text: str) -> list[_Item]:
    """One sentence as words and boundaries (whitespace split and edge marks: fast)."""
    items: list[_Item] = []
    append = items.append
    initial = True
    boundary = True  # the last item is a boundary (or there is none)
    for raw, raw_low in zip(text.split(), text.lower().split(), strict=False):
        if raw.isalpha():  # most words: no marks to look at
            append((raw, raw_low, raw[0] != raw_low[0], initial))
            initial = boundary = False
            continue
        word = raw.strip(_EDGE_MARKS)
        if not word or not (word[0].isalnum() and word[-1].isalnum()):
            if word and word[0] == "&":
                continue  # "AT&T", "Johnson & Johnson": not a boundary
            if not boundary:
                append(None)
                boundary = True
            if raw[-1] in _SENTENCE_ENDS or raw[0] in _OPENERS:
                initial = True
            continue
        if raw[0] != word[0]:  # opening quote or bracket
            if not boundary:
                append(None)
            if raw[0] in _OPENERS:
                initial = True
        tail = raw[raw.rindex(word[-1]) + 1 :] if raw[-1] != word[-1] else ""
        if tail[:1] == "." and (
            "." in word or (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS
        ):
            word += "."  # "U.S.", "W.", "Mr."
            tail = tail[1:]
        possessive = word.endswith(("'s", "’s")) and len(word) > 2
        if possessive:
            word = word[:-2]
        upper = word[0].isupper()
        if "-" in word:  # "al-Malki" is a name, "Somalia-based" is not
            upper = word.rsplit("-", 1)[1][:1].isupper()
        append((word, word.lower(), upper, initial))
        initial = False
        boundary = False
        if tail or possessive:
            append(None)
            boundary = True
            if tail and any(ch in _SENTENCE_ENDS for ch in tail):
                initial = True
    return items


_EDGE_MARKS = "\"'“”‘’()[]{}«».,;:!?…*•©#%$£€/+@_-–—"
_OPENERS = frozenset('"“‘([«')
_SENTENCE_ENDS = frozenset(".!?:;")


@lru_cache(maxsize=200_000)
def _word_class(low: str) -> int:
    """Bit flags: may be part of a keyphrase, may end one, may open one."""
    if low in _CANONICAL:
        return _CONTENT | _HEAD | _START  # "u.s.", "russia" on lowercased text
    if (
        len(low) < 3
        or low in _stop()
        or low in _TITLES
        or low in _DEMONYMS
        or not low.replace("-", "").replace("'", "").replace("’", "").isalpha()
        or (low.endswith("ly") and len(low) > 4)
        or any(ch.isdigit() for ch in low)
    ):
        return 0
    flags = _CONTENT
    past = low.endswith("ed") and len(low) > 3 and not low.endswith("eed")
    if (
        not past
        and not low.endswith(("ous", "ful", "ical", "ible"))
        and not (low.endswith("able") and len(low) > 6)
    ):
        flags |= _HEAD
    if not past and not (low.endswith("ing") and len(low) > 5):
        flags |= _START
    return flags


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    return stop_words() | _FILLER


def _is_cased(items: list[list[_Item]]) -> bool:
    """Whether the text keeps its capital letters (CNN/DailyMail's release does not)."""
    capitals = [it[2] for sentence in items for it in sentence if it is not None]
    caps = sum(capitals)
    return caps >= 3 and caps >= 0.02 * len(capitals)


@lru_cache(maxsize=100_000)
def topic_key(topic: str) -> str:
    """The form under which one topic is counted across articles.

    Casefolded, accents removed, typographic apostrophes and dashes made plain,
    whitespace normalised: "Peace Treaty", "peace  treaty" and "peace treaty"
    share one key; so do "Zürich" and "Zurich".
    """
    text = unicodedata.normalize("NFKD", topic.casefold())
    if not text.isascii():
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.translate(_PLAIN_MARKS)
    return " ".join(text.split())


_PLAIN_MARKS = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


# --------------------------------------------------------------------------- candidates


class _Candidate:
    __slots__ = ("first", "forms", "stems", "summary", "weight")

    def __init__(self, stems: tuple[str, ...]) -> None:
        self.stems = stems
        self.weight = 0.0
        self.first = _NEVER  # index of the first body sentence it occurs in
        self.summary = False  # the synopsis or the publisher's takeaways mention it
        self.forms: dict[str, float] = {}

    def add(self, form: str, weight: float, position: int) -> None:
        self.weight += weight
        self.forms[form] = self.forms.get(form, 0.0) + weight
        if position < 0:
            self.summary = True
        elif position < self.first:
            self.first = position

    @property
    def display(self) -> str:
        return max(self.forms.items(), key=lambda kv: (kv[1], kv[0]))[0]


_NEVER = 1_000_000


class _Collector:
    def __init__(self, items: list[list[_Item]], cased: bool) -> None:
        self.cased = cased
        # Only names and cased keyphrases look at these: none on lowercased text.
        self.lower: set[str] = set()  # words seen in lowercase
        self.capital_mid: set[str] = set()  # words seen capitalised mid-sentence
        self.pairs_mid: set[tuple[str, str]] = set()  # two capitalised words in a row, mid-sentence
        for sentence in items if cased else ():
            prev = ""
            for it in sentence:
                if it is None:
                    prev = ""
                elif not it[2]:
                    self.lower.add(it[1])
                    prev = ""
                else:
                    if not it[3]:
                        self.capital_mid.add(it[1])
                        if prev:
                            self.pairs_mid.add((prev, it[1]))
                    prev = it[1]
        self.names: dict[str, _Candidate] = {}
        # Keyphrases by their lowercase words: [weight, first body sentence, in the summary]
        self.ngrams: dict[tuple[str, ...], list[float]] = {}

    # ---- names

    def _add_name(self, display: str, weight: float, position: int) -> None:
        key = topic_key(display)
        alias = _ALIASES.get(key)
        if alias:
            display, key = alias, topic_key(alias)
        cand = self.names.get(key)
        if cand is None:
            cand = self.names[key] = _Candidate(tuple(_stem(p) for p in key.split()))
        cand.add(display, weight, position)

    def _name_run(self, run: list[str], weight: float, position: int) -> None:
        if len(run) == 1:
            word = run[0]
            low = word.lower()
            if low in _DEMONYMS:
                self._add_name(_DEMONYMS[low], weight * 0.75, position)
            elif low in _ALIASES or not (low.rstrip(".") in _TITLES or low in _stop() or len(low) < 2):
                self._add_name(word, weight, position)
            return
        # Cut a leading job title / nationality: "Russian President Vladimir Putin",
        # "Foreign Minister Riad al-Malki"; but "Russian Foreign Ministry" -> "Foreign Ministry".
        lowers = [w.lower() for w in run]
        prefix = 0
        titled = False
        last_demonym = 0
        for i, low in enumerate(lowers[:-1]):
            if low.rstrip(".") in _TITLES:
                titled = True
            elif low in _DEMONYMS or low in _ALIASES:
                last_demonym = i + 1
            elif low not in _TITLE_MODIFIERS and low not in _NAME_JOINERS:
                break
            prefix = i + 1
        cut = prefix if titled else last_demonym
        if not titled:
            # "Boston Police Commissioner Ed Davis" -> "Ed Davis"
            for i in range(len(lowers) - 2, 0, -1):
                if lowers[i].rstrip(".") in _TITLES and lowers[i + 1] not in _NAME_JOINERS:
                    cut, titled = i + 1, True
                    break
        if not titled and len(run) - cut < 2:
            cut = 0  # "Palestinian Authority", "British Airways": one name
        if " ".join(lowers) in _DEMONYMS:
            self._add_name(_DEMONYMS[" ".join(lowers)], weight * 0.75, position)  # "South Korean"
            return
        for low in lowers[:cut]:
            country = _DEMONYMS.get(low) or _ALIASES.get(low)
            if country:
                self._add_name(country, weight * 0.5, position)
        rest = run[cut:]
        while rest and rest[-1].lower() in _NAME_JOINERS:
            rest = rest[:-1]
        if len(rest) == 1:
            self._name_run(rest, weight, position)
        elif rest and not all(low.rstrip(".") in _TITLES for low in lowers[cut : cut + len(rest)]):
            self._add_name(" ".join(rest), weight, position)

    def names_in(self, items: list[_Item], weight: float, position: int) -> None:
        run: list[str] = []
        pending: list[str] = []  # joiners waiting for a capitalised word
        tentative = ""  # a sentence-initial capital that is a name only if one follows
        stop = _stop()
        capital_mid, lower = self.capital_mid, self.lower
        for it in items:
            if it is not None:
                word, low, upper, initial = it
                if upper:
                    if low not in _CALENDAR:
                        if not initial or (low in capital_mid and not (low in stop and low in lower)):
                            if tentative and (
                                tentative.lower().rstrip(".") in _TITLES
                                or (tentative.lower(), low) in self.pairs_mid
                            ):
                                run.append(tentative)
                            if pending:
                                run.extend(pending)
                            pending = []
                            tentative = ""
                            run.append(word)
                            continue
                        if low.rstrip(".") in _TITLES or not (low in stop or low in lower or low in _FILLER):
                            tentative = word  # "Secretary of State ...", "Los Angeles ..."
                            continue
                elif (run or tentative) and low in _NAME_JOINERS and len(pending) < 2:
                    pending.append(word)
                    continue
            if run:
                self._name_run(run, weight, position)
                run = []
            pending = []
            tentative = ""
        if run:
            self._name_run(run, weight, position)

    # ---- keyphrases

    def phrases_in(self, items: list[_Item], weight: float, position: int) -> None:
        """Count the 1- to 3-word phrases of the runs of content words."""
        cased = self.cased
        lower, capital_mid = self.lower, self.capital_mid
        ngrams = self.ngrams
        word_class = _word_class
        run: list[str] = []
        flags: list[int] = []
        first = position if position >= 0 else _NEVER
        summary = position < 0
        for it in (*items, None):
            if it is not None:
                low = it[1]
                cls = word_class(low)
                if cls and not (cased and it[2] and not (it[3] and low in lower and low not in capital_mid)):
                    run.append(low)
                    flags.append(cls)
                    continue
                if not cased and low in _DEMONYMS:
                    run.append(low)  # alone, "japanese" counts toward "japan" (see phrases())
                    flags.append(_CONTENT | _HEAD | _START)
                    continue
            if not run:
                continue
            n = len(run)
            for i in range(n):
                if not flags[i] & _START:
                    continue
                for j in range(i + 1, min(i + 3, n) + 1):
                    if flags[j - 1] & _HEAD:
                        key = tuple(run[i:j])
                        entry = ngrams.get(key)
                        if entry is None:
                            ngrams[key] = [weight, first, summary]
                        else:
                            entry[0] += weight
                            if first < entry[1]:
                                entry[1] = first
                            if summary:
                                entry[2] = True
            run = []
            flags = []

    def phrases(self) -> dict[tuple[str, ...], list]:  # type: ignore[type-arg]
        """The keyphrases grouped by stems ("island" and "islands" together).

        Each value: [weight, first body sentence, in the summary, display, display's weight].
        """
        out: dict[tuple[str, ...], list] = {}  # type: ignore[type-arg]
        cased = self.cased
        stem = _stem
        for words, entry in self.ngrams.items():
            weight = entry[0]
            if len(words) == 1 and words[0] in _DEMONYMS:
                words = tuple(_DEMONYMS[words[0]].lower().split())
                weight *= 0.5
            display: tuple[str, ...] | str = words
            if words[0] in _CANONICAL_FIRST:  # else neither a country nor an alias
                canonical = _CANONICAL.get(" ".join(words))
                if canonical:
                    if cased:
                        continue  # countries come from the names on cased text
                    words = tuple(canonical.lower().split())
                if not cased:
                    display = _CANONICAL.get(" ".join(words), words)
            stems = tuple(map(stem, words))
            group = out.get(stems)
            if group is None:
                out[stems] = [weight, entry[1], entry[2], display, weight]
            else:
                group[0] += weight
                if entry[1] < group[1]:
                    group[1] = entry[1]
                group[2] = group[2] or entry[2]
                if weight > group[4]:
                    group[3], group[4] = display, weight
        return out


# --------------------------------------------------------------------------- ranking


def _merge_surnames(names: dict[str, _Candidate]) -> None:
    """A lone surname counts toward the one full name it ends ("Muto" -> "Akira Muto")."""
    by_last: dict[str, list[str]] = {}
    for key in names:
        if " " in key:
            parts = key.split()
            if not any(p in _NAME_JOINERS for p in parts):
                by_last.setdefault(parts[-1], []).append(key)
    for single, owners in by_last.items():
        cand = names.get(single)
        if cand is None or single in _COUNTRY_KEYS:
            continue
        full = names[max(owners, key=lambda k: names[k].weight)]
        full.weight += cand.weight
        full.first = min(full.first, cand.first)
        full.summary = full.summary or cand.summary
        del names[single]


def _discount_subphrases(phrases: dict[tuple[str, ...], list]) -> dict[tuple[str, ...], float]:  # type: ignore[type-arg]
    """Each phrase's weight less what longer repeated phrases around it explain (C-value)."""
    adjusted = {key: group[0] for key, group in phrases.items()}
    for key, group in phrases.items():
        if len(key) < 2 or group[0] < _MIN_WEIGHT:
            continue
        for sub in {key[:-1], key[1:]}:
            if sub in adjusted:
                adjusted[sub] -= group[0]
    return adjusted


def _position_factor(first: int) -> float:
    return 1.0 + 0.5 / (1.0 + first / 4.0)


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    n = len(inner)
    if n == 1:
        return inner[0] in outer
    return any(outer[i : i + n] == inner for i in range(len(outer) - n + 1))


def _related(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One phrase inside the other, or two phrases that overlap by two words or more."""
    if _contains(a, b) or _contains(b, a):
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(2, min(len(a), len(b))))


def extract_topics(article: Article, limit: int = 8) -> tuple[str, ...]:
    """The article's topics, best first: at most ``limit`` names and keyphrases.

    Each is a display form ("Kuril Islands", "peace treaty", "Akira Muto"); on
    lowercased text, phrases stay lowercase (countries get their usual
    spelling). Compare topics across articles with :func:`topic_key`.
    """
    if limit <= 0:
        return ()
    body = [_prepare(text) for para in article.paragraphs for text in para]
    side = [_prepare(text) for text in (article.synopsis or "", *article.publisher_takeaways) if text]
    cased = _is_cased(body)
    collector = _Collector(body + side, cased)
    for position, items in enumerate(body):
        if cased:
            collector.names_in(items, 1.0, position)
        collector.phrases_in(items, 1.0, position)
    for items in side:
        if cased:
            collector.names_in(items, _SIDE_WEIGHT, -1)
        collector.phrases_in(items, _SIDE_WEIGHT, -1)
    _merge_surnames(collector.names)

    # The title (often in Title Case) only confirms candidates, matched by stems.
    # A title made from the lead sentence (records without one) confirms nothing.
    title: tuple[str, ...] = ()
    probe = article.title[len(article.title) // 2 :][:40]
    lead = " ".join(article.paragraphs[0])[:600] if article.paragraphs else ""
    if probe and probe not in lead:
        title = tuple(_stem(it[1]) for it in _prepare(article.title) if it is not None)

    scored: list[tuple[float, str, tuple[str, ...]]] = []
    for key, cand in collector.names.items():
        weight = cand.weight + (_TITLE_BONUS if _contains(title, cand.stems) else 0.0)
        if weight >= _MIN_WEIGHT:
            weight += _SUMMARY_BONUS if cand.summary else 0.0
            kind = 1.4 if len(cand.stems) > 1 else (1.0 if key in _COUNTRY_KEYS else 1.2)
            scored.append((weight * kind * _position_factor(cand.first), cand.display, cand.stems))
    phrases = collector.phrases()
    adjusted = _discount_subphrases(phrases)
    for stems, (_, first, summary, words, _) in phrases.items():
        weight = adjusted[stems]
        n = len(stems)
        if weight < (_MIN_WEIGHT if n == 1 else 1.0):
            continue  # a single word needs two mentions of its own
        in_title = _contains(title, stems)
        weight += _TITLE_BONUS if in_title else 0.0
        if weight < _MIN_WEIGHT or (n == 1 and weight < _MIN_WEIGHT + 1):
            continue
        weight += _SUMMARY_BONUS if summary else 0.0
        display = words if isinstance(words, str) else " ".join(words)
        if n == 1:
            kind = 1.0 if topic_key(display) in _COUNTRY_KEYS else 0.6
        else:
            kind = 1.25 if n == 2 else 1.3
        scored.append((weight * kind * _position_factor(first), display, stems))

    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for _, display, stems in scored:
        key = topic_key(display)
        if key in seen or any(_related(s, stems) for _, s in chosen):
            continue
        chosen.append((display, stems))
        seen.add(key)
        if len(chosen) >= limit:
            break
    return tuple(display for display, _ in chosen)

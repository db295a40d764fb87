"""Direct quotations in an article and who said them (issue 4).

Pure Python rules over plain text: no model, no network, no Discord. The
pipeline, per article (see ``docs/quotes.md`` for each rule with examples):

1. **Marks.** Each paragraph is scanned for double quotation marks: curly
   ``“ ”``, guillemets ``« »`` and straight ``"`` (which open and close in
   turn). Single quotes and apostrophes never open or close a quote. A
   paragraph that ends inside a quote yields a quote running to its end; when
   the next paragraph opens with a mark, the two are one multi-paragraph
   quotation (a *chain*) and share a speaker.
2. **Masking.** Quoted text is masked out, so that sentence boundaries, names
   and speech tags are looked for in the reporter's words only.
3. **Not speech.** Titles and names in quotes (``“Planetary Letters”``,
   ``“Keep Moving Forward”``), quotes after a naming cue (so-called, dubbed,
   known as, a film called, titled ...), adjective-like scare quotes (a
   ``"historic" opening``) and short quoted phrases in a sentence without any
   speech cue are left out.
4. **Tags.** A speaker phrase is read from, in order: a tag after the quote
   (``," he remarked``, ``," said Ilse Varga``, ``," according to ...``); a tag
   before it (``Tanaka said: "``, ``According to Marks, "``); for a partial
   quote inside a sentence, the closest speech cue before it (``called the plan
   "..."``, ``said the result would "..."``, ``a statement from NAME indicating
   ... "..."``) and that cue's subject.
5. **Resolution.** A speaker phrase becomes the fullest name the article gives:
   a name without its titles (``Russian President Vladimir Putin`` -> Vladimir
   Putin); a surname or ``Ms. Tanaka`` -> the latest person introduced with
   that surname; ``he``/``she`` -> the subject of the nearest earlier sentence
   naming a person (agreeing in gender when known); ``the minister`` -> the
   latest person or body introduced with that title or role; organisations by
   name (``Brightwell`` -> Brightwell Foods). Indefinite or bare speakers (``one
   mother``, ``police``, ``a statement``) and unresolvable ones give ``None``.
6. **Untagged quotes** take the speaker of their chain, else of the nearest
   earlier sentence that holds a quote or reported speech (within two
   paragraphs), else of ``It came from NAME``-style sentences that follow;
   otherwise they stay unattributed. A name is never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .article import Article, Quote
from .sentences import NEWS_ABBREVIATIONS

__all__ = ["extract_quotes", "extract_quotes_from_paragraphs", "speaker_key", "surname"]

# ---------------------------------------------------------------------------------------
# Word lists

OPEN_MARKS = "“«„"
CLOSE_MARKS = "”»"
STRAIGHT = '"'
MASK = "\x00"

_SPEECH_VERB_LIST = """
said says say saying told tells tell telling added adds adding stated states stating
remarked remarks emphasized emphasised emphasizes emphasises emphasizing emphasising stressed stresses
stressing noted notes noting explained explains explaining insisted insists insisting warned warns
warning argued argues arguing asked asks asking replied replies replying responded responds
responding continued continues recalled recalls recalling wrote writes writing tweeted tweets posted
declared declares declaring announced announces announcing admitted admits admitting acknowledged
acknowledges acknowledging conceded concedes conceding claimed claims claiming complained complains
complaining confirmed confirms confirming suggested suggests suggesting urged urges urging predicted
predicts predicting cautioned cautions cautioning chanted chants shouted shouts yelled yells screamed
whispered whispers joked jokes joking quipped quips observed observes concluded concludes maintained
maintains contended contends boasted boasts vowed vows vowing pledged pledges promised promises
reiterated reiterates lamented laments mused muses exclaimed countered counters retorted objected
highlighted commented comments commenting agreed agrees cried texted emailed testified testifies
alleged alleges reported reports assured assures affirmed affirms charged charges protested
protests recounted recounts remembered wondered wonders pleaded pleads begged demanded demands
pledging promising demanding predicting warning cautioning declaring insisting acknowledging
described describes describing called calls calling conceding answered answers announced
""".split()
SPEECH_VERBS: frozenset[str] = frozenset(_SPEECH_VERB_LIST)
# Verbs that take a quoted object rather than introduce speech: they tag a partial quote
# ("called the plan "a gamble"") but never stand as ``," X called``.
_OBJECT_VERBS = frozenset("described describes describing called calls calling".split())
_TAG_VERBS = SPEECH_VERBS - _OBJECT_VERBS

# Nouns that carry someone's words: "a statement from NAME", "remarks by NAME".
_SPEECH_NOUNS = (
    "statement|statements|remarks|remark|comments|comment|words|message|speech|letter|post|tweet"
    "|interview|memo|email|testimony|pledge|promise|warning|appeal|plea|call|vow|admission|assurance"
)

# Cues that a quoted span names or labels something rather than reports speech.
_LABEL_CUE = re.compile(
    r"(?:\bso-called|\bso called|\bdubbed|\bnicknamed|\bknown(?:\s+\w+ly)?\s+as|\breferred\s+to\s+as"
    r"|\btitled|\bentitled|\bnamed|\bcalled|\bbranded(?:\s+as)?|\bbilled\s+as|\bmarketed\s+as"
    r"|\blabell?ed(?:\s+as)?|\btouted\s+as|\bheadlined|\breading|\bread|\bthe\s+(?:word|words|term"
    r"|phrase|slogan|hashtag|motto|nickname|name|title|label|tagline)|\bslogan|\bhashtag|\bmotto)"
    r"(?:\s+(?:the|a|an|its|their|his|her|it|them|him))?\s*$",
    re.IGNORECASE,
)
_LABEL_CUE_GAP = re.compile(
    r"\b(?:so-called|dubbed|nicknamed|branded|billed|marketed|labell?ed|touted|christened|renamed)"
    r"\s+(?:[\w'’-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _last_chunks(text: str, n: int) -> str:
    """``text`` from its ``n``-th last whitespace-separated chunk on (all of it when it has fewer).

    A pattern anchored at the end (``...\\s*$``) that spans at most ``n`` chunks
    matches the tail exactly when it matches ``text`` (the tail starts after
    whitespace, so ``\\b`` reads the same), and ``search`` on the tail does not
    try every position of a long sentence.
    """
    head = text.rsplit(None, n)
    return text[len(head[0]) :] if len(head) > n else text


def _ends_in_comma_or_colon(text: str) -> bool:
    """``re.search(r"[,:]\\s*$", text)`` without scanning ``text``."""
    return text.rstrip()[-1:] in (",", ":")


# Words that open a sentence without being names, when nothing else in the article says otherwise.
_STOP = frozenset(
    """
    a an the this that these those it its he she they we i you his her their our my your him them us
    me in on at by for from with without after before during since until till as if when while where
    whereas but and or so yet also both all some many most several few other others another one two
    three four five there here what who whom whose which why how not no yes still even only just now
    then meanwhile however although though because despite under over about according asked speaking
    following earlier later last next more less such each every any much nor once instead overall
    separately elsewhere today yesterday tomorrow tonight indeed perhaps maybe although thus hence
    therefore moreover furthermore besides nevertheless nonetheless otherwise among amid between
    through across against toward towards into onto upon within beyond near outside inside around
    above below up down off out back away again ago already always never often sometimes soon very
    too quite rather almost nearly about around roughly some if unless whether whatever whoever
    let like unlike asked told given based including plus minus per via mr ms mrs dr
    """.split()
)
_MONTHS_DAYS = frozenset(
    """
    january february march april may june july august september october november december jan feb mar
    apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
    """.split()
)
# Titles and honorifics stripped from the front of a person's name.
_TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend father sister brother bishop
    archbishop cardinal rabbi imam sheikh president vice prime minister ministers premier chancellor
    secretary governor gov senator sen representative rep congressman congresswoman mayor councillor
    councilor councilman councilwoman alderman ambassador envoy king queen prince princess emperor
    empress pope general gen colonel col major maj captain capt lieutenant lt sergeant sgt admiral adm
    commander cmdr corporal cpl private pvt marshal judge justice chief executive director speaker
    chairman chairwoman chair chairperson officer detective det inspector superintendent supt
    constable sheriff deputy attorney coach manager president-elect head leader spokesman
    spokeswoman spokesperson commissioner superintendent trooper agent dean provost principal prosecutor
    undersecretary secretary-general taoiseach
    doctor nurse pastor deacon elder consul attorney-general solicitor-general auditor-general
    """.split()
)
_HONORIFIC_GENDER = {
    "mr": "m",
    "sir": "m",
    "lord": "m",
    "king": "m",
    "prince": "m",
    "father": "m",
    "brother": "m",
    "mrs": "f",
    "ms": "f",
    "miss": "f",
    "dame": "f",
    "lady": "f",
    "queen": "f",
    "princess": "f",
    "sister": "f",
    "congresswoman": "f",
    "chairwoman": "f",
    "spokeswoman": "f",
    "councilwoman": "f",
    "congressman": "m",
    "chairman": "m",
    "spokesman": "m",
    "councilman": "m",
}
_HONORIFICS = frozenset(
    "mr mrs ms miss mx dr prof sir dame rev gov sen rep gen col maj capt lt sgt "
    "adm cmdr cpl pvt det supt insp st".split()
)
# Last words of organisations (and a few words that make a capitalised run a body, not a person).
_ORG_WORDS = frozenset(
    """
    ministry ministries department agency network terminals foods electric electronics council union
    association institute university college school academy hospital clinic observatory inc corp
    corporation company co ltd llc plc group holdings bank party committee commission court office
    service services police army navy force forces federation league club united city times post news
    press airlines airways motors energy systems technologies technology labs laboratories
    pharmaceuticals industries partners capital fund foundation trust society organisation organization
    authority board bureau administration government parliament assembly senate congress alliance
    coalition movement front center centre museum church project initiative monitor watch tribunal
    cabinet secretariat embassy consulate commission fc ag sa gmbh nv bv ab asa oyj kk limited mining
    oil gas power motors insurance telecom media studios records broadcasting radio television tv
    journal gazette herald tribune review magazine agency exchange markets railways railway rail
    transport authority port airport stadium hotel bureau
    """.split()
)
# Nouns for a company, as in "the company said": they match any organisation named as a business.
_COMPANY_NOUNS = frozenset(
    "company firm group business carrier airline bank retailer maker manufacturer "
    "insurer lender operator producer supplier developer chain giant brand "
    "startup conglomerate publisher broadcaster automaker carmaker".split()
)
_PRONOUNS = {"he": "m", "she": "f", "it": "o", "they": "p", "we": "p", "i": "s"}
_FUNCTION = frozenset(
    """
    a an the this that these those of in on at by for from with to into onto and or but nor as than
    then so if when while who whom whose which what where after before over under about against
    between through during without within across is was were are be been being has had have do does
    did will would could should may might must can shall not also its his her their our my your
    he she it they we i you him them us me there here
    """.split()
)
_INTRO_WORDS = frozenset(
    """
    after before when while as speaking asked following despite during in on at since although though
    if because with without unlike like earlier later meanwhile however still but yet for by from to
    of under over once upon addressing responding pressed writing talking interviewed standing
    reflecting looking turning returning
    """.split()
)
_SUBJECT_OPENERS = frozenset("the a an his her its their our one who he she they it we i".split())
_AUX = frozenset(
    "has had have would will could should may might must also later then once again "
    "previously earlier recently quickly simply just still had has".split()
)


@lru_cache(maxsize=1)
def _first_names() -> dict[str, str]:
    """Given name (casefolded) -> "f" or "m", from the lists shipped in ``data/``."""
    out: dict[str, str] = {}
    base = resources.files("bot.news") / "data"
    for fname, gender in (("female_names.txt", "f"), ("male_names.txt", "m")):
        for line in (base / fname).read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            for word in line.split():
                out.setdefault(word, gender)
    return out


# ---------------------------------------------------------------------------------------
# Public helpers


@lru_cache(maxsize=4096)
def speaker_key(name: str) -> str:
    """A name folded for matching: accents removed, casefolded, one space between words.

    ``speaker_key("Akira Múto") == speaker_key("akira muto")``.
    """
    if name.isascii():
        return " ".join(name.casefold().split())
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.casefold().split())


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def surname(name: str) -> str:
    """The last word of a name, without a generational suffix: ``Martin Luther King Jr.`` -> ``King``."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower() in _SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def said_by(quote: Quote, speaker: str) -> bool:
    """Whether ``speaker`` (a full name or a surname, any case, accents optional) said ``quote``."""
    if not quote.speaker:
        return False
    key = speaker_key(speaker)
    return key in (speaker_key(quote.speaker), speaker_key(surname(quote.speaker)))


# ---------------------------------------------------------------------------------------
# Data of one article


@dataclass(slots=True)
class _RawQuote:
    para: int
    open: int  # index of the opening mark
    close: int | None  # index of the closing mark; None when the quote runs to the paragraph's end
    start: int
    end: int
    text: str
    sent: int = -1  # global sentence index
    speech: bool = True
    ref: _Ref | None = None
    tagged: bool = False
    speaker: str | None = None
    resolved: bool = False
    chain: int = -1


@dataclass(slots=True)
class _Mention:
    para: int
    start: int  # offsets of the name (titles excluded) in the paragraph
    end: int
    tokens: tuple[str, ...]
    sent: int = -1
    roles: frozenset[str] = frozenset()
    gender: str | None = None
    person_evidence: bool = False
    org: bool = False
    modifier: bool = False  # "Tavor's lead negotiator", "Port Ellis manager Greta ..."
    tentative: bool = False  # a capitalised first word of a sentence, kept if a full name holds it
    titles: tuple[str, ...] = ()
    possessive: bool = False
    ready: bool = False  # _features() has run
    place: bool = False  # after "in", "at", "from" ...: not a speaker of its sentence

    @property
    def name(self) -> str:
        return " ".join(self.tokens)


@dataclass(slots=True)
class _Ref:
    """A speaker phrase as read from a tag, before resolution."""

    kind: str  # "name" | "pronoun" | "nominal" | "none"
    para: int
    pos: int
    mention: _Mention | None = None
    words: tuple[str, ...] = ()
    sent: int = -1


@dataclass(slots=True)
class _Para:
    text: str
    masked: str
    quotes: list[_RawQuote] = field(default_factory=list)
    sents: list[tuple[int, int]] = field(default_factory=list)
    sent_base: int = 0  # global index of the first sentence
    sent_starts: list[int] = field(default_factory=list)
    mentions: list[_Mention] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# 1. Quotation marks


_MARKS = re.compile(r'["“”«»„]')


def _find_spans(text: str) -> list[tuple[int, int | None]]:
    """(opening mark, closing mark or None) of each double-quoted span of one paragraph."""
    spans: list[tuple[int, int | None]] = []
    opened: int | None = None
    opener = ""
    n = len(text)
    for mark in _MARKS.finditer(text):
        i = mark.start()
        ch = mark.group()
        if ch == STRAIGHT:
            if opened is None:
                nxt = text[i + 1] if i + 1 < n else " "
                if nxt.isspace() and i > 0 and not text[i - 1].isspace():
                    continue  # a stray closing mark (or inch sign): it opens nothing
                opened, opener = i, ch
            elif opener == STRAIGHT:
                spans.append((opened, i))
                opened = None
            # a straight mark inside a curly quote is a nested quote: ignored
        elif ch in OPEN_MARKS:
            if opened is not None and opener != STRAIGHT:
                spans.append((opened, _trim_back(text, i)))  # its closing mark is missing
            opened, opener = i, ch
        elif ch in CLOSE_MARKS:
            if opened is not None and opener != STRAIGHT:
                spans.append((opened, i))
                opened = None
            elif opened is None:
                prev = text[i - 1] if i > 0 else " "
                nxt = text[i + 1] if i + 1 < n else " "
                if prev.isspace() or i == 0:
                    if nxt.isalnum():
                        opened, opener = i, "“"  # a closing mark used as an opener
    if opened is not None:
        spans.append((opened, None))
    return spans


def _trim_back(text: str, i: int) -> int:
    """Where a quote cut short by a new opening mark at ``i`` ends (a virtual closing mark)."""
    j = i
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return j


def _content(text: str, open_: int, close: int | None) -> tuple[int, int]:
    s = open_ + 1
    e = len(text) if close is None else close
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# ---------------------------------------------------------------------------------------
# 2. Sentences of the reporter's text

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\x00“\"«(\[]|[^\W\d_])")
_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_][\w'’\-]*")


def _sentences(para: _Para) -> list[tuple[int, int]]:
    masked, text = para.masked, para.text
    cuts: list[int] = []
    for m in _BOUNDARY.finditer(masked):
        nxt = masked[m.end()] if m.end() < len(masked) else ""
        if nxt.isalpha() and not nxt.isupper():
            continue
        dot = m.start()
        before = masked[max(0, dot - 30) : dot]
        token = before.rsplit(None, 1)[-1] if before and not before[-1].isspace() else ""
        if masked[dot] == ".":
            low = token.lower().rstrip(".")
            if (
                len(low) == 1
                or low in NEWS_ABBREVIATIONS
                or ("." in low and all(len(p) <= 2 for p in low.split(".")))
            ):
                continue
        cuts.append(m.end())
    # A quote that ends a sentence inside its marks ("... the road." Next ...).
    for q in para.quotes:
        if q.close is None:
            continue
        inner = text[q.start : q.end]
        if inner and inner[-1] in ".!?…":
            after = q.close + 1
            rest = text[after:]
            stripped = rest.lstrip()
            if stripped and rest[:1].isspace() and (stripped[0].isupper() or stripped[0] in OPEN_MARKS + '"'):
                cuts.append(after + (len(rest) - len(stripped)))
    cuts = sorted(set(cuts))
    out: list[tuple[int, int]] = []
    start = 0
    for c in [*cuts, len(text)]:
        s, e = start, c
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
        start = c
    return out or [(0, len(text))]


# ---------------------------------------------------------------------------------------
# 3. Names in the reporter's text

_PARTICLES = frozenset("de da del della di du dos das van von der den la le bin ibn al el ter ten st".split())


_APPOSITIVE = re.compile(r",\s+((?:the|a|an)\s+)?([^,;:\x00()]{2,90}?)(?=,|;|:|\.(?:\s|$)|$| who\b)")
_PRE_APPOSITIVE = re.compile(
    r"(?:^|[.;]\s|,\s)((?:the|a|an|his|her|its|their|[A-Z]\w*['’]s)\s+[^,;\x00]{1,50}),\s+$"
)


def _is_cap(tok: str) -> bool:
    if tok[0].isupper():
        return True
    if "-" in tok:
        head, _, rest = tok.partition("-")
        return head.lower() in _PARTICLES and rest[:1].isupper()
    return False


_ROLE_SUFFIX = re.compile(
    r"(?:er|or|ist|ian|man|woman|person|ent|ant|ive|ee|ary|ief|ain|ch|ard|ge|ic|ess|on|ar|al|ot|eon|ath)$"
)
_NOT_ROLE = frozenset(
    "other over under after never ever however whenever whether rather either neither "
    "later earlier upon common certain again".split()
)


def _is_role_word(w: str) -> bool:
    """A lowercase word that can stand before a name as a role: ``defender``, ``coach``, ``executive``."""
    w = w.lower().strip("’'")
    if w in _TITLES:
        return True
    if w in _FUNCTION or w in _STOP or w in SPEECH_VERBS or w in _NOT_ROLE or len(w) < 3:
        return False
    if w.endswith(("ing", "ly", "ed")):
        return False
    return bool(_ROLE_SUFFIX.search(w)) or "-" in w


def _bare(tok: str) -> str:
    """A token without a possessive ending."""
    for suffix in ("'s", "’s"):
        if tok.endswith(suffix):
            return tok[: -len(suffix)]
    if tok.endswith(("s'", "s’")):
        return tok[:-1]
    return tok


_CANDIDATE = re.compile(
    r"\b(?:(?:[A-Z]\.){2,}|[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’\-]*|(?:de|da|del|della|di|du|dos|das|van|von|der|den"
    r"|la|le|bin|ibn|al|el|ter|ten|st|of)\b(?:-[\w'’\-]+)?)"
)
_HAS_WORD = re.compile(r"[^\W_]")
_PRE_ROLE = re.compile(r"(?<![\w’'-])((?:[a-z][\w’'-]*\s){1,3})$")


class _Vocab:
    """Words of the whole article, computed only when a sentence-initial word needs judging."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower: frozenset[str] | None = None
        self._cap_mid: frozenset[str] | None = None

    @property
    def lower(self) -> frozenset[str]:
        if self._lower is None:
            self._lower = frozenset(re.findall(r"\b[a-z][\w'’-]*", self.text))
        return self._lower

    @property
    def cap_mid(self) -> frozenset[str]:
        """Capitalised words that stand inside a sentence somewhere (names, not sentence openers)."""
        if self._cap_mid is None:
            self._cap_mid = frozenset(re.findall(r"(?<=[a-z,;] )([A-Z][\w'’-]*)", self.text))
        return self._cap_mid


def _mentions(para: _Para, pidx: int, vocab: _Vocab) -> list[_Mention]:
    masked = para.masked
    # only capitalised words and name particles: a run breaks wherever other words stand between
    toks = [(m.start(), m.end(), m.group()) for m in _CANDIDATE.finditer(masked)]
    firsts = set()
    for a, b in para.sents:
        w = _HAS_WORD.search(masked, a, b)
        if w:
            firsts.add(w.start())
    initial = {i for i, (s, _e, _t) in enumerate(toks) if s in firsts}
    out: list[_Mention] = []
    i = 0
    n = len(toks)
    names = _first_names()
    while i < n:
        t = toks[i][2]
        if not _is_cap(t) or t.lower() in _MONTHS_DAYS:
            i += 1
            continue
        # grow a run of capitalised words joined by single spaces (or "Mr. ")
        run = [i]
        j = i + 1
        while j < n:
            gap = masked[toks[j - 1][1] : toks[j][0]]
            prev_tok = toks[j - 1][2]
            tj = toks[j][2]
            short = prev_tok.lower() in _HONORIFICS or len(prev_tok) == 1
            if gap not in (" ", ". ") or (gap == ". " and not short):
                if not (gap == " & " and _is_cap(tj)):
                    break
            if _is_cap(tj) and tj.lower() not in _MONTHS_DAYS:
                run.append(j)
                j += 1
                continue
            low = tj.lower()
            if (
                j + 1 < n
                and _is_cap(toks[j + 1][2])
                and masked[toks[j][1] : toks[j + 1][0]] == " "
                and (low in _PARTICLES or (low == "of" and _bare(toks[j - 1][2]).lower() in _ORG_WORDS))
            ):
                run.extend((j, j + 1))
                j += 2
                continue
            break
        i = j
        words = [toks[k][2] for k in run]
        # a sentence-initial common word is not part of a name ("The Hague" keeps "Hague")
        first_initial = run[0] in initial
        while words and (words[0].lower() in _STOP):
            words.pop(0)
            run.pop(0)
            first_initial = False
        if not words:
            continue
        # titles and honorifics in front: strip up to the last one
        cut = 0
        titles: list[str] = []
        for k, word in enumerate(words[:-1]):
            low = word.lower().rstrip(".")
            if low in _TITLES or ("-" in low and any(part in _TITLES for part in low.split("-"))):
                cut = k + 1  # "President", "Director-General"
        names = _first_names()
        if (
            cut == 0
            and len(words) >= 3
            and _is_role_word(words[0])
            and words[0].lower() not in names
        ):
            cut = 1  # "Critic Ian Moss", "Economist Jane Doe", "Mediator Elodie Marchand"
        titles = [w.lower().rstrip(".") for w in words[:cut]]
        name_words = words[cut:]
        name_idx = run[cut:]
        if not name_words or name_words[-1].lower().rstrip(".") in _TITLES:
            continue  # "the Japanese Ambassador": a title, not a name
        if len(name_words) == 1 and name_words[0].isupper() and len(name_words[0]) <= 1:
            continue
        start = toks[name_idx[0]][0]
        end = toks[name_idx[-1]][1]
        last = name_words[-1]
        possessive = _bare(last) != last
        tokens = tuple(w.rstrip(".") if w.lower().rstrip(".") in _HONORIFICS else w for w in name_words)
        tokens = (*tokens[:-1], _bare(tokens[-1]))
        if tokens[-1].endswith(".") and len(tokens[-1]) > 2:
            tokens = (*tokens[:-1], tokens[-1].rstrip("."))
        single = len(tokens) == 1
        if single and first_initial and not cut:
            first = tokens[0]
            low = first.lower()
            # a capitalised first word of a sentence is a name only with evidence from the article
            if low in vocab.lower or low.rstrip("s") in vocab.lower:
                continue
            tentative = first not in vocab.cap_mid and low not in names
        else:
            tentative = False
        ment = _Mention(para=pidx, start=start, end=end, tokens=tokens, tentative=tentative)
        lows = [w.lower() for w in tokens]
        ment.org = (
            lows[-1] in _ORG_WORDS
            or any(w in _ORG_WORDS for w in lows[:-1] if w not in _TITLES)
            or "&" in masked[start:end]
            or (single and tokens[0].isupper() and len(tokens[0]) > 1)
        )
        before = masked[max(0, start - 30) : start]
        if not ment.org and not titles and (before.endswith(" the ") or before == "the "):
            ment.org = True  # "the Harlow Institute"
        ment.titles = tuple(titles)
        ment.possessive = possessive
        out.append(ment)
    return out


_PLACE_BEFORE = re.compile(
    r"(?:(?<!according )\b(?:in|at|from|near|to|into|across|outside|inside|toward|towards|via|through)"
    r"\s+(?:the\s+)?|\b(?:in|at|from|near)\s+[A-Z][\w'’-]*,\s+)$"
)
_SPEECH_AFTER = re.compile(
    r"\s+(?:\w+ly\s+)?(?:said|says|told|tells|asked|asks|added|stated|recalled|explained)\b"
)


def _features(masked: str, ment: _Mention) -> None:
    """Person evidence, gender, roles and modifier use of a mention (computed when first needed)."""
    ment.ready = True
    start, end, tokens, titles = ment.start, ment.end, ment.tokens, list(ment.titles)
    cut, possessive = bool(titles), ment.possessive
    names = _first_names()
    before = masked[max(0, start - 30) : start]
    nxt_text = masked[end : end + 40]
    # roles: titles, lowercase role words before, and appositives around
    roles = set(titles)
    pre = _PRE_ROLE.search(before) if before[-2:-1].islower() else None
    if pre and not cut:
        words_before = pre.group(1).split()
        keep: list[str] = []
        for w in reversed(words_before):
            if not _is_role_word(w):
                break
            keep.append(w)
        roles.update(keep)
        if keep:
            ment.person_evidence = True
    app = _APPOSITIVE.match(masked, end)
    if app and not possessive:
        phrase = app.group(2)
        if app.group(1) or re.match(
            r"(?:chair|head|director|president|chief|leader|member|founder|"
            r"spokes\w+|secretary|editor|author|professor|\w+er|\w+or|\w+ist)\b",
            phrase,
        ):
            roles.update(w.lower().strip("’'") for w in phrase.split())
            ment.person_evidence = not ment.org or ment.person_evidence
    if _PLACE_BEFORE.search(before) and not cut:
        ment.place = True  # "in Tehran", "Louisville, Kentucky": a place, whatever follows it
        ment.person_evidence = False
    elif re.match(r",\s+\d{1,3}\s*[,.]|,\s+who\b", nxt_text) or _SPEECH_AFTER.match(nxt_text):
        ment.person_evidence = True  # "Joan Whitcombe, 67,", "Park, who ...", "Trey asked"
    pre_app = _PRE_APPOSITIVE.search(masked, max(0, start - 70), start) if before.endswith(", ") else None
    if pre_app:
        roles.update(w.lower().strip("’'") for w in pre_app.group(1).split())
    if cut:
        ment.person_evidence = True
        for t in titles:
            if t in _HONORIFIC_GENDER:
                ment.gender = _HONORIFIC_GENDER[t]
    if len(tokens) >= 2 and tokens[0].lower() in names:
        ment.person_evidence = True
        ment.gender = ment.gender or names[tokens[0].lower()]
    if ment.org:
        ment.person_evidence = False
    ment.roles = frozenset(w for w in roles if w not in _FUNCTION)
    # modifiers: "Russia's natural neighbour", "Port Ellis manager Greta Lindholm"
    after = masked[end : end + 60]
    if possessive and re.match(r"\s+[a-z]", after):
        ment.modifier = True
    elif re.match(r"\s+(?:[a-z][\w-]*\s+){1,3}(?=[A-Z])", after):
        gap_words = re.match(r"\s+((?:[a-z][\w-]*\s+){1,3})", after)
        if gap_words and all(_is_role_word(w) for w in gap_words.group(1).split()):
            ment.modifier = True


# ---------------------------------------------------------------------------------------
# 4. Speaker phrases

_PRONOUN_RE = re.compile(r"\b(he|she|it|they|we|I)\b")
_NOMINAL_END = re.compile(
    r"\b(the|a|an|one|another|some|several|many|two|three|his|her|its|their|our)\s+"
    r"((?:[a-z][\w'’-]*\s+){0,3}[a-z][\w'’-]*)\s*$"
)
_NOMINAL_START = re.compile(
    r"^\s*(the|a|an|one|another|some|several|many|two|three|his|her|its|their|our)\s+"
    r"((?:[a-z][\w'’-]*\s*){1,4})"
)
# "officials", "opposition lawmakers"
_BARE_NOUNS = re.compile(r"^\s*(?:[a-z][\w'’-]*\s+){0,2}[a-z][\w'’-]*s\s*$")
_INDEFINITE = frozenset("a an one another some several many two three".split())
_CUT_INVERTED = re.compile(
    r",|;|:|\.(?:\s|$)|\x00|\s(?:as|who|which|while|when|after|before|in|on|at|outside|during|from|to|"
    r"adding|saying|speaking|according)\b"
)


class _Doc:
    def __init__(self, paragraphs: Sequence[str], title: str = "") -> None:
        self.title = title
        self.paras: list[_Para] = []
        for text in paragraphs:
            spans = _find_spans(text)
            pieces: list[str] = []
            done = 0
            quotes: list[_RawQuote] = []
            for o, c in spans:
                s, e = _content(text, o, c)
                stop = len(text) if c is None else c + 1
                pieces.append(text[done:o])
                pieces.append(MASK * (stop - o))
                done = stop
                if e > s:
                    quotes.append(
                        _RawQuote(para=len(self.paras), open=o, close=c, start=s, end=e, text=text[s:e])
                    )
            pieces.append(text[done:])
            self.paras.append(_Para(text=text, masked="".join(pieces), quotes=quotes))
        base = 0
        last_quoted = max((i for i, p in enumerate(self.paras) if p.quotes), default=-1)
        for i, p in enumerate(self.paras):
            p.sents = _sentences(p) if i <= last_quoted else [(0, len(p.text))]
            p.sent_starts = [a for a, _b in p.sents]
            p.sent_base = base
            base += len(p.sents)
            for q in p.quotes:
                q.sent = base - len(p.sents) + self._sent_index(p, q.open)
        self._bases = [p.sent_base for p in self.paras]
        all_masked = " ".join(p.masked for p in self.paras)
        vocab = _Vocab(all_masked)
        # tokens of multi-word names also count as evidence ("Park" after "Yuna Park")
        self.mentions: list[_Mention] = []
        for i, p in enumerate(self.paras[: last_quoted + 1]):
            p.mentions = _mentions(p, i, vocab)
            for m in p.mentions:
                m.sent = p.sent_base + self._sent_index(p, m.start)
            self.mentions.extend(p.mentions)
        multi_tokens = {t for m in self.mentions if len(m.tokens) > 1 for t in m.tokens}
        for p in self.paras:
            p.mentions = [m for m in p.mentions if not m.tentative or m.tokens[0] in multi_tokens]
        self.mentions = [m for p in self.paras for m in p.mentions]
        self._by_last: dict[str, list[_Mention]] = {}
        self._by_first: dict[str, list[_Mention]] = {}
        self._by_sent: dict[int, list[_Mention]] = {}
        self._by_single: dict[str, list[_Mention]] = {}
        for m in self.mentions:
            self._by_sent.setdefault(m.sent, []).append(m)
            if len(m.tokens) == 1:
                self._by_single.setdefault(speaker_key(m.tokens[0]), []).append(m)
            else:
                toks = [t for t in m.tokens if t.lower().rstrip(".") not in _SUFFIXES] or list(m.tokens)
                self._by_last.setdefault(speaker_key(toks[-1]), []).append(m)
                self._by_first.setdefault(speaker_key(m.tokens[0]), []).append(m)
        self._entity_cache: dict[tuple[int, int], _Mention] = {}
        self._speakers: set[str] = set()  # keys of people a tag names as speaking
        self._speaker_ent: dict[str, _Mention] = {}

    @staticmethod
    def _sent_index(p: _Para, pos: int) -> int:
        return max(0, bisect_right(p.sent_starts, pos) - 1)

    def sent_span(self, gsent: int) -> tuple[int, int, int]:
        pidx = bisect_right(self._bases, gsent) - 1
        s, e = self.paras[pidx].sents[gsent - self.paras[pidx].sent_base]
        return pidx, s, e

    # -- entities --------------------------------------------------------------------

    def entity(self, m: _Mention) -> _Mention:
        """The fullest mention the article gives for ``m`` (a surname -> the full name)."""
        key = (m.para, m.start)
        if key in self._entity_cache:
            return self._entity_cache[key]
        ent = self._expand(m.tokens, m.para, m.start) or m
        self._entity_cache[key] = ent
        return ent

    def _expand(self, tokens: tuple[str, ...], para: int, pos: int) -> _Mention | None:
        if len(tokens) != 1:
            return None
        k = speaker_key(tokens[0])
        cands = self._by_last.get(k, []) + [
            m for m in self._by_first.get(k, []) if m.org or not self.feat(m).person_evidence
        ]
        best_before: _Mention | None = None
        best_after: _Mention | None = None
        for m in cands:
            if (m.para, m.start) < (para, pos):
                if best_before is None or (best_before.para, best_before.start) < (m.para, m.start):
                    best_before = m
            elif best_after is None or (m.para, m.start) < (best_after.para, best_after.start):
                best_after = m
        return best_before or best_after

    def feat(self, m: _Mention) -> _Mention:
        if not m.ready:
            _features(self.paras[m.para].masked, m)
        return m

    def _group(self, m: _Mention) -> list[_Mention]:
        """``m``, its entity and the other mentions that resolve to that entity."""
        ent = self.entity(m)
        toks = [t for t in ent.tokens if t.lower().rstrip(".") not in _SUFFIXES] or list(ent.tokens)
        same = [o for o in self._by_last.get(speaker_key(toks[-1]), ()) if self.entity(o) is ent]
        singles = [o for o in self._by_single.get(speaker_key(toks[-1]), ()) if self.entity(o) is ent]
        return [self.feat(x) for x in (m, ent, *same, *singles)]

    def is_person(self, m: _Mention) -> bool:
        ent = self.entity(m)
        if ent.org:
            return False
        if speaker_key(ent.name) in self._speakers:
            return True
        return any(x.person_evidence for x in self._group(m))

    def gender(self, m: _Mention) -> str | None:
        return next((x.gender for x in self._group(m) if x.gender), None)

    # -- reading a speaker phrase ----------------------------------------------------

    def ref_in(self, pidx: int, s: int, e: int, inverted: bool = False) -> _Ref | None:
        """The speaker phrase in ``masked[s:e]`` of paragraph ``pidx``."""
        p = self.paras[pidx]
        seg = p.masked[s:e]
        if inverted:
            cut = _CUT_INVERTED.search(seg)
            if cut:
                e = s + cut.start()
                seg = p.masked[s:e]
            for m in p.mentions:
                if s <= m.start < e and not self.feat(m).modifier:
                    return _Ref("name", pidx, m.start, mention=m)
            pm = re.match(r"\s*(he|she|they|it|we)\b", seg)
            if pm:
                return _Ref("pronoun", pidx, s + pm.start(1), words=(pm.group(1).lower(),))
            nm = _NOMINAL_START.match(seg)
            if nm:
                det = nm.group(1)
                words = tuple(nm.group(2).split())
                if det in _INDEFINITE:
                    return _Ref("none", pidx, s)
                return _Ref("nominal", pidx, s, words=words)
            if seg.strip():
                return _Ref("none", pidx, s)
            return None
        for m in p.mentions:
            if s <= m.start and m.end <= e and not self.feat(m).modifier and not m.place:
                return _Ref("name", pidx, m.start, mention=m)
        seg_words = seg.split()
        while seg_words and seg_words[-1].lower() in _AUX:
            seg_words.pop()
        tail = " ".join(seg_words)
        pm = re.search(r"\b(he|she|it|they|we|I)$", tail)
        if pm:
            return _Ref("pronoun", pidx, s, words=(pm.group(1).lower(),))
        nm = _NOMINAL_END.search(tail)
        if nm:
            if nm.group(1) in _INDEFINITE:
                return _Ref("none", pidx, s)
            return _Ref("nominal", pidx, s, words=tuple(nm.group(2).split()))
        if tail and _BARE_NOUNS.match(tail):
            return _Ref("none", pidx, s)
        pm = _PRONOUN_RE.search(tail)
        if pm and len(tail.split()) <= 3:
            return _Ref("pronoun", pidx, s, words=(pm.group(1).lower(),))
        if tail and len(seg_words) <= 4 and all(w[:1].islower() for w in seg_words):
            return _Ref("none", pidx, s)  # "police", "opposition lawmakers": nobody named
        return None

    def subject_before(self, pidx: int, clause_start: int, verb_start: int) -> _Ref | None:
        """The subject of a speech verb at ``verb_start``: the clause before it, read in chunks."""
        p = self.paras[pidx]
        seg = p.masked[clause_start:verb_start]
        bounds = [clause_start]
        for m in re.finditer(r"[,;—–]|\s-\s|\x00+", seg):
            bounds.append(clause_start + m.start())
            bounds.append(clause_start + m.end())
        bounds.append(verb_start)
        chunks = [(bounds[k], bounds[k + 1]) for k in range(0, len(bounds) - 1, 2)]
        chunks = [(a, b) for a, b in chunks if p.masked[a:b].strip()]
        if not chunks:
            return None
        last = chunks[-1]
        lead = re.match(r"\s*(?:and|but|while|as|so|then|yet|or)\s+", p.masked[last[0] : last[1]])
        last_s = last[0] + (lead.end() if lead else 0)
        last_text = p.masked[last_s : last[1]]
        if last[1] == verb_start and last_text.strip():
            ref = self.ref_in(pidx, last_s, last[1])
            if ref and ref.kind in ("name", "pronoun"):
                return ref
            earlier = chunks[:-1]
        else:
            ref = None
            earlier = chunks
        for a, b in earlier:
            first = p.masked[a:b].split()
            w0 = first[0].lower() if first else ""
            participle = len(w0) > 4 and w0.endswith(("ing", "ed")) and w0 not in _first_names()
            aside = bool(first) and first[0][:1].islower() and w0 not in _SUBJECT_OPENERS
            if w0 in _INTRO_WORDS or participle or aside:
                continue  # "After the vote,", "Speaking afterwards,", "perhaps in a nod to ...,"
            r = self.ref_in(pidx, a, b)
            if r and r.kind == "name":
                return r
            if r and r.kind == "pronoun" and ref is None:
                return r
        return ref

    # -- resolving -------------------------------------------------------------------

    def resolve(self, ref: _Ref | None) -> str | None:
        if ref is None or ref.kind == "none":
            return None
        if ref.kind == "name" and ref.mention is not None:
            return self.entity(ref.mention).name
        if ref.kind == "pronoun":
            return self._pronoun(ref)
        if ref.kind == "nominal":
            return self._nominal(ref)
        return None

    def _pronoun(self, ref: _Ref) -> str | None:
        want = _PRONOUNS.get(ref.words[0] if ref.words else "", "")
        if want not in ("m", "f", "o"):
            return None
        gsent = self.paras[ref.para].sent_base + self._sent_index(self.paras[ref.para], ref.pos)
        # mentions before the pronoun in its own sentence, then earlier sentences, nearest first
        for g in range(gsent, max(-1, gsent - 8), -1):
            cands: list[tuple[int, str | None, _Mention | None]] = []
            for m in self._by_sent.get(g, ()):
                if g != gsent or (m.para, m.start) < (ref.para, ref.pos):
                    cands.append((m.start, None, m))
            pidx = self.sent_span(g)[0]
            for q in self.paras[pidx].quotes:
                if q.sent == g and q.resolved and q.speaker and (g != gsent or q.open < ref.pos):
                    cands.append((q.open, q.speaker, None))
            # a possessive ("Walker's younger brother Cody") is not the subject of its sentence
            cands.sort(key=lambda c: (c[2] is not None and self.feat(c[2]).modifier, c[0]))
            for _pos, spk, cand in cands:
                if cand is not None:
                    ent = self.entity(cand)
                    if want == "o":
                        if ent.org:
                            return ent.name
                        continue
                    if not self.is_person(cand):
                        continue
                    g_m = self.gender(cand)
                    if g_m and g_m != want:
                        continue
                    self._speakers.add(speaker_key(ent.name))
                    self._speaker_ent.setdefault(speaker_key(ent.name), ent)
                    return ent.name
                elif spk is not None and want != "o":
                    known = self._speaker_ent.get(speaker_key(spk))
                    g_s = self.gender(known) if known is not None else None
                    if (g_s is None or g_s == want) and speaker_key(spk) in self._speakers:
                        return spk
        return None

    def _nominal(self, ref: _Ref) -> str | None:
        words = [w.lower().strip("’'") for w in ref.words]
        if not words:
            return None
        head = words[-1]
        mods = set(words[:-1]) - _FUNCTION
        want_org = head in _ORG_WORDS or head in _COMPANY_NOUNS
        best: tuple[int, _Mention] | None = None
        for m in self.mentions:
            if (m.para, m.start) >= (ref.para, ref.pos):
                break
            ent = self.entity(m)
            if ent.org != want_org:
                continue  # "the union leader" is a person, "the ministry" a body
            roles = set(self.feat(m).roles) | set(self.feat(ent).roles)
            name_words = {w.lower() for w in ent.tokens}
            score = 0
            if head in roles or head in name_words:
                score = 2
            elif head in _COMPANY_NOUNS and head != "group":
                score = 1
            elif mods & (roles | name_words):
                score = 1
            if score and (best is None or score >= best[0]):
                best = (score, m)
        if best is None:
            return None
        return self.entity(best[1]).name


# ---------------------------------------------------------------------------------------
# 5. Speech or not, and the tag of each quote

_VERB_ALT = "|".join(sorted(_TAG_VERBS, key=len, reverse=True))
_POST_SUBJ_VERB = re.compile(
    rf"^\s*[,—–-]?\s*(?P<subj>[^,;:.\x00]{{1,60}}?(?:\.\s[^,;:.\x00]{{1,40}}?)?)\s+"
    rf"(?:(?:also|then|later|simply|quickly|only|again|had|has|have|would|will)\s+)*"
    rf"(?P<verb>{_VERB_ALT}|pointed\s+out|went\s+on)\b"
)
_POST_VERB_SUBJ = re.compile(rf"^\s*[,—–-]?\s*(?P<verb>{_VERB_ALT})\s+(?P<subj>\S)")
_POST_ACCORDING = re.compile(r"^\s*[,—–-]?\s*according\s+to\s+(?P<subj>\S)")
_PRE_TAG = re.compile(
    rf"\b(?P<verb>{_VERB_ALT}|pointed\s+out|went\s+on)\b(?P<rest>[^,:\x00]{{0,60}}?)\s*[,:]\s*$"
)
_PRE_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<subj>[^,\x00]+?)(?:,[^,\x00]*)?,\s*$", re.IGNORECASE)
# Forms that are as often nouns or adjectives ("member states", "alleged crimes") cue no partial quote.
_AMBIGUOUS_FORMS = frozenset(
    "states notes remarks comments reports claims charges protests calls answers counters posts promises "
    "pledges demands vows warning tweets alleged alleges testimony cries".split()
)
_PARTIAL_VERB = re.compile(
    rf"\b(?P<verb>{'|'.join(sorted(SPEECH_VERBS - _AMBIGUOUS_FORMS, key=len, reverse=True))})\b"
)
_SPEECH_NOUN_CUE = re.compile(
    rf"\b(?:{_SPEECH_NOUNS})\s+(?:from|by|of)\s+(?P<subj>(?:[A-Za-z][\w'’.-]*,?\s+){{0,6}}?[A-Z][\w'’-]*)"
)
_ACCORDING_CUE = re.compile(r"\baccording\s+to\s+(?P<subj>[A-Z]|the\b|his\b|her\b)")
_POSS_CUE = re.compile(rf"(?P<subj>[A-Z][\w'’-]*)['’]s\s+(?:\w+\s+)?(?:{_SPEECH_NOUNS})\b")
_CAME_FROM = re.compile(
    r"\b(?i:it|this|that|the\s+(?:remark|remarks|comment|comments|words|objection|warning|line|quote|message"
    r"|plea|complaint|criticism|question|statement|appeal|verdict|assessment))\s+(?:came|comes|was|were)"
    r"\s+from\s+(?=[A-Z])"
)
_TITLE_SMALL = frozenset("a an the of and or in on at to for with by de du la le van von da del & vs".split())


def _looks_like_title(text: str) -> bool:
    """``Planetary Letters``, ``the Old Lady``, ``Next Horizon 2030``: a name or title, not speech."""
    if not text or text[-1] in ",.!?;:…—-":
        return False
    words = text.split()
    if len(words) > 8:
        return False
    significant = [w for w in words if w.lower() not in _TITLE_SMALL]
    if not significant:
        return False
    return all(w[0].isupper() or w[0].isdigit() for w in significant) and any(
        w[0].isupper() for w in significant
    )


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


class _Extractor:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc

    def run(self) -> list[_RawQuote]:
        doc = self.doc
        quotes = [q for p in doc.paras for q in p.quotes]
        self._chains(quotes)
        for q in quotes:
            self._classify(q)
        speech = [q for q in quotes if q.speech]
        # tags first, in article order (pronouns read earlier resolved quotes)
        for q in speech:
            if q.ref is not None:
                q.speaker = doc.resolve(q.ref)
                q.resolved = True
                q.tagged = True
                if q.speaker and q.ref.kind == "name" and q.ref.mention is not None:
                    ent = doc.entity(q.ref.mention)
                    if not ent.org:
                        doc._speakers.add(speaker_key(q.speaker))
                        doc._speaker_ent[speaker_key(q.speaker)] = ent
        # chains share the speaker of their tagged member
        by_chain: dict[int, list[_RawQuote]] = {}
        for q in speech:
            if q.chain >= 0:
                by_chain.setdefault(q.chain, []).append(q)
        for members in by_chain.values():
            tagged = [m for m in members if m.tagged]
            if tagged:
                for m in members:
                    if not m.tagged:
                        m.speaker, m.resolved, m.tagged = tagged[0].speaker, True, True
        self.by_sent: dict[int, list[_RawQuote]] = {}
        for q in speech:
            self.by_sent.setdefault(q.sent, []).append(q)
        for q in speech:
            if not q.resolved:
                q.speaker = self._untagged(q, speech)
                q.resolved = True
        return speech

    def _chains(self, quotes: list[_RawQuote]) -> None:
        chain_id = 0
        paras = self.doc.paras
        for q in quotes:
            if q.close is not None:
                continue
            nxt = q.para + 1
            if nxt < len(paras) and paras[nxt].quotes and paras[nxt].quotes[0].open == 0:
                if q.chain < 0:
                    q.chain = chain_id
                    chain_id += 1
                paras[nxt].quotes[0].chain = q.chain

    # -- speech or not -------------------------------------------------------------

    def _classify(self, q: _RawQuote) -> None:
        doc = self.doc
        p = doc.paras[q.para]
        _, ss, se = doc.sent_span(q.sent)
        before = p.masked[ss : q.open]
        after = p.masked[(q.close + 1) if q.close is not None else len(p.text) : se]
        text = q.text
        in_chain = q.chain >= 0
        if not in_chain and _looks_like_title(text):
            q.speech = False
            return
        tail = _last_chunks(before, 4)  # both cues span at most four words before the quote
        if not in_chain and (_LABEL_CUE.search(tail) or _LABEL_CUE_GAP.search(tail)):
            # "called the plan "a gamble"" is speech; "a film called "Blue Harbour"" is a title
            q.speech = False
            return
        starts_sentence = not before.strip() or before.rstrip().endswith(MASK)
        intro = _ends_in_comma_or_colon(before) or starts_sentence
        words = _word_count(text)
        ref = self._tag(q, before, after, starts_sentence)
        if ref is not None:
            q.ref = ref
            return
        if not in_chain and not starts_sentence and _looks_like_title(text.rstrip(",.!?;:")):
            q.speech = False  # a song or book title with the comma inside: "Uptown Funk!,"
            return
        if intro or in_chain:
            return  # a whole-sentence or introduced quote without a tag: speech, speaker from context
        # a quote inside a sentence: speech only with a speech cue in the sentence
        nxt = re.match(r"\s*([a-z][\w'’-]*)", after)
        if words <= 3 and nxt and nxt.group(1) not in _FUNCTION and text[-1:] not in ",.!?":
            q.speech = False  # a "historic" opening: an adjective in scare quotes
            return
        cue = self._partial_cue(q, ss)
        if cue is not None:
            q.ref = cue
            return
        if words <= 4 or (not re.search(r"[.!?,]$", text) and words <= 6):
            q.speech = False

    # -- tags ------------------------------------------------------------------------

    def _tag(self, q: _RawQuote, before: str, after: str, starts_sentence: bool) -> _Ref | None:
        doc = self.doc
        p = doc.paras[q.para]
        pidx = q.para
        text = q.text
        after_start = (q.close + 1) if q.close is not None else len(p.text)
        # 1. a tag after the quote
        if q.close is not None and after.strip():
            ends_open = text[-1:] in ",!?…—–-" or p.masked[after_start : after_start + 1] == ","
            m = _POST_ACCORDING.match(after)
            if m:
                end = after_start + len(after)
                return doc.ref_in(pidx, after_start + m.start("subj"), end, inverted=True)
            m = _POST_VERB_SUBJ.match(after)
            if m and (ends_open or text[-1:] == "."):
                ref = doc.ref_in(pidx, after_start + m.start("subj"), after_start + len(after), inverted=True)
                if ref is not None:
                    return ref
            m = _POST_SUBJ_VERB.match(after)
            if m:
                rest = after[m.end() :]
                ok_rest = ends_open or re.match(
                    r"\s*(?:$|[.,;:\x00]|(?:in|on|at|to|during|after|before|when|while|as|from|outside"
                    r"|with|on)\b)",
                    rest,
                )
                subj_text = m.group("subj")
                if ok_rest and len(subj_text.split()) <= 7:
                    ref = doc.ref_in(pidx, after_start + m.start("subj"), after_start + m.end("subj"))
                    if ref is not None:
                        return ref
        # 2. a tag before the quote
        if before.strip() and not before.rstrip().endswith(MASK):
            seg_start = self._clause_start(p, q)
            seg = p.masked[seg_start : q.open]
            # both patterns end in "[,:]\s*$": no search unless the segment ends so
            if not _ends_in_comma_or_colon(seg):
                return None
            m = _PRE_ACCORDING.search(seg)
            if m:
                return doc.ref_in(pidx, seg_start + m.start("subj"), seg_start + m.end("subj"), inverted=True)
            m = _PRE_TAG.search(seg)
            if m:
                return doc.subject_before(pidx, seg_start, seg_start + m.start("verb"))
        elif before.rstrip().endswith(MASK) and _ends_in_comma_or_colon(before):
            # "A," Fifita said, "B."
            seg_start = self._clause_start(p, q)
            seg = p.masked[seg_start : q.open]
            m = _PRE_TAG.search(seg)
            if m:
                return doc.subject_before(pidx, seg_start, seg_start + m.start("verb"))
        return None

    @staticmethod
    def _clause_start(p: _Para, q: _RawQuote) -> int:
        """Where the reporter's words before ``q`` begin: its sentence, after any earlier quote in it."""
        start = ss = p.sents[_Doc._sent_index(p, q.open)][0]
        for other in p.quotes:
            if other.close is not None and ss <= other.close < q.open:
                start = other.close + 1
        return start

    def _partial_cue(self, q: _RawQuote, sent_start: int) -> _Ref | None:
        """The closest speech cue before a quote inside a sentence, and its subject."""
        doc = self.doc
        p = doc.paras[q.para]
        pidx = q.para
        seg = p.masked[sent_start : q.open]
        best: tuple[int, _Ref | None] | None = None
        for m in _SPEECH_NOUN_CUE.finditer(seg):
            a = sent_start + m.start("subj")
            named = next(
                (
                    x
                    for x in p.mentions
                    if a <= x.start < q.open
                    and not doc.feat(x).modifier
                    and not _PARTIAL_VERB.search(p.masked, a, x.start)
                ),
                None,
            )
            if named is not None:
                ref: _Ref | None = _Ref("name", pidx, named.start, mention=named)
            else:
                ref = doc.ref_in(pidx, a, q.open, inverted=True)
            if ref and (best is None or m.start() > best[0]):
                best = (m.start(), ref)
        for m in _POSS_CUE.finditer(seg):
            s = sent_start + m.start("subj")
            ref = doc.ref_in(pidx, s, s + len(m.group("subj")) + 2)
            if ref and ref.kind == "name" and (best is None or m.start() > best[0]):
                best = (m.start(), ref)
        for m in _ACCORDING_CUE.finditer(seg):
            ref = doc.ref_in(pidx, sent_start + m.start("subj"), q.open, inverted=True)
            if ref and (best is None or m.start() > best[0]):
                best = (m.start(), ref)
        verbs = list(_PARTIAL_VERB.finditer(seg))
        if verbs:
            v = verbs[-1]
            if best is None or v.start() > best[0]:
                ref = doc.subject_before(pidx, sent_start, sent_start + v.start())
                return ref if ref is not None else _Ref("none", pidx, sent_start)
        if best is not None:
            return best[1]
        # a cue after the quote in the same sentence: ""...," he said" is a tag; "... , said NAME." too
        return None

    # -- untagged quotes -------------------------------------------------------------

    def _untagged(self, q: _RawQuote, speech: list[_RawQuote]) -> str | None:
        doc = self.doc
        # the nearest earlier sentence with a quote or with reported speech, within two paragraphs
        first_sent = doc.paras[max(0, q.para - 2)].sent_base
        for g in range(q.sent - 1, first_sent - 1, -1):
            in_sent = [o for o in self.by_sent.get(g, ()) if o.resolved]
            if in_sent:
                return in_sent[-1].speaker
            pidx, s, e = doc.sent_span(g)
            masked = doc.paras[pidx].masked[s:e]
            v = _PARTIAL_VERB.search(masked)
            if v and v.group("verb") not in _OBJECT_VERBS:
                ref = doc.subject_before(pidx, s, s + v.start())
                if ref is not None and ref.kind != "none":
                    who = doc.resolve(ref)
                    if who:
                        return who
                return None
        # "It came from NAME" after the quote, in its paragraph
        p = doc.paras[q.para]
        for s, e in p.sents:
            if s <= q.open:
                continue
            m = _CAME_FROM.search(p.masked[s:e])
            if m:
                ref = doc.ref_in(q.para, s + m.end(), e, inverted=True)
                if ref and ref.kind == "name":
                    return doc.resolve(ref)
        return None


# ---------------------------------------------------------------------------------------
# Entry points


def extract_quotes_from_paragraphs(paragraphs: Sequence[str], title: str = "") -> tuple[Quote, ...]:
    """Every direct quotation in ``paragraphs`` (plain text, one string a paragraph), in order.

    Offsets are into each paragraph's string; ``speaker`` is the fullest name the
    text gives, or ``None``.
    """
    if not any(ch in p for p in paragraphs for ch in '"“”«»„'):
        return ()
    doc = _Doc(paragraphs, title)
    found = _Extractor(doc).run()
    found.sort(key=lambda q: (q.para, q.start))
    return tuple(
        Quote(text=q.text, speaker=q.speaker, paragraph=q.para, start=q.start, end=q.end) for q in found
    )


def extract_quotes(article: Article) -> tuple[Quote, ...]:
    """The direct quotations of an article's body, in article order, with their speakers."""
    return extract_quotes_from_paragraphs([" ".join(p) for p in article.paragraphs], article.title)

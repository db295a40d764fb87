"""Offline sentence and word splitting for news text.

Nothing here downloads data at run time: sentence boundaries come from nupunkt,
whose English punkt model ships inside the PyPI package, plus three small rules
measured in ``bench/splitters.py`` (see ``docs/sentence-splitting.md``):

1. nupunkt's abbreviation list (learned from legal and government text) holds
   thousands of ordinary words ("month", "week", "ago", "day"), which glues news
   sentences together ("... this month. Aid groups ..."). We keep only its dotted
   entries (``u.s``, ``p.m``), single letters (initials) and a curated list of
   news abbreviations.
2. Lowercased text (such as the CNN/DailyMail release) has no capitals to go
   by, so ``". "`` followed by a lowercase word is a boundary unless the word
   before the period is an abbreviation, an initial or an ellipsis.
3. A list marker (``1.``) never stands alone, and a leading dateline such as
   ``NEW YORK. (Reuters)`` stays with the sentence it introduces.

Every sentence is an exact substring of the input (positions map back).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nupunkt import PunktSentenceTokenizer

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)

# Abbreviations that news copy uses before a period (lowercase, no final period).
# Words that are also common sentence-final English words ("mass", "miss",
# "wash", "sun", "sat", "may") are left out on purpose.
NEWS_ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms messrs mme mlle dr prof rev fr sr jr st mt ft pt gen lt col maj capt cmdr cdr
    adm sgt cpl pvt spc brig sen sens rep reps gov govs pres supt det insp atty hon amb esq
    rt gov't dept depts govt assn assoc bros co cos corp inc ltd llc plc univ inst intl natl
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues thu thur thurs fri
    no nos vs v etc approx est fig figs vol vols ch chap pp ed eds al cf viz ca op
    ala ariz ark calif colo conn fla ga ill ind kan kans ky md mich minn mont neb nev
    okla ore pa tenn tex va vt wis wyo
    ave blvd rd hwy ste pl sq bldg
    """.split()
)

# Period, optional closing quotes/brackets, whitespace, then a lowercase letter
# (possibly after an opening quote or bracket).
_LOWER_BREAK = re.compile(r"\.[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[a-z])")
_OPENING = "\"'“‘(["
# After a closing quote, "... ." he said / she added continues the sentence.
_ATTRIBUTION = re.compile(
    r"\s+(?:\S+\s+){0,2}?(?:said|says|asked|asks|added|adds|told|tells|wrote|writes|"
    r"replied|continued|explained|insisted|tweeted|posted|recalled|according)\b"
)
_LIST_MARKER = re.compile(r"\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]", re.IGNORECASE)
_WIRE_CREDIT = re.compile(r"\((?:[A-Za-z&-]+ ?){1,3}\)")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    import nupunkt

    tok = nupunkt.load_default_model()  # a fresh instance: safe to edit
    params = tok._params
    keep = {a for a in params.abbrev_types if "." in a or len(a) == 1}
    params.abbrev_types = keep | NEWS_ABBREVIATIONS
    tok.clear_decision_cache()
    return tok


def _is_abbreviation(token: str) -> bool:
    """Whether ``token`` (the text before a period) reads as an abbreviation."""
    word = token.lstrip(_OPENING).lower()
    if not word or word.endswith(".") or word.endswith("…"):
        return True  # empty or an ellipsis: never a boundary on its own
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "george w. bush"
    if "." in word:
        # u.s, p.m, a.k.a, ph.d, 3.5 (short parts) versus example.com (a name)
        return all(len(part) <= 3 for part in word.split("."))
    return word in NEWS_ABBREVIATIONS or word.rsplit("-", 1)[-1] in NEWS_ABBREVIATIONS


def _lowercase_breaks(text: str) -> list[int]:
    """Offsets after ``word.`` (and closing quotes) that precede a lowercase word."""
    out = []
    for m in _LOWER_BREAK.finditer(text):
        dot = m.start()
        before = text[max(0, dot - 40) : dot]
        token = before.rsplit(None, 1)[-1] if before and not before[-1].isspace() else ""
        if _is_abbreviation(token):
            continue
        if m.end() > dot + 1 and _ATTRIBUTION.match(text, m.end()):
            continue
        out.append(m.end())
    return out


def _spans(text: str) -> list[tuple[int, int]]:
    spans = list(_tokenizer().span_tokenize(text))
    if "." in text:
        extra = _lowercase_breaks(text)
        if extra:
            cuts = sorted({e for _, e in spans} | set(extra))
            spans, start = [], 0
            for cut in cuts:
                if cut > start:
                    spans.append((start, cut))
                start = cut
            if start < len(text):
                spans.append((start, len(text)))
    # Strip whitespace, drop empty pieces.
    out: list[tuple[int, int]] = []
    for s, e in spans:
        piece = text[s:e]
        stripped = piece.strip()
        if stripped:
            s += len(piece) - len(piece.lstrip())
            out.append((s, s + len(stripped)))
    return _merge(text, out)


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue list markers and a split-off leading dateline to the following sentence."""
    merged: list[tuple[int, int]] = []
    glue = False
    for i, (s, e) in enumerate(spans):
        if glue:
            s = merged.pop()[0]
        piece = text[s:e]
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        glue = nxt is not None and (
            _LIST_MARKER.fullmatch(piece) is not None
            or (i == 0 and len(piece) < 60 and _WIRE_CREDIT.match(text, nxt[0]) is not None)
        )
        merged.append((s, e))
    return merged


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of text into sentences.

    Each sentence is stripped, none is empty, and each is an exact substring of
    ``text``, in order.
    """
    if not text or text.isspace():
        return []
    return [text[s:e] for s, e in _spans(text)]


def split_words(text: str) -> list[str]:
    """Split text into word tokens (letters and digits; inner apostrophes, dots, hyphens kept)."""
    return _WORD.findall(text)

"""File text -> :class:`Article`.

The seed format: a title line; an optional ``Synopsis`` heading (which may be
empty); an optional ``Key Takeaways`` heading followed by ``- `` bullets (the
publisher's takeaways); then the body, whose first paragraph may open with a
dateline ``City, Month Day (Source)``. A plain ``.txt`` or ``.md`` file is a
title line and paragraphs. Optional front matter (``---`` fenced ``key: value``
lines: title, source, date, url) overrides what is inferred.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import PurePosixPath

from .article import Article, Dateline
from .sentences import split_sentences


class ParseError(ValueError):
    """The text cannot be made into an article; ``str(err)`` says why, for people."""


FRONT_MATTER_KEYS = ("title", "source", "date", "url")
MAX_TITLE = 300  # a longer first line is prose, not a title

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# A place name; not a sentence that opens with a weekday or a preposition ("On Sunday, March 2 ...").
_NOT_PLACE = (
    r"(?!(?:On|In|At|By|For|From|Since|Until|Before|After|Last|Next|This|Early|Late|Monday|Tuesday"
    r"|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
)
_PLACE = _NOT_PLACE + r"[A-Z][^\W\d_]*(?:[ .'’-]{1,2}[A-Za-z][^\W\d_]*){0,4}"
_SOURCE = r"[A-Z][^()\n]{0,59}"
_DASH = r"(?:--|—|–|-|:)"
# "Moscow, July 15 (NationPress) ..." / "MOSCOW, Russia, July 15, 2025 (Reuters) -- ..."
_DATELINE_DATED = re.compile(
    rf"^(?P<place>{_PLACE}(?:, {_PLACE})?), (?P<date>{_MONTH} \d{{1,2}}(?:, \d{{4}})?)"
    rf"\s*\((?P<source>{_SOURCE})\)\s*{_DASH}?\s*"
)
# "WASHINGTON (CNN) -- ..." / "LONDON, England (CNN) -- ..."
_DATELINE_PLACE = re.compile(
    rf"^(?P<place>{_NOT_PLACE}[A-Z][A-Z .'’-]{{1,40}}(?:, {_PLACE})?)\s*\((?P<source>{_SOURCE})\)"
    rf"\s*{_DASH}\s*"
)
# "(CNN) -- ..."
_DATELINE_SOURCE = re.compile(rf"^\((?P<source>[A-Za-z][^()\n]{{0,30}})\)\s*{_DASH}\s*")
# News agencies and outlets whose credit opens a story even without a dash or capitals:
# "(CNN)Five Americans ...", "garissa, kenya (cnn) the sign ...", "washington (cnn) -- ..."
_OUTLET = (
    r"(?i:cnn(?: student news)?|cnnmoney|reuters|ap|afp|upi|ians|pti|ani|xinhua|bloomberg|ew\.com"
    r"|mashable|nationpress)"
)
_NOT_LOWER_PLACE = (
    r"(?!(?i:the|a|an|he|she|it|i|we|they|you|this|that|these|those|there|his|her|their|our|its|on|in|at"
    r"|by|for|from|since|until|before|after|last|next|early|late|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday)\b)"
)
_LOWER_PLACE = rf"{_NOT_LOWER_PLACE}(?i:[a-z][a-z.'’-]*(?: [a-z][a-z.'’-]*){{0,3}})"
_DATELINE_OUTLET = re.compile(
    rf"^(?:(?P<place>{_NOT_PLACE}{_LOWER_PLACE}(?: ?, {_LOWER_PLACE}){{0,2}})\s*)?"
    rf"\( ?(?P<source>{_OUTLET}) ?\)\s*{_DASH}?\s*"
)
# A Daily Mail byline: "by . daily mail reporter . published : 10:07 est , 3 march 2014 . | . updated : ... ."
_BYLINE = re.compile(
    r"^by \. [^.|]{2,80}? \. (?:(?:last )?(?:published|updated) ?: [^|]{1,60}? \. (?:\| \. )?)*",
    re.IGNORECASE,
)

_HEADING = re.compile(
    r"^#{0,6}\s*(?P<name>synopsis|key takeaways|takeaways|key points)\s*:?\s*$", re.IGNORECASE
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+(?P<text>.+)$")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug: runs of other characters become one ``-``."""
    return _SLUG_DROP.sub("-", text.lower()).strip("-")


def article_id_for_path(relative_path: str) -> str:
    """The stable id of a corpus file: the slug of its path inside the corpus, without suffix.

    ``000_fbe23b38341c844e.txt`` -> ``000-fbe23b38341c844e``;
    ``world/Japan talks.md`` -> ``world-japan-talks``.
    """
    path = PurePosixPath(relative_path)
    slug = slugify(str(path.with_suffix("")))
    if not slug:
        raise ParseError(f"the file name {relative_path!r} gives no usable id")
    return slug


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    """Decode file bytes: UTF-8 (BOM optional) or UTF-16 with a BOM; anything else is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"has a UTF-16 byte-order mark but is not valid UTF-16 ({exc.reason})") from exc
    else:
        if b"\x00" in data:
            raise ParseError("looks like a binary file (it contains NUL bytes)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8"
            ) from exc
    if "\x00" in text:
        raise ParseError("looks like a binary file (it contains NUL characters)")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > max(8, len(text) // 100):
        raise ParseError("looks like a binary file (too many control characters)")
    return text


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() == "---":
            meta: dict[str, str] = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                key = key.strip().lower()
                if sep and key in FRONT_MATTER_KEYS and value.strip():
                    meta[key] = value.strip().strip("\"'")
            return meta, lines[end + 1 :]
    return {}, lines


def _clean_title(line: str) -> str:
    return re.sub(r"^#{1,6}\s*", "", line).strip()


def _place_cased_alike(place: str) -> bool:
    """A place name is all lowercase (a lowercased text) or every word of it capitalized."""
    words = [w for w in re.split(r"[ ,]+", place) if w]
    return place.islower() or all(w[0].isupper() for w in words)


def split_dateline(paragraph: str) -> tuple[Dateline | None, str | None, str]:
    """Take a leading dateline off a paragraph: (dateline, source, rest of the paragraph).

    Also takes off a Daily Mail byline (``by . Name . published : ... .``)
    and, cased or lowercased, an outlet's credit with or without a place and
    a dash (``(CNN)Five ...``, ``garissa, kenya (cnn) the ...``).
    """
    m = _BYLINE.match(paragraph)
    if m and len(paragraph) > m.end():
        paragraph = paragraph[m.end() :]
    for pattern in (_DATELINE_DATED, _DATELINE_PLACE):
        m = pattern.match(paragraph)
        if m and len(paragraph) > m.end():
            date = m.groupdict().get("date")
            return Dateline(m["place"].strip(), date), m["source"].strip(), paragraph[m.end() :]
    m = _DATELINE_SOURCE.match(paragraph) or _DATELINE_OUTLET.match(paragraph)
    if m and (place := m.groupdict().get("place")) and not _place_cased_alike(place):
        m = None  # "Prices rose (AP) today." is a sentence, not "Garissa, Kenya (CNN)"
    if m and len(paragraph) > m.end():
        place = m.groupdict().get("place")
        return (Dateline(place.strip()) if place else None), m["source"].strip(), paragraph[m.end() :]
    return None, None, paragraph


def _body_paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks when the body has blank lines, else one paragraph a line."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    has_blank = any(not line.strip() for line in lines)
    paragraphs: list[str] = []
    block: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):  # a Markdown sub-heading is not prose
            stripped = ""
        if not has_blank:
            if stripped:
                paragraphs.append(stripped)
            continue
        if stripped:
            block.append(stripped)
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    if block:
        paragraphs.append(" ".join(block))
    return [re.sub(r"\s+", " ", p) for p in paragraphs]


def parse_text(text: str, article_id: str, sha256: str | None = None) -> Article:
    """Parse the text of one article file. Raises :class:`ParseError` with a reason."""
    if sha256 is None:
        sha256 = sha256_hex(text.encode("utf-8"))
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ParseError("is empty" if not text else "holds only whitespace")
    meta, lines = _front_matter(text.split("\n"))

    idx = 0
    while idx < len(lines) and not lines[idx].strip():
        idx += 1
    if idx == len(lines):
        raise ParseError("has front matter but no text")
    title = _clean_title(lines[idx])
    if len(title) > MAX_TITLE:
        # Not a title line but prose (e.g. a file that is one long paragraph): the first
        # sentence, shortened, stands in as the title and the line stays in the body.
        first = split_sentences(" ".join(title[: 4 * MAX_TITLE].split()))
        title = first[0] if first else title
        if len(title) > MAX_TITLE:
            title = title[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
    else:
        idx += 1

    synopsis: list[str] = []
    takeaways: list[str] = []
    section: str | None = None
    while idx < len(lines):
        line = lines[idx].strip()
        heading = _HEADING.match(line)
        if heading:
            section = "synopsis" if heading["name"].lower() == "synopsis" else "takeaways"
        elif not line:
            if section == "synopsis" and synopsis:
                section = None  # the synopsis is one paragraph
        elif section == "takeaways" and (bullet := _BULLET.match(line)):
            takeaways.append(bullet["text"].strip())
        elif section == "synopsis":
            synopsis.append(line)
        else:
            break
        idx += 1

    paragraphs = _body_paragraphs(lines[idx:])
    dateline: Dateline | None = None
    source: str | None = None
    if paragraphs:
        dateline, source, paragraphs[0] = split_dateline(paragraphs[0])
    sentences = tuple(tuple(s) for p in paragraphs if (s := split_sentences(p)))
    if not title:
        raise ParseError("has no title line")
    if not sentences:
        raise ParseError("has a title but no body text")

    return Article(
        id=article_id,
        title=meta.get("title", title),
        paragraphs=sentences,
        sha256=sha256,
        source=meta.get("source", source),
        dateline=dateline,
        date=meta.get("date"),
        url=meta.get("url"),
        publisher_takeaways=tuple(takeaways),
        synopsis=" ".join(synopsis) or None,
    )


def parse_bytes(data: bytes, article_id: str) -> Article:
    """Decode and parse the bytes of one article file."""
    return parse_text(decode(data), article_id, sha256_hex(data))


def article_from_record(record: dict[str, object]) -> tuple[str, str]:
    """Text and id of one JSON-lines record ``{"id", "article", "title"?, ...}``.

    The record's fields become front matter, so that the one parser serves
    both the corpus files and bulk imports.
    """
    rid = record.get("id")
    body = record.get("article")
    if not isinstance(rid, str | int) or not str(rid).strip():
        raise ParseError('has no "id"')
    if not isinstance(body, str) or not body.strip():
        raise ParseError('has no "article" text')
    title = record.get("title")
    head = ["---"]
    for key in FRONT_MATTER_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            head.append(f"{key}: {' '.join(value.split())}")
    head.append("---")
    first = " ".join(title.split()) if isinstance(title, str) and title.strip() else ""
    if not first:
        # No title given: the first sentence stands in as a title line, and stays in the body.
        lead = split_sentences(" ".join(body.split()[:80]))
        first = lead[0][:200] if lead else str(rid)
    return "\n".join([*head, first, "", body]), str(rid).strip()

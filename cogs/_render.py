"""Domain objects -> Discord messages. All user-facing text leaves through here.

Knows Discord's limits (embed title 256, description 4096, 25 fields, field
name 256, field value 1024, footer 2048, 6000 characters per message in all;
2000 for message content; 25 autocomplete choices of at most 100 characters)
and never cuts a word without a mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.errors import AmbiguousArticle, ArticleNotFound, BriefError
from bot.news.article import ArticleEntry, BriefLine, Digest, QuoteInArticle, Takeaway, TopicCount
from bot.news.query import MARK_END, MARK_START, SearchHit
from bot.service import ReloadReport, SummaryView, TakeawaysView

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
CHOICES_MAX = 25
CHOICE_MAX = 100

COLOUR = discord.Colour(0x2B6CB0)
ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with a mark when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def plain(text: str) -> str:
    """Article text made inert for Discord markdown: no mass mentions, no stray formatting."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def embed_size(embed: discord.Embed) -> int:
    return len(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """Drop fields from the end (noting it) until the embed fits Discord's 6000 total."""
    dropped = 0
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        dropped += 1
    if dropped:
        note = f"{dropped} more not shown"
        footer = embed.footer.text or ""
        embed.set_footer(text=truncate(f"{footer} · {note}" if footer else note, FOOTER_MAX))
    if len(embed) > EMBED_TOTAL_MAX and embed.description:
        over = len(embed) - EMBED_TOTAL_MAX
        embed.description = truncate(embed.description, max(len(embed.description) - over - 1, 1))
    return embed


def bullets(lines: Sequence[str], limit: int, mark: str = "•") -> str:
    """Bulleted lines within ``limit`` characters; lines that do not fit are counted, not cut."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        item = f"{mark} {line}"
        rest = len(lines) - i - 1
        reserve = len(f"\n{ELLIPSIS} {rest} more") if rest else 0
        if used + len(item) + 1 + reserve > limit:
            room = limit - used - 1 - len(f"\n{ELLIPSIS} {len(lines) - i} more")
            if room > 40:
                out.append(truncate(item, room))
                i += 1
            remaining = len(lines) - i
            if remaining > 0:
                out.append(f"{ELLIPSIS} {remaining} more")
            break
        out.append(item)
        used += len(item) + 1
    return "\n".join(out)


def meta_line(entry: ArticleEntry) -> str:
    parts = [entry.source, str(entry.dateline) if entry.dateline else None, entry.date]
    return " · ".join(plain(p) for p in parts if p)


def where(t: Takeaway) -> str:
    return f"¶{t.paragraph + 1}"


def takeaways_embed(view: TakeawaysView) -> discord.Embed:
    entry = view.entry
    embed = discord.Embed(title=truncate(plain(entry.title), TITLE_MAX), colour=COLOUR)
    lines = [plain(t.text) for t in view.takeaways] or ["(this article has no sentences to rank)"]
    embed.description = truncate(
        f"**Key takeaways**\n{bullets(lines, DESCRIPTION_MAX - 40)}", DESCRIPTION_MAX
    )
    if view.publisher_takeaways:
        embed.add_field(
            name="Publisher's takeaways",
            value=bullets([plain(t) for t in view.publisher_takeaways], FIELD_VALUE_MAX),
            inline=False,
        )
    meta = meta_line(entry)
    footer = f"{meta} · id {entry.id}" if meta else f"id {entry.id}"
    embed.set_footer(text=truncate(f"{footer} · ranked by {view.algorithm}", FOOTER_MAX))
    return fit(embed)


def positions_text(view: TakeawaysView) -> str:
    """Where each takeaway stands in the article, as a small map: one cell a paragraph."""
    total = max(view.paragraph_count, 1)
    lines = [f"**Where the takeaways stand** in *{truncate(plain(view.entry.title), 120)}* "
             f"({total} paragraphs):"]
    for n, t in enumerate(view.takeaways, start=1):
        cells = min(total, 30)
        at = min(int(t.paragraph * cells / total), cells - 1)
        bar = "".join("█" if i == at else "░" for i in range(cells))
        lines.append(
            f"{n}. `{bar}` paragraph {t.paragraph + 1}, sentence {t.sentence + 1}: "
            f"{truncate(plain(t.text), 160)}"
        )
    return truncate("\n".join(lines), CONTENT_MAX)


def summary_embed(view: SummaryView) -> discord.Embed:
    embed = discord.Embed(title=truncate(plain(view.entry.title), TITLE_MAX), colour=COLOUR)
    text = " ".join(plain(t.text) for t in view.sentences) or "(nothing to summarize)"
    embed.description = truncate(text, DESCRIPTION_MAX)
    n = len(view.sentences)
    meta = meta_line(view.entry)
    footer = f"{view.algorithm} summary, {n} sentence{'s' if n != 1 else ''}"
    embed.set_footer(text=truncate(f"{footer} · {meta}" if meta else footer, FOOTER_MAX))
    return fit(embed)


def articles_embed(entries: Sequence[ArticleEntry], page: int, pages: int, total: int) -> discord.Embed:
    embed = discord.Embed(title="The corpus, newest first", colour=COLOUR)
    if not entries:
        embed.description = "No articles yet. An admin can load them with `/admin reload`."
    else:
        lines = []
        for e in entries:
            meta = meta_line(e)
            lines.append(
                f"**{truncate(plain(e.title), 200)}**\n"
                f"{meta + ' · ' if meta else ''}`{truncate(e.id, 80)}`"
            )
        embed.description = truncate("\n\n".join(lines), DESCRIPTION_MAX)
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)} · {total} article{'s' if total != 1 else ''}")
    return fit(embed)


def report_text(report: ReloadReport, *, heading: str = "Reload") -> str:
    head = f"**{heading}{' (dry run: nothing written)' if report.dry_run else ''}**: {report.counts()}."
    lines = [head]
    for label, ids in (("Added", report.added), ("Updated", report.updated), ("Removed", report.removed)):
        if ids:
            shown = ", ".join(f"`{truncate(i, 60)}`" for i in ids[:10])
            more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
            lines.append(f"{label}: {shown}{more}")
    if report.failed:
        lines.append("Failed:")
        for f in report.failed[:10]:
            lines.append(f"• `{truncate(f.name, 80)}` {truncate(plain(f.reason), 200)}")
        if len(report.failed) > 10:
            lines.append(f"… and {len(report.failed) - 10} more (see the bot's log)")
    return truncate("\n".join(lines), CONTENT_MAX)


def progress_text(done: int, total: int) -> str:
    filled = int(20 * done / total) if total else 20
    return f"Reloading… `{'█' * filled}{'░' * (20 - filled)}` {done:,}/{total:,} articles analysed"


def digest_embed(digest: Digest, when: datetime | None = None, *, preview: bool = False) -> discord.Embed:
    title = "Brief: today's digest" if not preview else "Preview of the next digest"
    embed = discord.Embed(title=title, colour=COLOUR, timestamp=when)
    if digest.empty:
        embed.description = "Nothing new since the last digest."
        return embed
    for item in digest.items[: FIELDS_MAX - 1]:
        lines = [plain(t.text) for t in item.takeaways] or ["(no takeaways)"]
        meta = meta_line(item.entry)
        value = bullets(lines, FIELD_VALUE_MAX - len(meta) - 2)
        embed.add_field(
            name=truncate(plain(item.entry.title), FIELD_NAME_MAX),
            value=truncate(f"{value}\n{meta}" if meta else value, FIELD_VALUE_MAX),
            inline=False,
        )
    if digest.more:
        embed.set_footer(text=f"…and {digest.more} more new article{'s' if digest.more != 1 else ''}: "
                              "see /articles")
    return fit(embed)


def brief_error_text(error: BriefError) -> str:
    """The message for an expected error, with suggestions or candidates laid out."""
    if isinstance(error, ArticleNotFound):
        return not_found_text(error.query, error.suggestions)
    if isinstance(error, AmbiguousArticle):
        return truncate(
            f"Several articles match **{truncate(plain(error.query), 100)}**; pick one from the list "
            "as you type, or give its id:\n"
            + "\n".join(f"• {truncate(plain(t), 150)} (`{truncate(i, 60)}`)" for i, t in error.candidates),
            CONTENT_MAX,
        )
    return truncate(plain(str(error)), CONTENT_MAX)


def error_message(text: str) -> str:
    return truncate(f"⚠️ {text}", CONTENT_MAX)


def not_found_text(query: str, suggestions: Sequence[tuple[str, str]]) -> str:
    text = f"I found no article matching **{truncate(plain(query), 100)}**."
    if suggestions:
        text += "\nDid you mean:\n" + "\n".join(
            f"• {truncate(plain(t), 150)} (`{truncate(i, 60)}`)" for i, t in suggestions
        )
    else:
        text += " Try `/articles` to browse, or pick one from the list as you type."
    return truncate(text, CONTENT_MAX)


def choice(entry: ArticleEntry) -> tuple[str, str]:
    """An autocomplete choice (name, value) for an article: the title shown, the id sent."""
    return truncate(entry.title, CHOICE_MAX) or entry.id[:CHOICE_MAX], entry.id[:CHOICE_MAX]


def highlighted(hit: SearchHit) -> str:
    """The snippet, made inert for Discord, with the matched words in bold."""
    parts = hit.snippet.split(MARK_START)
    out = [plain(parts[0].replace(MARK_END, ""))]
    for part in parts[1:]:
        word, _, rest = part.partition(MARK_END)
        out.append(f"**{plain(word)}**{plain(rest)}")
    return "".join(out)


def search_embed(
    query: str, hits: Sequence[SearchHit], page: int, pages: int, per_page: int
) -> discord.Embed:
    embed = discord.Embed(title=truncate(f"Articles about “{plain(query)}”", TITLE_MAX), colour=COLOUR)
    for n, hit in enumerate(hits, start=page * per_page + 1):
        meta = meta_line(hit.entry)
        where = f"{meta} · " if meta else ""
        value = f"{truncate(highlighted(hit), 700)}\n{where}`{truncate(hit.entry.id, 80)}`"
        embed.add_field(
            name=truncate(f"{n}. {plain(hit.entry.title)}", FIELD_NAME_MAX),
            value=truncate(value, FIELD_VALUE_MAX),
            inline=False,
        )
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)}")
    return fit(embed)


def no_match_text(query: str, close: Sequence[TopicCount]) -> str:
    text = f"Nothing in the corpus matches **{truncate(plain(query), 100)}**."
    if close:
        text += " Close topics: " + ", ".join(f"**{truncate(plain(t.topic), 60)}**" for t in close) + "."
    else:
        text += " `/topics` lists what the corpus covers."
    return truncate(text, CONTENT_MAX)


def brief_embed(query: str, lines: Sequence[BriefLine]) -> discord.Embed:
    embed = discord.Embed(title=truncate(f"Brief: “{plain(query)}”", TITLE_MAX), colour=COLOUR)
    if not lines:
        embed.description = "The matching articles say nothing quotable about that."
        return embed
    items = []
    for line in lines:
        when = f", {plain(line.entry.date)}" if line.entry.date else ""
        items.append(f"{plain(line.text)}\n  — *{truncate(plain(line.entry.title), 150)}*{when}")
    embed.description = bullets(items, DESCRIPTION_MAX)
    embed.set_footer(text=f"From {len({ln.entry.id for ln in lines})} article(s)")
    return fit(embed)


def topics_embed(topics: Sequence[TopicCount], page: int, pages: int, total: int) -> discord.Embed:
    embed = discord.Embed(title="What the corpus covers", colour=COLOUR)
    if not topics:
        embed.description = "No topics yet: the corpus is empty."
    else:
        embed.description = truncate("\n".join(
            f"**{truncate(plain(t.topic), 80)}** · {t.articles} article{'s' if t.articles != 1 else ''}"
            for t in topics
        ), DESCRIPTION_MAX)
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)} · {total} topics · /topic to search")
    return fit(embed)


def quotes_embed(
    title: str, quotes: Sequence[QuoteInArticle], page: int, pages: int, total: int, *, by_article: bool
) -> discord.Embed:
    embed = discord.Embed(title=truncate(title, TITLE_MAX), colour=COLOUR)
    if not quotes:
        embed.description = "No quotes found."
        return embed
    for item in quotes[: FIELDS_MAX]:
        speaker = plain(item.quote.speaker) if item.quote.speaker else "*unattributed*"
        name = speaker if by_article else f"{speaker} · {plain(item.entry.title)}"
        embed.add_field(
            name=truncate(name, FIELD_NAME_MAX),
            value=truncate(f"“{plain(item.quote.text)}”", FIELD_VALUE_MAX),
            inline=False,
        )
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)} · {total} quote{'s' if total != 1 else ''}")
    return fit(embed)

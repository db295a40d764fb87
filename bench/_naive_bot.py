"""The yardstick of bench/latency.py: a naive bot that does everything on the event loop (bench code only).

For each request it reads the article from the database with ``sqlite3`` and
runs sumy (LexRank, or the algorithm asked) on the event loop, with the same
commands as Brief. ``bench/_bot_runner.py`` runs it (``BRIEF_BENCH_NAIVE=DB``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer

from bot.news.summarize import TOKENIZER


class NaiveBot(commands.Bot):
    """A bot that does everything on the event loop: sqlite3 reads and sumy per request."""

    def __init__(self, db: Path) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.none(), help_command=None)
        self.db = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        self.lexrank = LexRankSummarizer()
        self.lsa = LsaSummarizer()
        naive_commands(self)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    def summarize(self, article_id: str, algorithm: str, count: int = 3) -> tuple[str, list[str]]:
        row = self.db.execute("SELECT title, body FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return "not found", []
        parser = PlaintextParser.from_string(row[1], TOKENIZER)
        summarizer = self.lsa if algorithm == "lsa" else self.lexrank
        return row[0], [str(s) for s in summarizer(parser.document, count)]

    def titles(self, typed_text: str) -> list[app_commands.Choice[str]]:
        rows = self.db.execute(
            "SELECT id, title FROM articles WHERE title LIKE ? LIMIT 25", (f"%{typed_text}%",)
        ).fetchall()
        return [app_commands.Choice(name=t[:100], value=i[:100]) for i, t in rows]


def naive_commands(bot: NaiveBot) -> None:
    tree = bot.tree

    async def article_ac(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        return bot.titles(current)

    async def topic_ac(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        rows = bot.db.execute(
            "SELECT topic FROM topic_counts WHERE topic_key LIKE ? ORDER BY articles DESC LIMIT 25",
            (f"{current.lower()}%",),
        ).fetchall()
        return [app_commands.Choice(name=r[0][:100], value=r[0][:100]) for r in rows]

    async def speaker_ac(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        rows = bot.db.execute(
            "SELECT DISTINCT speaker FROM quotes WHERE speaker LIKE ? LIMIT 25", (f"{current}%",)
        ).fetchall()
        return [app_commands.Choice(name=r[0][:100], value=r[0][:100]) for r in rows]

    @tree.command(name="takeaways")
    @app_commands.autocomplete(article=article_ac)
    async def takeaways(interaction: discord.Interaction[Any], article: str) -> None:
        """LexRank on the event loop."""
        title, sentences = bot.summarize(article, "lexrank")
        await interaction.response.send_message(
            embed=discord.Embed(title=title[:256], description="\n".join(f"• {s}" for s in sentences)[:4000])
        )

    @tree.command(name="summary")
    @app_commands.autocomplete(article=article_ac)
    async def summary(
        interaction: discord.Interaction[Any],
        article: str,
        algorithm: Literal["lexrank", "lsa"] | None = None,
    ) -> None:
        """sumy on the event loop."""
        title, sentences = bot.summarize(article, algorithm or "lexrank")
        await interaction.response.send_message(
            embed=discord.Embed(title=title[:256], description=" ".join(sentences)[:4000])
        )

    @tree.command(name="quotes")
    @app_commands.autocomplete(speaker=speaker_ac, article=article_ac)
    async def quotes(
        interaction: discord.Interaction[Any], article: str | None = None, speaker: str | None = None
    ) -> None:
        """A speaker's quotes (the same database table, read on the event loop)."""
        rows = bot.db.execute(
            "SELECT text FROM quotes WHERE speaker = ? LIMIT 5", (speaker or "",)
        ).fetchall()
        await interaction.response.send_message("\n".join(f"> {r[0][:300]}" for r in rows) or "none")

    @tree.command(name="topic")
    @app_commands.autocomplete(query=topic_ac)
    async def topic(interaction: discord.Interaction[Any], query: str) -> None:
        """Full-text search (the same FTS5 index, read on the event loop)."""
        words = " OR ".join(f'"{w}"' for w in query.replace('"', " ").split()) or '""'
        rows = bot.db.execute(
            "SELECT a.title FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT 5",
            (words,),
        ).fetchall()
        await interaction.response.send_message("\n".join(r[0] for r in rows) or "none")

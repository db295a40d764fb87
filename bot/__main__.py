"""``brief`` and ``python -m bot``: argument parsing, logging set-up, exit statuses.

Exit statuses: 0 success; 1 an expected failure (unknown article, unreadable
file, ...), with the message on stderr; 2 a usage or settings error.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import inspect
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import SUMMARY_ALGORITHMS, ConfigError, Settings, load_settings
from .errors import BriefError
from .news.words import MAX_SENTENCES
from .storage.store import StoreError


def _sentences(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_SENTENCES:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_SENTENCES}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from . import cli

    parser = argparse.ArgumentParser(
        prog="brief",
        description="Brief: key takeaways, summaries and more from a corpus of news articles. "
        "Works in the terminal with no Discord token; `brief run` starts the Discord bot.",
    )
    parser.add_argument("--env-file", default=".env", help="settings file to read (default: .env)")
    parser.add_argument("--database", metavar="PATH", help="SQLite database (overrides DATABASE_PATH)")
    parser.add_argument("--seeds", metavar="DIR", help="corpus folder (overrides SEEDS_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("reload", help="bring the database in line with SEEDS_DIR")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cli.cmd_reload)

    p = sub.add_parser("import", help="bulk-load articles from a JSON-lines file")
    p.add_argument("file", metavar="FILE.jsonl", help='lines of {"id", "article", "title"?, ...}')
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cli.cmd_import)

    p = sub.add_parser("list", help="list the corpus, newest first")
    p.add_argument("--limit", type=int, default=50, help="how many to show (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cli.cmd_list)

    p = sub.add_parser("takeaways", help="an article's key takeaways")
    p.add_argument("article", help="an article id or a few words of its title")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cli.cmd_takeaways)

    p = sub.add_parser("summary", help="a sumy summary of an article")
    p.add_argument("article", help="an article id or a few words of its title")
    p.add_argument(
        "--algorithm", choices=SUMMARY_ALGORITHMS, help="sumy algorithm (default: SUMMARY_ALGORITHM)"
    )
    p.add_argument("--sentences", type=_sentences, default=3, help="1 to 10 (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cli.cmd_summary)

    p = sub.add_parser("analyze", help="parse and summarize without the database")
    p.add_argument("file", nargs="?", help="an article file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--jsonl", metavar="IN", help='analyse JSON lines {"id", "article", "title"?} from IN')
    p.set_defaults(func=cli.cmd_analyze)

    p = sub.add_parser("topic", help="search the corpus: articles ranked by relevance")
    p.add_argument("query", help="words to look for; a phrase in double quotes searches as a phrase")
    p.add_argument("--brief", action="store_true", help="a short brief of what the articles say about it")
    p.add_argument("--limit", type=int, default=10, help="how many articles (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cli.cmd_topic)

    p = sub.add_parser("topics", help="the corpus's most covered topics")
    p.add_argument("--limit", type=int, default=25, help="how many (default 25)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cli.cmd_topics)

    p = sub.add_parser("quotes", help="quotes of an article, or of a speaker across the corpus")
    p.add_argument("article", nargs="?", help="an article id or a few words of its title")
    p.add_argument("--speaker", metavar="NAME", help="full name or surname, any case, accents optional")
    p.add_argument("--limit", type=int, default=20, help="how many quotes of a speaker (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cli.cmd_quotes)

    p = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    p.set_defaults(func=_run)

    return parser


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from .launcher import run

    return run(settings)


def settings_for(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.env_file)
    overrides: dict[str, Any] = {}
    if args.database:
        overrides["database_path"] = Path(args.database)
    if args.seeds:
        overrides["seeds_dir"] = Path(args.seeds)
    return dataclasses.replace(settings, **overrides) if overrides else settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_for(args)
    except ConfigError as exc:
        print(f"brief: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        result = args.func(settings, args)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except BriefError as exc:
        print(f"brief: {exc}", file=sys.stderr)
        return exc.exit_code
    except StoreError as exc:
        print(f"brief: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("brief: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

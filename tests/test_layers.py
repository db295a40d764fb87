"""The layering rules of DESIGN.md: the core never touches Discord; only config reads the environment."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
DISCORD_FREE = [BOT / "news", BOT / "storage"]
# The Discord-free core beside news/ and storage/: what the CLI runs on.
CORE_MODULES = ["bot.config", "bot.errors", "bot.corpus", "bot.service", "bot.cli"]


def _py_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.update(
                a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return names


@pytest.mark.parametrize("path", _py_files(*DISCORD_FREE), ids=lambda p: str(p.relative_to(ROOT)))
def test_news_and_storage_sources_do_not_import_discord(path):
    bad = {m for m in _imported_modules(path) if m == "discord" or m.startswith("discord.")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_importing_the_core_loads_no_discord_module():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in _py_files(*DISCORD_FREE)
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules + CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'discord' or m.startswith('discord.'))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"discord modules loaded by the core: {proc.stdout.strip()}"


def _reads_environment(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
            base = node.value
            if isinstance(base, ast.Name) and base.id == "os":
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(a.name in {"environ", "getenv", "environb"} for a in node.names):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "path",
    [p for p in _py_files(BOT, ROOT / "cogs") if p.name != "config.py" or p.parent != BOT],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_config_reads_the_environment(path):
    assert _reads_environment(path) == [], f"{path.relative_to(ROOT)} reads os.environ"


def test_the_bot_process_loads_no_summarizer():
    # sumy, NLTK and NumPy run in the worker processes only; the bot process (client,
    # cogs, service, store, query parsing) starts without them, about half a second sooner.
    code = (
        "import sys\n"
        "import bot.client, bot.launcher, bot.service\n"
        "import cogs.admin, cogs.articles, cogs.digest, cogs.quotes, cogs.topics\n"
        "from bot.news.query import parse_query\n"
        "parse_query('the harbour ferry')\n"
        "heavy = ('nltk', 'numpy', 'requests', 'pycountry')\n"  # and sumy's modules; its data is read
        "print(','.join(sorted(m for m in sys.modules\n"
        "                      if m.split('.')[0] in heavy or m.startswith('sumy.'))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"loaded by the bot process: {proc.stdout.strip()}"

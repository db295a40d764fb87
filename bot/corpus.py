"""Finding the article files under SEEDS_DIR, and what their contents are now.

Blocking file-system work: callers run :func:`scan` in a thread.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .news.analyze import Failed
from .news.parse import ParseError, article_id_for_path

ARTICLE_SUFFIXES = (".txt", ".md")
# Editor back-ups, swap and temp files: never articles.
_TEMP_SUFFIXES = ("~", ".swp", ".swo", ".tmp", ".bak", ".part", ".crdownload")


@dataclass(frozen=True, slots=True)
class CorpusFile:
    path: str  # absolute
    name: str  # relative to SEEDS_DIR, with forward slashes
    article_id: str
    sha256: str


def is_candidate(filename: str) -> bool:
    """Whether a file name can be an article: .txt or .md, not hidden, not an editor's temp file."""
    if filename.startswith((".", "~", "#")) or filename.endswith(_TEMP_SUFFIXES):
        return False
    return filename.lower().endswith(ARTICLE_SUFFIXES)


def _hash_file(path: Path, max_bytes: int) -> str:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise ValueError
            digest.update(chunk)
    return digest.hexdigest()


def scan(root: Path, max_bytes: int) -> tuple[list[CorpusFile], list[Failed]]:
    """Every article file under ``root`` (recursively) with its sha256, and the files refused.

    Symbolic links are followed only when they stay inside ``root``; hidden
    folders and files and editor temp files are skipped.
    """
    files: list[CorpusFile] = []
    failed: list[Failed] = []
    real_root = root.resolve()
    seen: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            if not is_candidate(filename):
                continue
            path = Path(dirpath) / filename
            name = path.relative_to(root).as_posix()
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8 in the name (surrogate escapes)
                shown = os.fsencode(name).decode("utf-8", "replace")
                failed.append(Failed(shown, "has a file name that is not valid UTF-8; rename it"))
                continue
            if path.is_symlink():
                try:
                    target = path.resolve()
                except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
                    failed.append(Failed(name, "is a link that loops; not followed"))
                    continue
                if not target.is_relative_to(real_root):
                    failed.append(Failed(name, "is a link to a file outside SEEDS_DIR; not followed"))
                    continue
            try:
                mode = path.stat().st_mode
            except OSError:
                mode = stat.S_IFREG  # a dangling link or a file gone since the listing: reported below
            if not stat.S_ISREG(mode):  # a FIFO would block the read forever; a device is no article
                failed.append(Failed(name, "is not a regular file (a pipe, socket or device); skipped"))
                continue
            try:
                article_id = article_id_for_path(name)
            except ParseError as exc:
                failed.append(Failed(name, str(exc)))
                continue
            if article_id in seen:
                failed.append(
                    Failed(name, f"has the same article id ({article_id}) as {seen[article_id]}")
                )
                continue
            try:
                sha = _hash_file(path, max_bytes)
            except ValueError:
                limit = f"is larger than the {max_bytes:,}-byte limit (MAX_ARTICLE_BYTES)"
                failed.append(Failed(name, limit, article_id))
                continue
            except OSError as exc:
                failed.append(Failed(name, f"cannot be read ({exc.strerror or exc})", article_id))
                continue
            seen[article_id] = name
            files.append(CorpusFile(str(path), name, article_id, sha))
    return files, failed

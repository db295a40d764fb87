"""Domain errors: each carries a message fit to show a user, in Discord or the terminal."""

from __future__ import annotations

from collections.abc import Sequence


class BriefError(Exception):
    """An expected failure. ``str(err)`` is the message for the user."""

    exit_code = 1


class ArticleNotFound(BriefError):
    def __init__(self, query: str, suggestions: Sequence[tuple[str, str]] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)  # (id, title)
        shown = query if len(query) <= 80 else query[:77] + "..."
        msg = f"No article matches {shown!r}."
        if self.suggestions:
            msg += " Did you mean: " + "; ".join(f"{t} ({i})" for i, t in self.suggestions) + "?"
        super().__init__(msg)


class AmbiguousArticle(BriefError):
    def __init__(self, query: str, candidates: Sequence[tuple[str, str]]) -> None:
        self.query = query
        self.candidates = list(candidates)  # (id, title)
        shown = query if len(query) <= 80 else query[:77] + "..."
        super().__init__(
            f"{len(self.candidates)} articles match {shown!r}; give the id of one: "
            + "; ".join(f"{t} ({i})" for i, t in self.candidates)
        )


class ReloadInProgress(BriefError):
    def __init__(self, message: str = "A reload is already running; try again when it has finished.") -> None:
        super().__init__(message)


class InvalidInput(BriefError):
    """A value the user gave is out of range or malformed."""

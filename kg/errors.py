"""A small hierarchy of errors; each names what went wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base of every error kg raises on purpose."""


class InputError(KgError):
    """A document that cannot be used: names the file and the problem."""

    def __init__(self, path: Path | str, problem: str, *, hint: str = "") -> None:
        self.path = Path(path)
        self.problem = problem
        self.hint = hint
        message = f"{self.path}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class StoreError(KgError):
    """The store cannot be opened, read or written."""


class QueryError(KgError):
    """A named query is unknown, malformed, or given bad parameters."""


class ExtractionError(KgError):
    """The extractor failed on one document; the run goes on without it."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

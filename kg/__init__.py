"""kg: a knowledge graph of armed actors, built from French conflict reports."""

from __future__ import annotations

from .config import Settings
from .errors import InputError, KgError, QueryError, StoreError
from .pipeline import BuildReport, build
from .store import open_store

__all__ = [
           "BuildReport",
           "InputError",
           "KgError",
           "QueryError",
           "Settings",
           "StoreError",
           "build",
           "open_store",
]

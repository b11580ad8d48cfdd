"""The SPARQL the code itself runs (not the public named queries of ``queries/``), one
``NAME.rq`` file each, loaded by name. The store adds the prefixes of ``kg.vocab``."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def text(name: str) -> str:
    """The text of ``kg/sparql/NAME.rq``."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")

"""The SPARQL the code itself runs (not the public named queries of ``queries/``), one
``NAME.rq`` file each, loaded by name. The store adds the prefixes of ``kg.vocab``."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from rdflib.term import Identifier

from ..errors import QueryError


@cache
def text(name: str) -> str:
    """The text of ``kg/sparql/NAME.rq``."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind(text: str, values: dict[str, Identifier]) -> str:
    """The query with its parameters bound by one VALUES block of RDF terms."""
    if not values:
        return text
    names = " ".join(f"?{k}" for k in values)
    row = " ".join(v.n3() for v in values.values())
    block = f" VALUES ({names}) {{ ({row}) }}"
    m = _WHERE.search(text)
    if m is None:
        raise QueryError("a parameterised query needs a WHERE { ... } group")
    return text[: m.end()] + block + text[m.end() :]


def bind_values(text: str, var: str, terms: list[Identifier]) -> str:
    """The query with ``?var`` bound to each of ``terms`` (one VALUES row each)."""
    m = _WHERE.search(text)
    if m is None:
        raise QueryError("a parameterised query needs a WHERE { ... } group")
    block = f" VALUES ?{var} {{ {' '.join(t.n3() for t in terms)} }}"
    return text[: m.end()] + block + text[m.end() :]

"""The SPARQL the code itself runs (not the public named queries of ``queries/``), one
``NAME.rq`` file each, loaded by name. The store adds the prefixes of ``kg.vocab``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from rdflib import URIRef
from rdflib.term import Identifier

from ..errors import QueryError


@cache
def text(name: str) -> str:
    """The text of ``kg/sparql/NAME.rq``."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


_NOT_IN_IRI = re.compile(r'[\s<>"{}|\\^`]')


def bind(text: str, values: dict[str, Identifier]) -> str:
    """The query with its parameters bound by one VALUES block of RDF terms. A parameter
    that names a graph (``GRAPH ?g``) is also written there, as the IRI: Oxigraph reads
    every graph before it joins the VALUES (0.32 s for one document's graph among
    100,000, 0.003 s named)."""
    if not values:
        return text
    for name, term in values.items():
        if isinstance(term, URIRef) and ":" in term and not _NOT_IN_IRI.search(term):
            graph = f"GRAPH {term.n3()}"
            text = re.sub(rf"\bGRAPH\s+\?{name}\b", lambda _m: graph, text, flags=re.IGNORECASE)  # noqa: B023
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


_WITH = re.compile(r"^(\s*)#\s*with (\w+):\s?(.*)$", re.MULTILINE)


def joined(text: str, names: Mapping[str, str]) -> str:
    """The text with each line ``# with NAME: PATTERN`` whose NAME is given turned into
    PATTERN, ``$NAME`` in it replaced by the text given for NAME (RDF terms in SPARQL
    syntax: ``VALUES ?node { $node }``); the other such lines stay comments. A file as
    written is its query with no parameter, and a parameter can lead the pattern, inside
    a subquery too, instead of filtering every row after the fact."""
    def line(m: re.Match[str]) -> str:
        name = m.group(2)
        return m.group(1) + m.group(3).replace(f"${name}", names[name]) if name in names else m.group(0)

    return _WITH.sub(line, text)


def scoped(text: str, var: str, terms: Sequence[Identifier] | None) -> str:
    """The query cut to ``terms``: its ``# with VAR:`` lines join it, with ``$VAR`` in
    them replaced by the terms (``VALUES ?node { $node }``). ``None`` leaves it whole."""
    if terms is None:
        return text
    return joined(text, {var: " ".join(t.n3() for t in terms)})


# what a query says, with its strings, IRIs and comments blanked and its \u escapes
# decoded (SPARQL decodes them before parsing, so \u0053ERVICE is SERVICE)
_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                     r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)


_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)


def _words(text: str) -> str:
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return _OPAQUE.sub(" ", decoded)


def canonical(text: str) -> str:
    """A query's text without its comments and with its whitespace collapsed: two texts
    that differ only there are the same query."""
    kept = _OPAQUE.sub(lambda m: " " if m.group(0).startswith("#") else m.group(0), text)
    return " ".join(kept.split())


def reaches_network(text: str) -> bool:
    """Whether a query would make the engine call another endpoint (SERVICE). Read on the
    query's words, not by a parser: a query any parser accepts is judged the same way."""
    return bool(_SERVICE.search(_words(text)))


def names_dataset(text: str) -> bool:
    """Whether a query gives its own dataset (FROM, FROM NAMED)."""
    return bool(_FROM.search(_words(text)))


_PROLOGUE_ITEM = re.compile(r"\s*(?:#[^\n]*(?:\n|$)|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
_FORM = re.compile(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue."""
    pos = 0
    while (m := _PROLOGUE_ITEM.match(sparql, pos)) and m.end() > pos:
        pos = m.end()
    m = _FORM.match(sparql, pos)
    if m is None:
        raise QueryError(f"not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE): {sparql[:80]!r}")
    return m.group(1).upper()

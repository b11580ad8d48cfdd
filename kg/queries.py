"""Named SPARQL queries (queries/NAME.rq) run with safely bound parameters.

Each file opens with comment lines: ``# title:``, ``# description:`` and one
``# param: NAME TYPE description`` per parameter. A parameter is a variable of the
query; its value becomes an RDF term of the declared type (validated), and the term is
bound by a VALUES block placed at the head of the outer WHERE group, so that every
FILTER of the query sees it. Values are never pasted into the query text: only terms,
serialised by rdflib, so no value can change the query's shape. (Oxigraph's own
substitutions would do, but only for projected variables, and remote servers have none.)
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from .errors import QueryError
from .sparql import bind, bind_values, canonical, joined, names_dataset, reaches_network
from .store import QueryResult, Store
from .store.base import serialized
from .vocab import PREFIXES

PARAM_TYPES = ("iri", "string", "integer", "date")
_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default=())


def parse(path: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot be read: {exc}") from exc
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            parts = value.split(None, 2)
            if len(parts) < 2 or parts[1] not in PARAM_TYPES:
                raise QueryError(f"{path}: bad param line {line!r}: want '# param: NAME "
                                 f"{'|'.join(PARAM_TYPES)} description'")
            params.append(Param(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        else:
            meta[key] = value
    return NamedQuery(
        name=path.stem, path=path, title=meta.get("title", path.stem),
        description=meta.get("description", ""), text=text, params=tuple(params),
    )


def registry(queries_dir: Path) -> dict[str, NamedQuery]:
    """The named queries, by name."""
    return {p.stem: parse(p) for p in sorted(queries_dir.glob("*.rq"))}


def load(name_or_file: str, queries_dir: Path) -> NamedQuery:
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.exists():
        return parse(path)
    queries = registry(queries_dir)
    if name_or_file not in queries:
        raise QueryError(f"no query named {name_or_file!r}: `kg query --list` shows "
                         f"{', '.join(queries) or 'none'}")
    return queries[name_or_file]


def term(param: Param, value: str) -> Identifier:
    """A parameter's value as an RDF term of its declared type, or QueryError."""
    if param.type == "iri":
        prefix, _, local = value.partition(":")
        if prefix in PREFIXES and not value.startswith(("http:", "https:", "urn:")):
            value = PREFIXES[prefix] + local
        if _IRI_FORBIDDEN.search(value) or ":" not in value:
            raise QueryError(f"parameter {param.name}: {value!r} is not an IRI")
        return URIRef(value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise QueryError(f"parameter {param.name}: {value!r} is not an integer")
        return Literal(int(value))
    if param.type == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise QueryError(f"parameter {param.name}: {value!r} is not a date (YYYY-MM-DD)")
        return Literal(value, datatype=XSD.date)
    return Literal(value)


def bindings(query: NamedQuery, params: dict[str, str]) -> dict[str, Identifier]:
    declared = {p.name: p for p in query.params}
    out: dict[str, Identifier] = {}
    for key, value in params.items():
        if key not in declared:
            raise QueryError(f"query {query.name!r} has no parameter {key!r}; it takes: "
                             f"{', '.join(declared) or 'none'}")
        out[key] = term(declared[key], value)
    return out


def prepared(query: NamedQuery, params: dict[str, str]) -> str:
    """The query's text with its parameters bound. A line ``# with NAME: PATTERN`` is a
    comment unless NAME is given; then PATTERN joins the query, so a parameter can lead
    the pattern (``?event kg:agent ?actor``: the engine starts from the one actor) rather
    than filter every row after the fact, and ``$NAME`` in it is the value (``VALUES
    ?actor { $actor }`` inside a subquery, which the outer VALUES does not reach). The
    file as written is the query without it."""
    values = bindings(query, params)
    return bind(joined(query.text, {k: v.n3() for k, v in values.items()}), values)


_COMMENT = re.compile(r"(^|\s)#[^\n]*$")  # a '#' inside an IRI has no space before it
_MODIFIERS = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*((LIMIT|OFFSET)\s+\d+\s*)?$", re.IGNORECASE)


def pages(text: str) -> bool:
    """Whether LIMIT and OFFSET can be added to the query: it has none of its own."""
    body = "\n".join(_COMMENT.sub("", line) for line in text.splitlines())  # comments aside
    return not _MODIFIERS.search(body.rstrip())


_PAGE = re.compile(r"^(\s*)#\s*page:\s?(.*)$", re.MULTILINE)
_PAGE_WITH = re.compile(r"^(\s*)#\s*page with (\w+):\s?(.*)$", re.MULTILINE)
_PAGE_KEYS = re.compile(r"^\s*#\s*page (by )?(\w+):\s?(.*)$", re.MULTILINE)


def _modifiers(limit: int | None, offset: int | None) -> list[str]:
    return [f"{word} {n}" for word, n in (("LIMIT", limit), ("OFFSET", offset)) if n]


def paged(text: str, limit: int | None, offset: int | None, *, first: bool = True) -> str:
    """The query cut to one page by the engine (LIMIT / OFFSET pushed down), so a caller
    that wants the first rows does not have every row converted. A query with a line
    ``# page: PATTERN`` (and ``first``) is cut there instead: PATTERN joins it with
    ``$page`` replaced by the LIMIT and OFFSET, so a subquery can choose the page's rows
    before the rest (grouping, labels) is worked out for them alone (``$first``: the LIMIT
    of the rows up to the page's end, see ``_cut``)."""
    if (limit is None and not offset) or not pages(text):
        return text
    if first and _PAGE.search(text):
        return _PAGE.sub(lambda m: m.group(1) + _cut(m.group(2), limit, offset), text)
    return text + "".join(f"\n{c}" for c in _modifiers(limit, offset))


def _cut(pattern: str, limit: int | None, offset: int | None) -> str:
    """A page line's pattern with ``$page`` made the page's LIMIT and OFFSET, and ``$first``
    a LIMIT of the rows from the first to the page's last (none without a limit): a
    subquery can sort on a cheap key alone (a date, which the engine compares without
    reading a string) to find where the page ends, and the costly order (by IRI) is then
    worked out for the rows up to there alone."""
    first = " ".join(_modifiers(limit + (offset or 0), None)) if limit is not None else ""
    return pattern.replace("$page", " ".join(_modifiers(limit, offset))).replace("$first", first)


def text_for(store: Store, query: NamedQuery, params: dict[str, str] | None = None, *,
             allow_network: bool = False, limit: int | None = None, offset: int | None = None) -> str:
    """The query as it will run: parameters bound, cut to the page asked for. A query with
    a line ``# page NAME: SELECT ?NAME ...`` (one row per key) chooses its page's keys
    first, with that query (``$page`` its LIMIT and OFFSET), then runs bound to them as it
    would to a parameter NAME of several values (its ``# with NAME:`` lines): its parts
    that are subqueries, which a VALUES at the top does not reach, read the page's keys
    alone. With ``# page by NAME:`` (one row or more per key), the first LIMIT + OFFSET
    keys are chosen and the page is cut from their rows. With one parameter NAME, a line
    ``# page with NAME: PATTERN`` chooses the page among that parameter's rows."""
    params = params or {}
    keys = _PAGE_KEYS.search(query.text)
    if keys and not params and limit is not None and pages(query.text):
        by, name, chosen = keys.group(1), keys.group(2), keys.group(3)
        chosen = _cut(chosen, limit + (offset or 0), None) if by else _cut(chosen, limit, offset)
        _checked_network(query, chosen, allow_network)
        _, rows = store.plain_rows(chosen)
        text = joined(query.text, {name: " ".join(URIRef(row[0]).n3() for row in rows if _is_iri(row[0]))})
        if by:
            text = paged(text, limit, offset, first=False)
    elif (name := _paged_with(query, params)) and (limit is not None or offset):
        value = bindings(query, params)[name].n3()

        def line(m: re.Match[str]) -> str:  # the page chosen among the parameter's rows
            return m.group(1) + _cut(m.group(3).replace(f"${name}", value), limit, offset) \
                if m.group(2) == name else m.group(0)

        text = _PAGE_WITH.sub(line, prepared(query, params))
    else:  # a parameter narrows the rows already, then the page is cut from them
        text = paged(prepared(query, params), limit, offset, first=not params)
    _checked_network(query, text, allow_network)
    return text


def _paged_with(query: NamedQuery, params: dict[str, str]) -> str | None:
    """The one parameter given, when the query has a ``# page with NAME:`` line for it: a
    subquery that chooses the page among that parameter's rows (``$NAME`` its value)."""
    if len(params) != 1 or not pages(query.text):
        return None
    (name,) = params
    return name if any(m.group(2) == name for m in _PAGE_WITH.finditer(query.text)) else None


def _checked_network(query: NamedQuery, text: str, allow_network: bool) -> None:
    if not allow_network and reaches_network(text):
        raise QueryError(f"{query.path}: the query uses SERVICE, which would reach another endpoint "
                         f"over the network; kg refuses it unless you pass --allow-network")


def run(store: Store, query: NamedQuery, params: dict[str, str] | None = None, *,
        allow_network: bool = False, limit: int | None = None, offset: int | None = None) -> QueryResult:
    return store.query(text_for(store, query, params, allow_network=allow_network, limit=limit, offset=offset))


def run_serialized(store: Store, query: NamedQuery, fmt: str,
                   params: dict[str, str] | None = None, *, allow_network: bool = False,
                   limit: int | None = None, offset: int | None = None) -> bytes:
    """csv, tsv, json (and xml): the W3C SPARQL 1.1 result formats, written by the engine."""
    text = text_for(store, query, params, allow_network=allow_network, limit=limit, offset=offset)
    return serialized(store, text, fmt)


def write_serialized(store: Store, query: NamedQuery, fmt: str, output: BinaryIO,
                     params: dict[str, str] | None = None, *, allow_network: bool = False,
                     limit: int | None = None, offset: int | None = None) -> None:
    """The same, written to ``output`` as the engine serialises it (the CLI streams it)."""
    text = text_for(store, query, params, allow_network=allow_network, limit=limit, offset=offset)
    store.write_results(text, fmt, output)


def run_plain(store: Store, query: NamedQuery, params: dict[str, str] | None = None, *,
              allow_network: bool = False, limit: int | None = None, offset: int | None = None,
              ) -> tuple[list[str], Iterator[list[str]]]:
    """A SELECT query's variables and its rows as plain values, as the engine gives them."""
    return store.plain_rows(text_for(store, query, params, allow_network=allow_network, limit=limit, offset=offset))


def _plain(v: str) -> str:
    return " ".join(v.split())


def _is_iri(v: str) -> bool:
    return v.startswith(("http://", "https://", "urn:", "file:"))


def _is_iri_column(rows: list[list[str]], i: int) -> bool:
    values = [r[i] for r in rows if r[i]]
    return bool(values) and all(_is_iri(v) for v in values)


def _short(v: str) -> str:
    """An IRI cell in kg's prefixes (kg:Capture), each IRI of a cell that joins several
    with '|'."""
    parts = v.split("|")
    if not all(_is_iri(p) and " " not in p for p in parts):
        return v
    for i, part in enumerate(parts):
        for prefix, ns in PREFIXES.items():
            if part.startswith(ns):
                parts[i] = f"{prefix}:{part[len(ns):]}"
                break
    return "|".join(parts)


def table(names: list[str], rows: Iterable[list[str]], *, max_width: int = 60, width: int | None = None,
          limit: int | None = None) -> str:
    """A plain text table for people from a SELECT query's plain rows: names first and IRIs
    last, each cell on one line, cut with '…' to ``max_width``; given a terminal ``width``,
    the widest columns are narrowed until the table fits it."""
    every = [[_plain(v) for v in row] for row in rows]
    shown_rows = every if limit is None else every[:limit]

    def empty(i: int) -> bool:
        return not any(r[i] for r in every)

    iri = {i for i in range(len(names)) if _is_iri_column(every, i)}  # each column read once
    # stable: names first, then IRIs, then the columns no row fills (they give way first)
    order = sorted(range(len(names)), key=lambda i: (empty(i), i in iri))
    cols = [names[i] for i in order]
    full = [[_short(r[i]) if i in iri else r[i] for i in order] for r in shown_rows]
    widths = [min(max_width, max([len(c)] + [len(row[k]) for row in full])) for k, c in enumerate(cols)]
    hidden: list[str] = []
    iri_columns = sum(1 for i in order if i in iri or empty(i))

    def too_wide() -> bool:
        return width is not None and sum(widths) + 2 * (len(widths) - 1) > width

    def narrow(floor: int) -> None:
        while too_wide() and max(widths) > floor:
            widths[widths.index(max(widths))] -= 1

    def drop(keep: int) -> None:  # the last columns (the IRIs come last) give way
        nonlocal full
        while too_wide() and len(cols) > keep:
            hidden.insert(0, cols.pop())
            widths.pop()
            full = [row[:-1] for row in full]

    narrow(24)
    drop(len(cols) - iri_columns)
    narrow(6)
    drop(1)

    def cut(text: str, w: int) -> str:
        return text if len(text) <= w else text[: w - 1] + "…"

    lines = ["  ".join(cut(c, w).ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(cut(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in full]
    shown = f"{len(full)} of {len(every)} rows" if len(full) < len(every) else f"{len(full)} rows"
    if hidden:
        shown += f"; not shown, to fit: {', '.join(hidden)} (--format csv has all)"
    lines.append(f"({shown})")
    return "\n".join(lines)


def graph_or_answer(result: QueryResult) -> str:
    """An ASK query's answer (yes, no) or a CONSTRUCT's triples, for people."""
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    return "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in result.triples)


def plain_tsv(names: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """Tab-separated plain values (no <IRI> brackets, quotes or language tags), as
    spreadsheets expect, a line at a time: one header line of names, tabs and line breaks
    in values made spaces."""
    yield "\t".join(names) + "\n"
    for row in rows:
        yield "\t".join(_plain(v) for v in row) + "\n"


def describe(queries: dict[str, NamedQuery]) -> str:
    out = io.StringIO()
    for q in queries.values():
        out.write(f"{q.name}: {q.title}\n  {q.description}\n")
        for p in q.params:
            out.write(f"  --param {p.name}=<{p.type}>  {p.description}\n")
    return out.getvalue().rstrip()


__all__ = [
    "NamedQuery",
    "Param",
    "bind",
    "bind_values",
    "canonical",
    "describe",
    "graph_or_answer",
    "load",
    "names_dataset",
    "plain_tsv",
    "reaches_network",
    "registry",
    "run",
    "run_plain",
    "run_serialized",
    "table",
    "text_for",
    "write_serialized",
]

"""``build``: documents -> ingest -> extract -> resolve -> mapping -> store, then the
TriG dump and the counts. One bad document is reported and skipped; the others and
the store stay intact."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlparse
from urllib.request import url2pathname

from rdflib import Graph, Literal, URIRef

from . import curate, files, ingest, iris, mapping, sparql
from .config import Settings
from .errors import ExtractionError, InputError, KgError
from .extract import extract, fingerprint
from .model import CurationReport, Document, ValidationReport
from .queries import bind
from .reason import INFERRED_GRAPH

T = TypeVar("T")
from .resolve import resolve
from .store import Store, open_store
from .vocab import KG, ONTOLOGY_IRI

if TYPE_CHECKING:
    from .validate import Steps

ONTOLOGY_GRAPH = URIRef(ONTOLOGY_IRI)

@dataclass
class Skipped:
    path: Path
    problem: str


@dataclass
class Accepted:
    path: Path
    document: str  # the content hash
    graph: str
    notes: list[str] = field(default_factory=list)  # what happened to other documents


@dataclass
class BuildReport:
    documents: int = 0  # built in this run
    skipped: list[Skipped] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # the whole store's
    trig: Path | None = None
    unchanged: list[Accepted] = field(default_factory=list)  # same text, same extractor: not redone
    removed: list[str] = field(default_factory=list)  # graphs dropped (--sync: their files are gone)
    curation: CurationReport = field(default_factory=CurationReport)  # the corrections applied after it
    seconds: float = 0.0  # reading, extracting, mapping and writing; validation is its own step
    others: int = 0  # documents in the store that this run did not write

    def to_json(self) -> dict[str, object]:
        """out/build-report.json: what was accepted, what was skipped and why."""
        return {
            "accepted": [{"file": shown(a.path), "document": a.document, "graph": a.graph, "notes": a.notes}
                         for a in self.accepted],
            "skipped": [{"file": shown(s.path), "problem": s.problem} for s in self.skipped],
            "unchanged": [{"file": shown(a.path), "document": a.document, "graph": a.graph} for a in self.unchanged],
            "removed": self.removed,
            "curation": curation_json(self.curation),
            "store": self.counts,
        }


def load_ontology(store: Store, settings: Settings) -> None:
    """The ontology lives in its own named graph, so queries can walk rdfs:subClassOf."""
    g = Graph().parse(settings.ontology_file, format="turtle").skolemize()  # no blank nodes
    store.replace_graph(ONTOLOGY_GRAPH, list(g))  # type: ignore[arg-type]


def _progress(items: Iterable[T], total: int, enabled: bool) -> Iterable[T]:
    """A bar on the terminal that moves as each document is extracted, mapped and stored
    (the model parses lazily, so the bar follows the work, not the reading)."""
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc="building", unit="doc", file=sys.stderr)


def _stage(message: str, enabled: bool) -> None:
    if enabled:
        print(message, file=sys.stderr, flush=True)


def shown(path: Path) -> str:
    """A path as text for people and reports (bytes that are not UTF-8 shown as U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _skip(report: BuildReport, exc: InputError) -> None:
    report.skipped.append(Skipped(exc.path, f"{exc.problem} ({exc.hint})" if exc.hint else exc.problem))


def _read_all(paths: Iterable[Path], settings: Settings, report: BuildReport
              ) -> list[tuple[Document, list[tuple[Path, str]]]]:
    """The documents to build, each with the files it was read from and their source
    IRIs, taken when the file is read (a link changed later changes nothing): the same
    text and metadata under two names is one document; a file named twice is read once."""
    by_text: dict[str, tuple[Document, list[tuple[Path, str]]]] = {}
    seen: set[Path] = set()
    for found in ingest.discover(paths):
        if isinstance(found, InputError):
            _skip(report, found)
            continue
        try:
            real = found.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # a dangling link, a loop of links
            looped = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
            problem = ("is a loop of symbolic links" if looped
                       else f"cannot be read: {getattr(exc, 'strerror', None) or exc}")
            report.skipped.append(Skipped(found, problem))
            continue
        if real in seen:
            continue
        seen.add(real)
        try:
            doc = ingest.read(found, max_bytes=settings.max_document_bytes)
            source = mapping.source_iri(found)
        except InputError as exc:
            _skip(report, exc)
            continue
        except Exception as exc:  # noqa: BLE001 -- one bad file never stops the run
            report.skipped.append(Skipped(found, f"cannot be read: {type(exc).__name__}: {exc}"))
            continue
        if doc.id in by_text:
            by_text[doc.id][1].append((found, source))
        else:
            by_text[doc.id] = (doc, [(found, source)])
    return list(by_text.values())


def _writable(settings: Settings) -> None:
    """Before the store changes: the output folder and the files kg writes there can be
    written (a KgError naming the problem otherwise)."""
    out = settings.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise KgError(f"{shown(out)}: the output folder cannot be written ({exc.strerror or exc}); "
                      f"give another with --out") from exc
    for name in ("graph.trig", "build-report.json", "validation.html", "validation.ttl"):
        if (out / name).is_dir():
            raise KgError(f"{shown(out / name)} is a folder: kg writes a file there; move it away or use --out")


def build(paths: Iterable[Path], *, settings: Settings, progress: bool = False,
          store: Store | None = None, reextract: bool = False, sync: bool = False) -> BuildReport:
    """Build documents into the store. A document already there with the same text, files
    and extractor (kg:extractor) is left as it is unless ``reextract``; with ``sync``, the
    documents whose files lay in one of the folders built and are gone are removed."""
    started = time.perf_counter()
    report = BuildReport()
    _writable(settings)
    paths = list(paths)
    groups = _read_all(paths, settings, report)
    own_store = store is None
    store = store or open_store(settings.store_location)
    try:
        load_ontology(store, settings)
        curate.unapply(store)  # the documents' graphs as extraction wrote them, while they change
        inferred = INFERRED_GRAPH in store.graphs()
        extractor = fingerprint(settings)
        existing = set(store.graphs())
        prune = False  # a document's graph replaced or dropped: names it alone used may go
        if not reextract:  # the same text, files and extractor as before: nothing to redo
            groups = [g for g in groups if not _unchanged(store, g, existing, extractor, report)]
        if sync:
            _sync(store, paths, report)
            if report.removed and inferred:
                store.replace_graph(INFERRED_GRAPH, [])
                inferred = False
        docs = [doc for doc, _ in groups]
        writer = GraphWriter(store, report)
        extractions = extract(docs, settings=settings)
        for (doc, files_read), extraction in _progress(zip(groups, extractions, strict=True), len(groups), progress):
            if isinstance(extraction, ExtractionError):
                report.skipped.append(Skipped(extraction.path, extraction.problem))
                continue
            try:
                resolution = resolve(extraction, settings=settings)
                graph = iris.graph(doc.id)
                sources = [source for _, source in files_read]
                accepted = Accepted(doc.path, doc.id, str(graph))
                accepted.notes += [f"same text as {shown(f)}: one document that lists both files"
                                   for f, _ in files_read[1:]]
                if doc.name in writer.names:  # its name must be looked up with the others in
                    writer.flush()
                ingested, kept, stale, name, key = _previous(store, doc, graph, sources, accepted.notes)
                shared: set[mapping.Triple] = set()
                triples = mapping.to_triples(extraction, resolution, ingested_at=ingested, key=key, shared=shared,
                                             sources=[*kept, *sources], name=name, extractor=extractor)
                if stale or set(store.graph_triples(graph)) != triples:  # unchanged: no write
                    if inferred:  # what the reasoner inferred may no longer hold: dropped with it
                        stale, inferred = [*stale, INFERRED_GRAPH], False
                    prune |= bool(stale) or graph in existing
                    if stale or graph in existing:
                        # the names first: a run stopped between the two leaves a name no
                        # document uses (pruned later), never a document whose names are missing
                        store.add(iris.SHARED_GRAPH, shared)  # type: ignore[arg-type]
                        store.replace_graph(graph, triples, drop=stale)  # type: ignore[arg-type]
                    else:
                        writer.new(doc, accepted, graph, triples, shared)
                        continue  # accepted once its batch is written
                report.documents += 1
                report.accepted.append(accepted)
            except Exception as exc:  # noqa: BLE001 -- one bad document never stops the run
                report.skipped.append(Skipped(doc.path, f"{type(exc).__name__}: {exc}"))
        writer.flush()
        if prune or report.removed:
            prune_shared(store)
        report.curation = apply_curation(store, settings)
        report.counts = counts(store, settings.trig_max_triples)
        written = {URIRef(a.graph) for a in report.accepted}
        report.others = sum(1 for g in store.graphs() if iris.is_document_graph(g) and g not in written)
        try:
            _stage("writing graph.trig", progress)
            report.trig = write_trig(store, settings, report.counts.get("triples", settings.trig_max_triples + 1))
            files.write_text(settings.out_dir / "build-report.json",
                             json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n")
        except OSError as exc:  # the store is built; only an output file could not be written
            raise KgError(f"the store is built, but {shown(Path(exc.filename or settings.out_dir))} cannot be "
                          f"written ({exc.strerror or exc}); fix it and run kg build again") from exc
    finally:
        if own_store:
            store.close()
    report.seconds = time.perf_counter() - started
    return report


class GraphWriter:
    """New documents' graphs, written in batches at the store's bulk speed
    (``Store.bulk_add``: about a third of the time of a transaction per graph). What tells
    a later build that a document is in whole, its graph's kg:extractor (``_unchanged``),
    is written after the rest of its batch, in a transaction: a run stopped in between
    leaves graphs that the next build extracts again and replaces, and names that no
    document uses (pruned then), never a document whose names are missing."""

    def __init__(self, store: Store, report: BuildReport, batch: int = 20) -> None:
        self.store, self.report, self.batch = store, report, batch
        self.pending: list[tuple[Document, Accepted, URIRef, set[mapping.Triple]]] = []
        self.shared: set[mapping.Triple] = set()
        self.names: set[str] = set()  # the file names waiting: _previous looks them up

    def new(self, doc: Document, accepted: Accepted, graph: URIRef, triples: set[mapping.Triple],
            shared: set[mapping.Triple]) -> None:
        self.pending.append((doc, accepted, graph, triples))
        self.shared |= shared
        self.names.add(doc.name)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        pending, shared, self.pending, self.shared, self.names = self.pending, self.shared, [], set(), set()
        if not pending:
            return
        extractor = KG.extractor
        try:
            self.store.bulk_add([(iris.SHARED_GRAPH, shared),
                                 *((g, [t for t in ts if t[1] != extractor]) for _, _, g, ts in pending)])
            for _, _, g, ts in pending:
                mark = [t for t in ts if t[1] == extractor]
                if mark:
                    self.store.add(g, mark)
        except Exception as exc:  # noqa: BLE001 -- the batch is not built; the run goes on
            self.report.skipped += [Skipped(doc.path, f"{type(exc).__name__}: {exc}") for doc, *_ in pending]
            return
        self.report.documents += len(pending)
        self.report.accepted += [accepted for _, accepted, _, _ in pending]


def validation_scope(report: BuildReport) -> list[URIRef] | None:
    """What the validation after a build covers: the documents it wrote, when the store
    holds others too (their findings stand: ``kg validate`` checks everything again); the
    whole store when the build wrote every document or removed some; nothing (``[]``)
    when it wrote none."""
    written = [URIRef(a.graph) for a in report.accepted]
    if report.removed or not report.others:
        return None
    return written


def _unchanged(store: Store, group: tuple[Document, list[tuple[Path, str]]], existing: set[URIRef],
               extractor: str, report: BuildReport) -> bool:
    """Whether a document is in the store as this build would write it: the same text and
    metadata (its graph is named from them), the same files, the same extractor."""
    doc, files_read = group
    graph = iris.graph(doc.id)
    if graph not in existing:
        return False
    rows = store.query(bind(sparql.text("build_same_graph"), {"g": graph})).rows
    known = {str(r["source"]) for r in rows if "source" in r}
    if not {source for _, source in files_read} <= known or \
            {str(r["extractor"]) for r in rows if "extractor" in r} != {extractor}:
        return False
    report.unchanged.append(Accepted(doc.path, doc.id, str(graph)))
    return True


def _sync(store: Store, paths: list[Path], report: BuildReport) -> None:
    """Remove the documents all of whose files lay in a folder being built and are gone."""
    folders = [Path(os.path.abspath(p)).as_uri().rstrip("/") + "/" for p in paths if Path(p).is_dir()]
    if not folders:
        return
    sources: dict[URIRef, list[str]] = {}
    for row in store.query(sparql.text("build_document_sources")).rows:
        sources.setdefault(row["g"], []).append(str(row["source"]))  # type: ignore[arg-type]
    for graph, files_of in sources.items():
        inside = [f for f in files_of if f.startswith(tuple(folders))]
        if inside and len(inside) == len(files_of) and not any(Path(url2pathname(urlparse(f).path)).exists()
                                                               for f in files_of):
            store.replace_graph(graph, [])
            report.removed.append(str(graph))


def remove(names: Iterable[str], *, settings: Settings, store: Store | None = None) -> list[tuple[str, str]]:
    """Remove documents from the store, each named by its file (as built), its file name or
    its graph IRI; with them go their statements, and the reasoner's graph (what it inferred
    may no longer hold). Returns (name, graph) for each document removed; a name that
    matches nothing raises, before anything is removed."""
    own_store = store is None
    store = store or open_store(settings.store_location)
    try:
        rows = store.query(sparql.text("build_document_sources")).rows
        by_name: dict[str, set[URIRef]] = {}
        for row in rows:
            g = row["g"]
            source = str(row["source"])
            for key in (source, url2pathname(urlparse(source).path), str(row["name"]), str(g)):
                by_name.setdefault(key, set()).add(g)  # type: ignore[arg-type]
        found: list[tuple[str, str]] = []
        for name in names:
            graphs = by_name.get(name) or by_name.get(os.path.abspath(name))
            if not graphs:
                raise KgError(f"{name}: no document in {settings.store_location} has this file, "
                              f"file name or graph (see `kg query documents`)")
            found += [(name, str(g)) for g in sorted(graphs)]
        curate.unapply(store)
        for _, graph in found:
            store.replace_graph(URIRef(graph), [])
        prune_shared(store)
        apply_curation(store, settings)
        if found and INFERRED_GRAPH in store.graphs():
            store.replace_graph(INFERRED_GRAPH, [])
        return found
    finally:
        if own_store:
            store.close()


def prune_shared(store: Store) -> None:
    """Take out of the shared graph the nodes no document speaks of any more."""
    rows = store.query(bind(sparql.text("build_orphan_shared"), {"shared": iris.SHARED_GRAPH})).rows
    gone = {r["s"] for r in rows}
    if gone:
        store.replace_graph(iris.SHARED_GRAPH, [t for t in store.graph_triples(iris.SHARED_GRAPH) if t[0] not in gone])


def apply_curation(store: Store, settings: Settings) -> CurationReport:
    """The curators' corrections of settings.curation_dir, applied again to the store as
    it now is (``kg build`` and ``kg remove`` run it; ``kg curate`` runs only this)."""
    report = curate.apply(store, settings.curation_dir)
    if any(r.status == "applied" for r in report.results) and INFERRED_GRAPH in store.graphs():
        store.replace_graph(INFERRED_GRAPH, [])  # inferred from the graph before the corrections
    return report


def curation_json(report: CurationReport) -> dict[str, object]:
    return {
        "corrections": [{"file": shown(r.correction.file), "index": r.correction.index, "kind": r.correction.kind,
                         "target": r.correction.target, "iri": r.iri, "status": r.status, "node": r.node,
                         "detail": r.detail} for r in report.results],
        "errors": list(report.errors),
    }


def write_validation(store: Store, settings: Settings, graphs: list[URIRef] | None = None,
                     steps: Steps | None = None) -> ValidationReport:
    """The validation step after a build (``kg build`` runs it unless --no-validate):
    out/validation.html for curators and out/validation.ttl (the SHACL report graph); of
    the whole store, or of the nodes of some documents' graphs (against the whole store)."""
    from .validate import render, validate

    result, shacl = validate(store, settings=settings, graphs=graphs, steps=steps)
    for fmt in ("html", "ttl"):
        files.write_text(settings.out_dir / f"validation.{fmt}", render(result, fmt, shacl))
    return result


def _previous(store: Store, doc: Document, graph: URIRef, sources: list[str],
              notes: list[str]) -> tuple[dt.datetime, list[str], list[URIRef], str | None, str | None]:
    """When this text was first ingested, the other files it was read from before, the
    graphs this build replaces (the earlier text of the same file; a file of the same name
    in another folder is another document, and is kept), and the key that names its
    statements: its file name, unless another document has that name (then with its hash)."""
    ingested = dt.datetime.now(dt.UTC).replace(microsecond=0)
    kept: list[str] = []
    name: str | None = None
    key: str | None = None
    for row in store.query(bind(sparql.text("build_same_graph"), {"g": graph})).rows:
        value = row.get("ingested")
        if isinstance(value, Literal) and isinstance(value.toPython(), dt.datetime):
            ingested = value.toPython()
        if "name" in row:
            name = str(row["name"])  # the name it was first known by stays
        if "source" in row and str(row["source"]) not in sources and str(row["source"]) not in kept:
            kept.append(str(row["source"]))
    if kept:
        notes.append(f"same text as {', '.join(kept)}, built before: one document that lists both files")
    by_graph: dict[URIRef, set[str]] = {}
    for row in store.query(bind(sparql.text("build_same_name"), {"name": Literal(doc.name)})).rows:
        g = row["g"]
        if g != graph:
            by_graph.setdefault(g, set())  # type: ignore[arg-type]
            if "source" in row:
                by_graph[g].add(str(row["source"]))  # type: ignore[index]
    stale: list[URIRef] = []
    for g, theirs in sorted(by_graph.items()):
        if not theirs:  # built before documents named their source: the same file, as then
            stale.append(g)
            notes.append(f"replaces the earlier text of {doc.name} ({g})")
        elif theirs & set(sources):
            if theirs - set(sources):  # that text is still another file's: only this file leaves it
                _detach(store, g, set(sources))
                notes.append(f"was the same text as {', '.join(sorted(theirs - set(sources)))}; that document stays")
            else:
                stale.append(g)
                notes.append(f"replaces the earlier text of this file ({g})")
        else:
            notes.append(f"another file named {doc.name} ({', '.join(sorted(theirs))}) is another document, kept")
            key = f"{doc.name} {doc.id}"
    return ingested, kept, stale, name, key


def _detach(store: Store, graph: URIRef, sources: set[str]) -> None:
    """Remove these source files from a document graph that other files still hold."""
    triples = store.graph_triples(graph)
    gone = {URIRef(s) for s in sources}
    left = [t for t in triples if not (t[1] == KG.sourceFile and t[2] in gone)]
    remaining = sorted(str(t[2]) for t in left if t[1] == KG.sourceFile)
    if remaining:  # the document's file name is one of the files that still hold it
        name = Literal(Path(url2pathname(urlparse(remaining[0]).path)).name)
        left = [(s, p, name) if p == KG.fileName else (s, p, o) for s, p, o in left]
    store.replace_graph(graph, left)  # type: ignore[arg-type]


def write_trig(store: Store, settings: Settings, triples: int | None = None) -> Path | None:
    """``out/graph.trig``, every named graph, rewritten while the store holds at most
    ``settings.trig_max_triples`` (``triples``, if counted already); above, None (``kg
    export --format trig`` writes it; a copy already there is left as it is)."""
    path = settings.out_dir / "graph.trig"
    if (len(store) if triples is None else triples) > settings.trig_max_triples:
        return None
    try:
        store.dump(path)
    except OSError as exc:
        raise KgError(f"the store is written, but {shown(path)} cannot be written ({exc.strerror or exc}); "
                      f"`kg export --format trig` writes it") from exc
    return path


def trig_line(settings: Settings, written: Path | None) -> str:
    """What the CLI says of graph.trig after a build, a removal or a curation."""
    if written is not None:
        return f"wrote {written}"
    path = settings.out_dir / "graph.trig"
    older = " (the copy there is older than the store)" if path.exists() else ""
    return (f"{path} not written{older}: the store holds more than {settings.trig_max_triples:,} "
            f"triples; `kg export --format trig --out {path}` writes it")


def counts(store: Store, most: int) -> dict[str, int]:
    """How many documents, actors, persons, places and graphs the store holds, and its
    triples: counted up to ``most`` (the engine stops there); above, ``triples_more_than``
    is ``most`` and ``triples`` is left out. A store's length is a scan of all its quads:
    14 s at 45 million, in every build of one report into it."""
    row = store.query(sparql.text("build_counts")).rows[0]
    out = {k: int(v) for k, v in row.items()}  # type: ignore[call-overload]
    n = int(store.query(sparql.joined(sparql.text("build_triples"), {"most": str(most + 1)})).rows[0]["n"])  # type: ignore[call-overload]
    out.update({"triples": n} if n <= most else {"triples_more_than": most})
    out["graphs"] = len(store.graphs())
    return out


__all__ = ["Accepted", "BuildReport", "Skipped", "build", "counts", "trig_line", "write_trig"]

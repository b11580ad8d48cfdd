"""Thin commands: parse arguments, call one function, print.

Exit status: 0 success; 1 an error stopped the command; 2 the build finished but
skipped some documents (each named with its problem). ``kg validate`` exits 1 when the
graph has a violation (warnings and infos do not count), so it can gate a pipeline.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import itertools
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from . import files, queries
from .config import Settings
from .errors import KgError
from .extract import WORKER_DOCUMENTS
from .model import CORRECTION_STATUSES, CurationReport
from .pipeline import build, shown, trig_line, validation_scope, write_trig, write_validation
from .sparql import query_form
from .store import Store, is_remote, open_store

if TYPE_CHECKING:
    from .validate import Steps

EXIT_OK, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 2
EXIT_VIOLATIONS = 1  # kg validate: the graph has a violation
EXIT_BROKEN_PIPE = 141  # as a shell reports a command stopped by SIGPIPE


def _settings(args: argparse.Namespace, *, out: Path | None = None) -> Settings:
    """--store is a folder, or a SPARQL server's QUERY_URL[,UPDATE_URL]."""
    out = out or Path(getattr(args, "out", None) or "out")
    store = getattr(args, "store", None)
    curation = {"curation_dir": Path(args.curation)} if getattr(args, "curation", None) else {}  # build, remove, curate
    if store and is_remote(store):
        return Settings(out_dir=out, store_url=store, **curation)  # type: ignore[arg-type]
    return Settings(out_dir=out, store_dir=Path(store) if store else None, **curation)  # type: ignore[arg-type]


def _print_curation(report: CurationReport) -> None:
    """What the curators' corrections did; a stale one is named with what it points at."""
    if report.results:
        done = {s: len(report.with_status(s)) for s in CORRECTION_STATUSES}
        print(f"curation: {done['applied']} correction(s) applied, {done['stale']} stale, {done['unneeded']} unneeded")
    for r in report.results:
        if r.status != "applied":
            print(f"{r.status} {shown(r.correction.file)}, correction {r.correction.index} "
                  f"({r.correction.kind} {r.correction.target}): {r.detail}", file=sys.stderr)
    for error in report.errors:
        print(f"curation file left out: {error}", file=sys.stderr)


def _megabytes(text: str) -> float:
    """A size limit in MB: a finite number from 0.001 to 1000."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of MB") from None
    if not 0.001 <= value <= 1000:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of MB from 0.001 to 1000")
    return value


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.max_mb is not None:
        settings = replace(settings, max_document_bytes=int(args.max_mb * 1_000_000))
    settings = replace(settings, workers=args.workers)
    progress = sys.stderr.isatty() and not args.quiet
    report = build([Path(p) for p in args.paths], settings=settings, progress=progress,
                   reextract=args.reextract, sync=args.sync)
    c = report.counts
    print(f"built {report.documents} document(s) into {settings.store_location} ({report.seconds:.1f} s)")
    if report.unchanged:
        print(f"{len(report.unchanged)} document(s) unchanged (same text, files and extractor): "
              f"not extracted again (--reextract redoes them)")
    for graph in report.removed:
        print(f"removed {graph}: its files are gone (--sync)")
    _print_curation(report.curation)
    triples = f"more than {c['triples_more_than']:,}" if "triples_more_than" in c else f"{c.get('triples', 0):,}"
    print(f"store: {c.get('documents', 0)} documents, {triples} triples, "
          f"{c.get('actors', 0)} actors, {c.get('persons', 0)} persons, "
          f"{c.get('places', 0)} places")
    print(trig_line(settings, report.trig))
    scope = None if args.validate == "all" else validation_scope(report)
    if scope == [] and not (settings.out_dir / "validation.html").exists():
        scope = None  # no report yet in this output folder: one of the whole store
    if scope == [] and not args.no_validate:
        print("validation: no document written; the last report stands (kg validate checks the store)")
    elif not args.no_validate:  # its own step, timed on its own
        if progress:
            what = f" the {len(scope)} document(s) written" if scope else " the store"
            print(f"validating{what}", file=sys.stderr, flush=True)
        store = open_store(settings.store_location, read_only=True)
        try:
            with _steps(progress) as steps:
                v = write_validation(store, settings, scope, steps=steps)
        except OSError as exc:
            raise KgError(f"the store is built, but the validation report cannot be written "
                          f"({exc.strerror or exc}); fix it and run kg validate") from exc
        finally:
            store.close()
        covered = f" in the {len(scope)} document(s) written (--validate all: the store)" if scope else ""
        print(f"validation: {v.count('Violation')} violations, {v.count('Warning')} warnings, "
              f"{v.count('Info')} infos{covered} ({v.seconds:.1f} s); wrote "
              f"{settings.out_dir / 'validation.html'} and {settings.out_dir / 'validation.ttl'}")
    for a in report.accepted:
        for note in a.notes:
            print(f"note {shown(a.path)}: {note}")
    print(f"wrote {settings.out_dir / 'build-report.json'}")
    for s in report.skipped:
        print(f"skipped {shown(s.path)}: {s.problem}", file=sys.stderr)
    if report.skipped:
        print(f"{len(report.skipped)} document(s) skipped", file=sys.stderr)
        return EXIT_SKIPPED
    return EXIT_OK


def cmd_curate(args: argparse.Namespace) -> int:
    from .pipeline import apply_curation, curation_json

    settings = _settings(args)
    store = open_store(settings.store_location)
    try:
        report = apply_curation(store, settings)
        trig = write_trig(store, settings)
    finally:
        store.close()
    files.write_text(settings.out_dir / "curation-report.json",
                     json.dumps(curation_json(report), ensure_ascii=False, indent=1) + "\n")
    if not report.results:
        print(f"no correction in {settings.curation_dir}/*.yaml")
    _print_curation(report)
    print(trig_line(settings, trig))
    print(f"wrote {settings.out_dir / 'curation-report.json'}")
    return EXIT_ERROR if report.errors else EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from .pipeline import remove

    settings = _settings(args)
    store = open_store(settings.store_location)
    try:
        found = remove(args.documents, settings=settings, store=store)
        trig = write_trig(store, settings)
    finally:
        store.close()
    for name, graph in found:
        print(f"removed {name}: {graph}")
    print(trig_line(settings, trig))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.list:
        print(queries.describe(queries.registry(settings.queries_dir)))
        return EXIT_OK
    if not args.query:
        raise KgError("name a query (see `kg query --list`) or a .rq file")
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep:
            raise KgError(f"--param {item!r}: write it as NAME=VALUE")
        params[key] = value
    query = queries.load(args.query, settings.queries_dir)
    if args.offset and not queries.pages(query.text):
        raise KgError(f"{query.path}: the query has its own LIMIT or OFFSET; --offset cannot be added")
    page = {"limit": args.limit, "offset": args.offset}  # pushed down to the engine
    store = open_store(settings.store_location, read_only=True)
    out = sys.stdout
    try:
        if args.format in ("table", "tsv") and query_form(query.text) != "SELECT":
            print(queries.graph_or_answer(queries.run(store, query, params, allow_network=args.allow_network, **page)))
        elif args.format in ("table", "tsv"):  # plain values as the engine gives them
            names, rows = queries.run_plain(store, query, params, allow_network=args.allow_network, **page)
            if args.format == "tsv":
                out.writelines(queries.plain_tsv(names, itertools.islice(rows, args.limit)))
            else:
                width = shutil.get_terminal_size().columns if out.isatty() else None
                print(queries.table(names, rows, width=width, limit=args.limit))
        elif args.limit is not None and not queries.pages(query.text):  # its own LIMIT: cut here
            data = queries.run_serialized(store, query, args.format, params, allow_network=args.allow_network)
            out.buffer.write(_limited(data, args.format, args.limit))
        else:  # streamed: written as the engine serialises each row
            out.flush()
            queries.write_serialized(store, query, args.format, out.buffer, params,
                                     allow_network=args.allow_network, **page)
        out.flush()
    finally:
        store.close()
    return EXIT_OK


@contextlib.contextmanager
def _steps(shown: bool) -> Iterator[Steps | None]:
    """A bar that follows validation's steps on a terminal (none otherwise)."""
    if not shown:
        yield None
        return
    from .validate import Bar

    bar = Bar()
    try:
        yield bar
    finally:
        bar.close()


def _limited(data: bytes, fmt: str, limit: int | None) -> bytes:
    """The first ``limit`` rows of a W3C CSV or JSON result."""
    if limit is None:
        return data
    if fmt == "json":
        doc = json.loads(data)
        if "results" in doc:
            doc["results"]["bindings"] = doc["results"]["bindings"][:limit]
        return json.dumps(doc, ensure_ascii=False).encode()
    text = data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows[: limit + 1])
    return out.getvalue().encode("utf-8")


def _node(store: Store, name: str | None) -> str | None:
    """The actor or person an --actor names: its IRI, its name or one of its other names."""
    if name is None:
        return None
    from rdflib import Literal

    from . import sparql

    found = store.query(sparql.scoped(sparql.text("find_node"), "name", [Literal(name)])).rows
    nodes = list(dict.fromkeys(str(r["node"]) for r in found))
    if not nodes:
        raise KgError(f"--actor {name!r}: no actor or person has this name, other name or IRI "
                      f"(see `kg query actors` and `kg query aliases`)")
    if len(nodes) > 1:
        listed = "; ".join(f"{r['label']} <{r['node']}>" for r in found[:8])
        raise KgError(f"--actor {name!r} names {len(nodes)} nodes: {listed}; give the IRI")
    return nodes[0]


def _date(text: str) -> str:
    """--from / --to: YYYY, YYYY-MM or YYYY-MM-DD, a real date."""
    import datetime as dt

    formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
    try:
        if len(text) not in formats:
            raise ValueError
        dt.datetime.strptime(text, formats[len(text)])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD") from None
    return text


def _positive(what: str) -> Callable[[str], int]:
    """An argument type: a whole number of ``what``, 1 or more."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {what} (1 or more)")
        return value

    return parse


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import document_graphs, render, validate

    settings = _settings(args, out=Path("out"))  # --out is the report file, not the output folder
    fmt = args.format or (Path(args.out).suffix.lstrip(".") if args.out else "md")
    fmt = {"markdown": "md", "turtle": "ttl", "htm": "html"}.get(fmt, fmt)
    if fmt not in ("html", "md", "ttl", "json"):
        raise KgError(f"--format {fmt!r}: use html, md, ttl or json")
    store = open_store(settings.store_location, read_only=not args.reason)
    try:
        if args.reason:
            from .reason import reason

            outcome = reason(store, settings=settings)
            print(outcome.describe(), file=sys.stderr)
        graphs = None
        if args.document:
            graphs = document_graphs(store, args.document)
        with _steps(sys.stderr.isatty()) as steps:
            report, shacl = validate(store, settings=settings, graphs=graphs, steps=steps)
    finally:
        store.close()
    text = render(report, fmt, shacl)
    if args.out:
        files.write_text(Path(args.out), text)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    print(f"{report.count('Violation')} violations, {report.count('Warning')} warnings, "
          f"{report.count('Info')} infos", file=sys.stderr)
    if args.reason and not outcome.consistent:
        return EXIT_ERROR
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import ServeOptions, serve

    settings = _settings(args)
    if not is_remote(settings.store_location) and not settings.store_path.is_dir():
        raise KgError(f"{settings.store_path}: no store there; build one with `kg build`")
    open_store(settings.store_location, read_only=True).close()  # a missing or unreachable store, said now
    options = ServeOptions(
        store=str(settings.store_location), queries_dir=settings.queries_dir,
        workers=args.workers or settings.serve_workers,
        timeout=args.timeout or settings.serve_timeout,
        max_rows=args.max_rows or settings.serve_max_rows,
        max_bytes=(args.max_bytes or settings.serve_max_mib) * 2**20,
        max_memory=(args.max_memory or settings.serve_memory_mib) * 2**20,
        hosts=tuple(args.allow_host), cors=tuple(args.cors),
        header_timeout=args.request_timeout, body_timeout=args.request_timeout)
    print(f"kg serve: http://{args.host}:{args.port}/ (SPARQL at /sparql), store {settings.store_location}, "
          f"{options.timeout:g} s, {options.max_memory // 2**20} MiB per query, answers of "
          f"{options.max_rows} rows and {options.max_bytes // 2**20} MiB at most; CORS: "
          f"{', '.join(options.cors) or 'loopback pages only'}", file=sys.stderr)
    serve(options, host=args.host, port=args.port)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from .evaluate import as_json, evaluate, load_gold, report

    golds = load_gold(Path(args.gold))
    if args.store:
        store = open_store(_settings(args).store_location, read_only=True)
    else:  # build the documents afresh in a scratch store
        scratch = Path(tempfile.mkdtemp(prefix="kg-eval-"))
        settings = Settings(out_dir=scratch, store_dir=scratch / "store")
        built = build([Path(args.docs)], settings=settings)
        for s in built.skipped:
            print(f"skipped {shown(s.path)}: {s.problem}", file=sys.stderr)
        store = open_store(settings.store_location, read_only=True)
    try:
        docs, total = evaluate(store, golds)
    finally:
        store.close()
    if args.json:
        print(json.dumps(as_json(docs, total), ensure_ascii=False, indent=2))
    else:
        print(report(docs, total, details=not args.quiet))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import SUFFIXES, export, export_events, format_for

    settings = _settings(args, out=Path("out"))  # --out is a file here
    try:
        fmt = args.format or (format_for(Path(args.out)) if args.out else None)
    except ValueError as exc:
        raise KgError(str(exc)) from exc
    if fmt is None:
        raise KgError("give --format or an --out file whose suffix names one")
    out = Path(args.out) if args.out else settings.out_dir / ("graph" + SUFFIXES[fmt])
    rows = None
    store = open_store(settings.store_location, read_only=True)
    try:
        if fmt == "trig":  # every named graph, as kg build writes graph.trig
            if args.query or args.actor or getattr(args, "from") or args.to:
                raise KgError("--format trig writes the whole store: it takes no --query, --actor, --from or --to")
            store.dump(out)
            print(f"wrote {out}: {len(store):,} triples")
            return EXIT_OK
        if fmt == "events":
            if args.query:
                raise KgError("--query selects network nodes; the event table takes --actor, --from and --to")
            count = export_events(store, out, actor=_node(store, args.actor), date_from=getattr(args, "from"),
                                  date_to=args.to)
            print(f"wrote {out}: {count} engagements")
            return EXIT_OK
        if args.query:
            rows = queries.run(store, queries.load(args.query, settings.queries_dir)).rows
        network = export(store, fmt, out, query_rows=rows, actor=_node(store, args.actor),
                         hops=args.hops, date_from=getattr(args, "from"), date_to=args.to)
    except (KeyError, ValueError) as exc:
        raise KgError(str(exc).strip("'\"")) from exc
    finally:
        store.close()
    g = network.graph
    print(f"wrote {out}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, "
          f"{len(network.engagements)} engagements")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="A knowledge graph of armed actors.")
    try:
        p.add_argument("--version", action="version", version=f"kg {version('kg')}")
    except PackageNotFoundError:  # run from a source tree that is not installed
        p.add_argument("--version", action="version", version="kg (not installed)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph from documents")
    b.add_argument("paths", nargs="+", help="document files or folders of .txt files")
    b.add_argument("--store", help="store folder (default: OUT/store), or a SPARQL server: QUERY_URL[,UPDATE_URL]")
    b.add_argument("--out", default="out", help="output folder (default: out)")
    b.add_argument("--reextract", action="store_true",
                   help="extract every document again, even one unchanged since it was built")
    b.add_argument("--sync", action="store_true",
                   help="also remove the documents whose files were in a folder given and are gone")
    b.add_argument("--no-validate", action="store_true",
                   help="build only; validate later with kg validate (validation runs by default)")
    b.add_argument("--validate", choices=("changed", "all"), default="changed",
                   help="what the validation after the build covers: the documents it wrote, when the "
                        "store holds others too (default), or the whole store")
    b.add_argument("--quiet", action="store_true", help="no progress bar (there is none when stderr is not a terminal)")
    b.add_argument("--curation", metavar="DIR", default="curation",
                   help="curators' corrections, applied after it (default: curation)")
    b.add_argument("--max-mb", type=_megabytes, metavar="MB",
                   help="skip a document file larger than this (default 1)")
    b.add_argument("--workers", type=_positive("processes"), metavar="N", default=os.cpu_count() or 1,
                   help=f"extraction processes (default: the cores, {os.cpu_count() or 1}); a corpus of "
                        f"fewer than {WORKER_DOCUMENTS} documents per process is extracted in this one")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("remove", help="remove documents (and every statement they made) from the store")
    r.add_argument("documents", nargs="+", help="a document's file (as built), file name, or graph IRI")
    r.add_argument("--store", help="store folder (default: OUT/store), or a SPARQL server: QUERY_URL[,UPDATE_URL]")
    r.add_argument("--out", default="out", help="output folder, where graph.trig is rewritten (default: out)")
    r.add_argument("--curation", metavar="DIR", default="curation",
                   help="curators' corrections, applied again (default: curation)")
    r.set_defaults(func=cmd_remove)

    c = sub.add_parser("curate", help="apply the curators' corrections (curation/*.yaml) to the store again")
    c.add_argument("--curation", metavar="DIR", default="curation", help="folder of curation files (default: curation)")
    c.add_argument("--store", help="store folder (default: OUT/store), or a SPARQL server: QUERY_URL[,UPDATE_URL]")
    c.add_argument("--out", default="out", help="output folder: graph.trig, curation-report.json (default: out)")
    c.set_defaults(func=cmd_curate)

    q = sub.add_parser("query", help="run a named query or a .rq file")
    q.add_argument("query", nargs="?", help="query name (see --list) or FILE.rq")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a parameter (repeatable)")
    q.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table",
                   help="table (for people, fitted to the terminal), csv and tsv (plain values), "
                        "json (W3C SPARQL results)")
    q.add_argument("--limit", type=_positive("rows"), metavar="N", help="the first N rows (the engine stops there)")
    q.add_argument("--offset", type=_positive("rows"), metavar="K", help="skip the first K rows (with --limit: a page)")
    q.add_argument("--allow-network", action="store_true",
                   help="let the query reach other endpoints (SERVICE); refused by default")
    q.add_argument("--store", help="store folder (default: out/store), or QUERY_URL[,UPDATE_URL]")
    q.set_defaults(func=cmd_query)

    x = sub.add_parser("export", help="write the actor network for Gephi, Cytoscape, yEd, maps, a page")
    x.add_argument("--format", choices=["graphml", "gexf", "cyjs", "geojson", "html", "events", "trig"],
                   help="default: from --out's suffix (.csv or .jsonl: the event table; "
                        ".trig: the whole store, every named graph)")
    x.add_argument("--store", help="store folder (default: out/store), or QUERY_URL[,UPDATE_URL]")
    x.add_argument("--out", help="output file (default: out/graph.FORMAT)")
    x.add_argument("--query", help="keep the nodes a named query or .rq file returns")
    x.add_argument("--actor", help="keep this actor or person (name, alias or IRI) and its neighbourhood")
    x.add_argument("--hops", type=int, default=1, help="neighbourhood size for --actor (default 1)")
    x.add_argument("--from", type=_date, help="engagements from this date (YYYY, YYYY-MM or YYYY-MM-DD)")
    x.add_argument("--to", type=_date, help="engagements up to this date")
    x.set_defaults(func=cmd_export)

    v = sub.add_parser("validate", help="check the graph against the SHACL shapes (exit 1 on a violation)")
    v.add_argument("--store", help="store folder (default: out/store), or QUERY_URL[,UPDATE_URL]")
    v.add_argument("--format", choices=["html", "md", "ttl", "json"],
                   help="report format (default: from --out's extension, else md)")
    v.add_argument("--out", help="report file (default: standard output)")
    v.add_argument("--document", action="append", metavar="FILE_NAME",
                   help="check only the nodes of this document's graph (repeatable)")
    v.add_argument("--reason", action="store_true",
                   help="first run the OWL reasoner (HermiT): check consistency, store inferred triples "
                        "in their own named graph")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("serve", help="SPARQL 1.1 endpoint (read-only) and its page")
    s.add_argument("--store", help="store folder (default: out/store), or a SPARQL server: QUERY_URL[,UPDATE_URL]")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    s.add_argument("--port", type=int, default=7878)
    s.add_argument("--timeout", type=float, help="seconds per query (default 30)")
    s.add_argument("--max-rows", type=int, help="rows or triples per answer (default 10000)")
    s.add_argument("--workers", type=int, help="query worker processes (default 2)")
    s.add_argument("--max-bytes", type=int, metavar="MIB", help="MiB per answer (default 32)")
    s.add_argument("--max-memory", type=int, metavar="MIB",
                   help="MiB a worker may hold; a query past it is stopped with a 503 (default 1024)")
    s.add_argument("--request-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="time a client has to send a request's headers, and again its body (default 10)")
    s.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                   help="let pages from this origin query the endpoint ('*': any); default: loopback pages")
    s.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="a Host header to accept besides loopback and the bound address (e.g. a DNS name)")
    s.set_defaults(func=cmd_serve)

    e = sub.add_parser("eval", help="score the graph against gold annotation files")
    e.add_argument("--gold", required=True, help="folder of *.gold.json files")
    e.add_argument("--docs", default="seeds", help="documents to build (default: seeds)")
    e.add_argument("--store", help="score an existing store (folder or QUERY_URL[,UPDATE_URL]) instead of building")
    e.add_argument("--json", action="store_true", help="machine-readable scores")
    e.add_argument("--quiet", action="store_true", help="scores only, no misses or false positives")
    e.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KgError as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `kg query actors | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's own flush stays quiet
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())

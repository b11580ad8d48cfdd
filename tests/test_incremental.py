"""Documents added and removed one by one: a document built before with the same text,
files and extractor is not extracted again; `kg remove` takes documents (and every
statement they made) out; `kg build --sync` removes the documents whose files are gone.
Real files, the real pipeline, the real store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import queries
from kg.cli import EXIT_OK, main
from kg.config import Settings
from kg.errors import KgError
from kg.pipeline import build, remove
from kg.store import open_store

from .conftest import PROJECT_ROOT, SEEDS

DEV_DOCS = PROJECT_ROOT.parent / "shared" / "eval" / "dev" / "docs"  # unseen reports (CI: ../shared beside)

A, B = "002_ad34e4e326f002f7.txt", "003_d81cb42c22d10bab.txt"


def _documents(settings: Settings) -> set[str]:
    store = open_store(settings.store_path, read_only=True)
    try:
        return {str(r["fileName"]) for r in queries.run(store, queries.load("documents", settings.queries_dir)).rows}
    finally:
        store.close()


def _quads(settings: Settings) -> set[tuple[str, ...]]:
    store = open_store(settings.store_path, read_only=True)
    try:
        return {tuple(str(t) for t in q) for q in store.dataset().quads() if "ingestedAt" not in str(q[1])}
    finally:
        store.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEEDS / A, docs)
    return docs


def test_an_unchanged_document_is_not_extracted_again(folder: Path, tmp_path: Path) -> None:
    settings = Settings(out_dir=tmp_path / "out")
    first = build([folder], settings=settings)
    assert first.documents == 1 and not first.unchanged
    shutil.copy(SEEDS / B, folder)
    second = build([folder], settings=settings)
    assert second.documents == 1 and [a.path.name for a in second.accepted] == [B]
    assert [a.path.name for a in second.unchanged] == [A]
    assert _documents(settings) == {A, B}
    again = build([folder], settings=settings, reextract=True)  # after an extractor change, on demand
    assert again.documents == 2 and not again.unchanged
    (folder / A).write_text((folder / A).read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    changed = build([folder], settings=settings)
    assert [a.path.name for a in changed.accepted] == [A] and _documents(settings) == {A, B}


def test_documents_built_one_by_one_make_the_graph_one_build_makes(tmp_path: Path) -> None:
    together = Settings(out_dir=tmp_path / "together")
    one_by_one = Settings(out_dir=tmp_path / "apart")
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (A, B):
        shutil.copy(SEEDS / name, docs)
    build([docs], settings=together)
    build([docs / B], settings=one_by_one)
    build([docs / A], settings=one_by_one)
    assert _quads(together) == _quads(one_by_one)


def test_remove_takes_a_document_and_all_it_said(folder: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(out_dir=tmp_path / "out")
    only_a = Settings(out_dir=tmp_path / "only-a")
    build([folder], settings=only_a)
    shutil.copy(SEEDS / B, folder)
    build([folder], settings=settings)
    with pytest.raises(KgError, match="nothing.txt: no document"):
        remove(["nothing.txt"], settings=settings)
    assert _documents(settings) == {A, B}  # nothing removed when a name is wrong
    no_curation = ["--curation", str(tmp_path / "none")]
    assert main(["remove", str(folder / B), "--out", str(settings.out_dir), *no_curation]) == EXIT_OK
    assert f"removed {folder / B}" in capsys.readouterr().out
    assert _documents(settings) == {A}
    assert _quads(settings) == _quads(only_a)  # no statement of B's is left, no orphan node
    assert B not in (settings.out_dir / "graph.trig").read_text(encoding="utf-8")
    removed = remove([A], settings=settings)  # by file name
    assert len(removed) == 1 and _documents(settings) == set()


def test_sync_removes_the_documents_whose_files_are_gone(folder: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(out_dir=tmp_path / "out")
    shutil.copy(SEEDS / B, folder)
    build([folder], settings=settings)
    (folder / B).unlink()
    kept = build([folder], settings=settings)  # without --sync nothing is removed
    assert not kept.removed and _documents(settings) == {A, B}
    assert main(["build", str(folder), "--out", str(settings.out_dir), "--sync", "--no-validate"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "removed" in out and "--sync" in out and "1 document(s) unchanged" in out
    assert _documents(settings) == {A}


def _statements(settings: Settings) -> set[str]:
    """The IRIs of the store's engagements, relations and claims."""
    return {q[0] for q in _quads(settings) if any(f"/{kind}/" in q[0] for kind in ("engagement", "relation", "claim"))}


def test_statements_keep_their_iris_when_the_text_is_edited(folder: Path, tmp_path: Path) -> None:
    """A curator's correction points at an engagement or relation by its IRI: a paragraph
    added at the top of the file (every offset moves, the content hash changes) leaves the
    IRIs of the statements that are still made as they were."""
    settings = Settings(out_dir=tmp_path / "out")
    build([folder], settings=settings)
    before = _statements(settings)
    text = (folder / A).read_text(encoding="utf-8")
    (folder / A).write_text("Note de la rédaction : ce rapport a été mis à jour.\n\n" + text, encoding="utf-8")
    report = build([folder], settings=settings)
    assert [a.path.name for a in report.accepted] == [A]
    after = _statements(settings)
    assert len(before) >= 5 and before == after


@pytest.mark.skipif(not DEV_DOCS.is_dir(), reason="../shared/eval/dev is not beside the repository")
def test_the_seeds_and_the_unseen_reports_built_one_by_one_in_any_order_make_one_build(tmp_path: Path) -> None:
    """Cross-document resolution stays consistent: every document built alone, in reverse
    order and then with the first ones rebuilt, gives the graph one build gives (up to the
    ingestion times, which say when)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in [*SEEDS.glob("*.txt"), *DEV_DOCS.glob("*.txt")]:
        shutil.copy(f, docs)
    files = sorted(docs.iterdir())
    assert len(files) >= 10
    together, apart = Settings(out_dir=tmp_path / "together"), Settings(out_dir=tmp_path / "apart")
    build([docs], settings=together)
    for f in reversed(files):
        build([f], settings=apart)
    build(files[:3], settings=apart, reextract=True)
    assert _quads(together) == _quads(apart)


def test_a_build_stopped_before_its_batch_was_marked_complete_is_redone(tmp_path: Path) -> None:
    """New documents' graphs go in by the store's bulk path, which is not atomic; what
    marks a document complete (its kg:extractor) is written after. A store as a run stopped
    in between leaves it (graphs without their mark, one of them cut in half) is rebuilt
    into what one clean build makes."""
    from rdflib import URIRef

    from kg import iris
    from kg.pipeline import load_ontology
    from kg.vocab import KG

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (A, B):
        shutil.copy(SEEDS / name, docs)
    clean = Settings(out_dir=tmp_path / "clean")
    build([docs], settings=clean)
    stopped = Settings(out_dir=tmp_path / "stopped")
    source, target = open_store(clean.store_path, read_only=True), open_store(stopped.store_path)
    try:
        load_ontology(target, stopped)
        graphs = [g for g in source.graphs() if g != iris.SHARED_GRAPH and "/graph/" in str(g)]
        assert len(graphs) == 2
        left: list[tuple[URIRef, list]] = [(iris.SHARED_GRAPH, source.graph_triples(iris.SHARED_GRAPH))]
        for i, g in enumerate(graphs):
            triples = sorted(t for t in source.graph_triples(g) if t[1] != KG.extractor)
            left.append((g, triples[: len(triples) // 2] if i else triples))
        target.bulk_add(left)
    finally:
        source.close()
        target.close()
    again = build([docs], settings=stopped)
    assert again.documents == 2 and not again.unchanged and not again.skipped
    assert _quads(stopped) == _quads(clean)


def test_extraction_in_two_processes_builds_what_one_builds(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """kg build --workers 2: the documents are extracted in two processes, this one and
    another (tasks of a few documents in turn, results in order), and written by this
    one; the graph is the same."""
    import kg.extract

    docs = tmp_path / "docs"
    docs.mkdir()
    for path in [*SEEDS.glob("*.txt"), *sorted(DEV_DOCS.glob("*.txt"))[:3]]:
        shutil.copy(path, docs)
    one = Settings(out_dir=tmp_path / "one")
    two = Settings(out_dir=tmp_path / "two", workers=2)
    first = build([docs], settings=one)
    monkeypatch.setattr(kg.extract, "WORKER_DOCUMENTS", 2)  # 8 documents: four tasks, two processes
    second = build([docs], settings=two)
    assert first.documents == second.documents == 8 and not second.skipped
    assert [a.path.name for a in first.accepted] == [a.path.name for a in second.accepted]
    assert _quads(one) == _quads(two)

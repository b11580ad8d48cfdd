"""Nothing lost, nobody blocked: a hostile corpus built into a store that holds the
seeds. Kind by kind, a bad file is skipped with a message naming it and its problem,
a good one is built, and every seed document's triples are unchanged.

The small inputs are files in tests/data/hostile/; the large or special ones (a FIFO,
a device, a sparse 6 MB file, a line of over a million characters, front matter over
its size limit, a dangling symlink) are made here, at test time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg import iris
from kg.config import Settings
from kg.pipeline import BuildReport, build
from kg.store import open_store
from kg.vocab import KG

from .conftest import DATA, copy_seeds

HOSTILE = DATA / "hostile"
BODY = "Le 3 mars 2024, les rebelles du M23 ont attaqué la ville de Sake, au Nord-Kivu.\n"

# file (relative to the corpus) -> the problem the build report gives, or None: built
EXPECTED: dict[str, str | None] = {
    "bad_month.txt": "publication date '2024-13-45' is not a date",
    "future_date.txt": "publication date 2999-01-01 is in the future",
    "not_a_date.txt": "publication date 'hier soir' is not a date",
    "nested_front_matter.txt": "nested deeper than",
    "nested_mapping.txt": "nested deeper than",
    "alias_bomb.txt": "aliases (*name) are not accepted",
    "front_matter_list.txt": "front matter must be a mapping",
    "title_mapping.txt": "'title' must be a single value",
    "bad_language.txt": "is not a language code",
    "bad_yaml.txt": "front matter is not valid YAML",
    "only_front_matter.txt": "has front matter but no text",
    "empty.txt": "is empty",
    "blank.txt": "is empty",
    "binary.txt": "looks binary",
    "latin1.txt": "is not UTF-8",
    "utf16.txt": "is UTF-16, not UTF-8",
    "sidecar_nested.meta.json": "metadata file cannot be read as JSON: RecursionError",
    "sidecar_bad.meta.json": "metadata file cannot be read as JSON",
    "same_name/a/rapport.txt": None,
    "same_name/b/rapport.txt": None,
    "twins/twin_1.txt": None,  # twin_2.txt has the same text: one document, two files
    "clash/004_e8e6c24dbf05cbc7.txt": None,  # a seed's name, another text: another document
    "control_chars.txt": None,
    "injection.txt": None,
    "crlf_front_matter.txt": None,
    "unclosed_front_matter.txt": None,  # no closing '---': all of it is text
    # made at test time
    "fifo.txt": "is not a regular file (a FIFO",
    "zero.txt": "is not a regular file (a device)",
    "big.txt": "over the limit of 1,000,000",
    "long_line.txt": None,  # one line of 950,000 characters: parsed in chunks of 100,000
    "zero_width.txt": "has no visible text",
    "date_junk.txt": "publication date '2024-01-01 garbage' is not a date",
    "hour_25.txt": "publication date '2024-01-01T25:00:00' is not a date",
    "utf16_no_bom.txt": "is UTF-16, not UTF-8",
    "loop_a.txt": "is a loop of symbolic links",
    "L" * 240 + ".txt": None,  # a long name: its sidecar's name would be too long, it has none
    "binary_title.txt": "'title' must be text",
    "huge_front_matter.txt": "over the limit of 65,536",
    "dangling.txt": "cannot be read",
    "missing.txt": "no such file or folder",
}


def _corpus(dest: Path) -> Path:
    shutil.copytree(HOSTILE, dest)
    os.mkfifo(dest / "fifo.txt")
    (dest / "zero.txt").symlink_to("/dev/zero")
    with open(dest / "big.txt", "wb") as f:  # sparse: 2 MB on paper, nothing on disk
        f.truncate(2_000_000)
    (dest / "long_line.txt").write_text(BODY + "x" * 950_000 + "\n" + BODY.replace("Sake", "Goma"),
                                        encoding="utf-8")
    (dest / "huge_front_matter.txt").write_text("---\ntitle: " + "a" * 70_000 + "\n---\n" + BODY,
                                                encoding="utf-8")
    (dest / "dangling.txt").symlink_to(dest / "nowhere" / "gone.txt")
    (dest / "zero_width.txt").write_text("\u200b\u200b\ufeff\u2060\n", encoding="utf-8")
    (dest / "date_junk.txt").write_text("---\ndate: 2024-01-01 garbage\n---\n" + BODY, encoding="utf-8")
    (dest / "hour_25.txt").write_text("---\ndate: 2024-01-01T25:00:00\n---\n" + BODY, encoding="utf-8")
    (dest / "utf16_no_bom.txt").write_bytes(BODY.encode("utf-16-le"))
    (dest / "loop_a.txt").symlink_to(dest / "loop_b.txt")
    (dest / "loop_b.txt").symlink_to(dest / "loop_a.txt")
    (dest / ("L" * 240 + ".txt")).write_text(BODY.replace("Sake", "Kibumba"), encoding="utf-8")
    (dest / "binary_title.txt").write_text("---\ntitle: !!binary aGVsbG8=\n---\n" + BODY, encoding="utf-8")
    (dest / os.fsdecode(b"bad\xff\xfename.txt")).write_text(BODY.replace("Sake", "Rubaya"), encoding="utf-8")
    return dest


def _graphs(settings: Settings) -> dict[URIRef, set[object]]:
    store = open_store(settings.store_path, read_only=True)
    try:
        return {g: set(store.graph_triples(g)) for g in store.graphs()}
    finally:
        store.close()


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[Settings, Path, dict[URIRef, set[object]], BuildReport]:
    root = tmp_path_factory.mktemp("hostile")
    settings = replace(Settings(), out_dir=root / "out")
    seeds = copy_seeds(root / "seeds")
    build([seeds], settings=settings)
    before = _graphs(settings)
    corpus = _corpus(root / "corpus")
    report = build([corpus, corpus / "zero.txt", corpus / "missing.txt"], settings=settings)
    return settings, corpus, before, report


def _problem(report: BuildReport, path: Path) -> str | None:
    for s in report.skipped:
        if s.path == path or s.path.name == path.name and s.path.parent.name == path.parent.name:
            return s.problem
    return None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_costs_only_itself(hostile_build, name: str) -> None:  # type: ignore[no-untyped-def]
    _, corpus, _, report = hostile_build
    path = corpus / name
    expected = EXPECTED[name]
    problem = _problem(report, path)
    if expected is None:
        assert problem is None, problem
        assert any(a.path == path for a in report.accepted), f"{name} was not built"
    else:
        assert problem is not None, f"{name} was not skipped"
        assert expected in problem


def test_a_file_name_that_is_not_utf8_is_built_and_reported(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, corpus, _, report = hostile_build
    path = corpus / os.fsdecode(b"bad\xff\xfename.txt")
    assert any(a.path == path for a in report.accepted)
    data = json.loads((settings.out_dir / "build-report.json").read_text(encoding="utf-8"))
    assert "bad\ufffd\ufffdname.txt" in {Path(a["file"]).name for a in data["accepted"]}


def test_the_seeds_are_untouched(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, _, before, _ = hostile_build
    after = _graphs(settings)
    for graph, triples in before.items():
        if graph.endswith("/inferred"):
            continue
        if graph == iris.SHARED_GRAPH:  # the new documents' names and times join the seeds'
            assert triples <= after[graph]
            continue
        assert after.get(graph) == triples, f"{graph} changed"


def test_same_name_in_two_folders_is_two_documents(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, corpus, _, report = hostile_build
    built = {a.path: a for a in report.accepted}
    a, b = built[corpus / "same_name/a/rapport.txt"], built[corpus / "same_name/b/rapport.txt"]
    assert a.graph != b.graph
    graphs = _graphs(settings)
    assert URIRef(a.graph) in graphs and URIRef(b.graph) in graphs


def test_same_text_under_two_names_is_one_document_listing_both(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, corpus, _, report = hostile_build
    twin = next(a for a in report.accepted if a.path == corpus / "twins/twin_1.txt")
    assert any("twin_2.txt" in n and "same text" in n for n in twin.notes)
    sources = {o for _, p, o in _graphs(settings)[URIRef(twin.graph)] if p == KG.sourceFile}
    assert sources == {URIRef((corpus / "twins" / n).resolve().as_uri()) for n in ("twin_1.txt", "twin_2.txt")}


def test_a_seed_name_in_another_folder_is_noted_and_kept_apart(hostile_build) -> None:  # type: ignore[no-untyped-def]
    _, corpus, _, report = hostile_build
    clash = next(a for a in report.accepted if a.path == corpus / "clash/004_e8e6c24dbf05cbc7.txt")
    assert any("is another document, kept" in n for n in clash.notes)


def test_a_long_line_is_built_in_chunks_with_its_events(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, corpus, _, report = hostile_build
    doc = next(a for a in report.accepted if a.path == corpus / "long_line.txt")
    labels = {str(o) for _, p, o in _graphs(settings)[URIRef(doc.graph)] if isinstance(o, Literal)}
    assert "Goma" in labels and "Sake" in labels  # both ends of the text were read


def test_injection_is_stored_verbatim(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, corpus, _, report = hostile_build
    doc = next(a for a in report.accepted if a.path == corpus / "injection.txt")
    texts = {str(o) for _, _, o in _graphs(settings)[URIRef(doc.graph)] if isinstance(o, Literal)}
    assert any('"> } ; DROP GRAPH <x> ; #"' in t for t in texts)


def test_the_build_report_file_lists_accepted_and_skipped(hostile_build) -> None:  # type: ignore[no-untyped-def]
    settings, _, _, report = hostile_build
    data = json.loads((settings.out_dir / "build-report.json").read_text(encoding="utf-8"))
    assert {s["file"] for s in data["skipped"]} == {str(s.path) for s in report.skipped}
    assert len(data["accepted"]) == len(report.accepted) and data["store"]["documents"] >= 5 + 9
    assert all(s["problem"] for s in data["skipped"])


def test_a_changed_file_replaces_its_own_graph_only(tmp_path: Path) -> None:
    settings = replace(Settings(), out_dir=tmp_path / "out")
    for folder, text in (("a", BODY), ("b", BODY.replace("Sake", "Goma"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rapport.txt").write_text(text, encoding="utf-8")
    build([tmp_path / "a", tmp_path / "b"], settings=settings)
    (tmp_path / "a" / "rapport.txt").write_text(BODY.replace("Sake", "Rutshuru"), encoding="utf-8")
    report = build([tmp_path / "a"], settings=settings)
    assert any("replaces the earlier text of this file" in n for n in report.accepted[0].notes)
    store = open_store(settings.store_path, read_only=True)
    try:
        names = store.query("SELECT ?f WHERE { GRAPH ?g { ?d a kg:Document ; kg:sourceFile ?f } }").rows
    finally:
        store.close()
    assert sorted(str(r["f"]).rsplit("/", 2)[-2] for r in names) == ["a", "b"]  # one each, b kept


def test_kg_build_exits_2_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "docs" / "bad.txt").write_text("---\ndate: 2024-13-45\n---\n" + BODY, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(tmp_path / "docs"),
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"skipped {tmp_path / 'docs' / 'bad.txt'}: publication date '2024-13-45' is not a date" in proc.stderr
    assert "built 1 document(s)" in proc.stdout
    report = json.loads((tmp_path / "out" / "build-report.json").read_text(encoding="utf-8"))
    assert [s["file"] for s in report["skipped"]] == [str(tmp_path / "docs" / "bad.txt")]


def test_a_link_to_a_document_or_its_text_with_other_metadata_changes_nothing_of_it(tmp_path: Path) -> None:
    settings = replace(Settings(), out_dir=tmp_path / "out")
    (tmp_path / "a").mkdir()
    first = tmp_path / "a" / "rapport.txt"
    first.write_text("---\ntitle: Rapport du jour\ndate: 2024-03-04\n---\n" + BODY, encoding="utf-8")
    build([tmp_path / "a"], settings=settings)
    before = _graphs(settings)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "lien.txt").symlink_to(first)  # the same file under another name
    (tmp_path / "b" / "copie.txt").write_text("---\ntitle: PWNED\ndate: 1999-01-01\n---\n" + BODY, encoding="utf-8")
    report = build([tmp_path / "b"], settings=settings)
    after = _graphs(settings)
    graph = next(g for g in before if "/graph/" in str(g))
    gained = after[graph] - before[graph]
    assert before[graph] - after[graph] == set()  # nothing of it lost or rewritten
    assert {p for _, p, _ in gained} == {KG.sourceFile}  # it only learns its second file
    link = next(a for a in report.accepted if a.path.name == "lien.txt")
    assert any("same text as" in n and "built before" in n for n in link.notes)
    copy = next(a for a in report.accepted if a.path.name == "copie.txt")
    assert URIRef(copy.graph) != graph  # other metadata: another document


def test_an_output_file_that_is_a_folder_stops_before_the_store_changes(tmp_path: Path) -> None:
    from kg.errors import KgError

    settings = replace(Settings(), out_dir=tmp_path / "out")
    (settings.out_dir / "graph.trig").mkdir(parents=True)
    (tmp_path / "doc.txt").write_text(BODY, encoding="utf-8")
    with pytest.raises(KgError, match="graph.trig is a folder"):
        build([tmp_path / "doc.txt"], settings=settings)
    assert not settings.store_path.exists()

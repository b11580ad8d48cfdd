"""Validation: the shapes against the ontology, one case per shape (data files), the
seeds' report, per-document against full validation, the reasoner, the CLI's exit
status and the HTML report in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH

from kg import iris
from kg.cli import main
from kg.config import Settings
from kg.pipeline import load_ontology
from kg.reason import INFERRED_GRAPH, reason
from kg.store import open_store
from kg.validate import load_shapes, render, validate
from kg.vocab import ONTOLOGY_IRI

from .browser import browser, driver

DATA = Path(__file__).parent / "data" / "validate"
SETTINGS = Settings()
ONTO = Graph().parse(SETTINGS.ontology_file, format="turtle")
SHAPES = load_shapes(SETTINGS.shapes_file).graph
CLEAN = (DATA / "clean.ttl").read_text(encoding="utf-8")
PREFIXES = "".join(line + "\n" for line in CLEAN.splitlines() if line.startswith("@prefix"))
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
CASE_GRAPH = iris.graph("validation-case")


# ---------------------------------------------------------------- shapes vs ontology

def _iris_in_paths(node: object) -> set[URIRef]:
    if isinstance(node, URIRef):
        return {node}
    out: set[URIRef] = set()
    for _, o in SHAPES.predicate_objects(node):  # type: ignore[arg-type]
        if isinstance(o, (URIRef, BNode)) and o != RDF.nil:
            out |= _iris_in_paths(o)
    return out


def test_every_path_class_and_target_exists_in_the_ontology() -> None:
    known = set(ONTO.subjects()) | {RDF.type}
    external = ("http://www.w3.org/2004/02/skos/core#", "http://semanticweb.cs.vu.nl/2009/11/sem/",
                "http://www.w3.org/2003/01/geo/wgs84_pos#", "http://www.w3.org/ns/prov#",
                "http://www.w3.org/2000/01/rdf-schema#")
    for prop in (SH.path, SH["class"], SH.targetClass):
        for shape, value in SHAPES.subject_objects(prop):
            for term in _iris_in_paths(value):
                if not str(term).startswith(external):  # another vocabulary's term is its own
                    assert term in known, f"{shape}: {prop} {term} is unknown"


def test_every_class_of_the_ontology_has_a_shape() -> None:
    classes = {c for c in ONTO.subjects(RDF.type, OWL.Class) if str(c).startswith(ONTOLOGY_IRI)}
    targeted = set(SHAPES.objects(None, SH.targetClass))
    assert classes - targeted == set()


def test_every_shape_speaks_english_and_french() -> None:
    shapes = set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    for shape in shapes:
        for prop in (SH.name, SH.description, SH.message):
            langs = {o.language for o in SHAPES.objects(shape, prop) if isinstance(o, Literal)}
            assert {"en", "fr"} <= langs, f"{shape} lacks {prop} in English or French"


# ---------------------------------------------------------------- one case per shape

def _case_store(tmp_path: Path, case: dict[str, str] | None):  # type: ignore[no-untyped-def]
    g = Graph().parse(data=CLEAN, format="turtle")
    if case:
        g -= Graph().parse(data=PREFIXES + case.get("remove", ""), format="turtle")
        g += Graph().parse(data=PREFIXES + case.get("add", ""), format="turtle")
    store = open_store(tmp_path / "store")
    load_ontology(store, SETTINGS)
    store.replace_graph(CASE_GRAPH, list(g))  # type: ignore[arg-type]
    return store


def _names(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.name["en"] for f in report.findings}


def test_the_clean_graph_has_no_finding(tmp_path: Path) -> None:
    store = _case_store(tmp_path, None)
    try:
        report, shacl = validate(store, settings=SETTINGS)
    finally:
        store.close()
    assert report.findings == (), [f.name["en"] for f in report.findings]
    assert report.conforms
    assert (None, SH.conforms, Literal(True)) in shacl


def test_every_named_shape_has_a_case() -> None:
    named = {str(o) for s, o in SHAPES.subject_objects(SH.name) if getattr(o, "language", None) == "en"
             and ((s, SH.path, None) in SHAPES or (s, SH.sparql, None) in SHAPES
                  or (s, SH["in"], None) in SHAPES and (s, SH.property, None) not in SHAPES)}
    covered = {c["shape"] for c in CASES}
    # the closed value sets (sh:in on kg:Fate ...) are checked through the properties that use them
    assert named - covered <= {"Kind of support", "Fate", "Date precision", "Date basis",
                               "Malformed end offset", "Malformed start", "Malformed end",
                               "Malformed ingestion time", "Document without file name",
                               "Document without hash", "Evidence without document",
                               "Actor without a label", "Actor with no evidence",
                               "Person without a label", "Person with no evidence",
                               "Place without a label", "Impossible longitude",
                               "Impossible surrendered count", "Date without precision",
                               "Date without basis"}, named - covered


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["shape"])
def test_case_triggers_its_shape(tmp_path: Path, case: dict[str, str]) -> None:
    store = _case_store(tmp_path, case)
    try:
        report, _ = validate(store, settings=SETTINGS)
    finally:
        store.close()
    assert case["shape"] in _names(report), _names(report)
    found = next(f for f in report.findings if f.name["en"] == case["shape"])
    assert found.message["fr"] and found.action["en"] and found.action["fr"]


# ---------------------------------------------------------------- the seeds

@pytest.fixture(scope="module")
def seed_report(seed_build):  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    try:
        yield validate(store, settings=settings)
    finally:
        store.close()


def test_niafunke_is_flagged_for_its_unknown_year(seed_report) -> None:  # type: ignore[no-untyped-def]
    report, _ = seed_report
    hits = [f for f in report.findings if f.name["en"] == "Engagement of unknown year"]
    assert any("Niafounke" in (f.sentence or "") and f.document and f.document.startswith("002")
               for f in hits), hits
    f = next(f for f in hits if "Niafounke" in (f.sentence or ""))
    assert f.severity == "Warning" and f.action["en"] == "Set the year."


def test_seed_report_names_the_contested_niafunke_engagement(seed_report) -> None:  # type: ignore[no-untyped-def]
    report, _ = seed_report
    contested = [f for f in report.findings if f.name["en"] == "Contested engagement"]
    assert any("Niafounke" in (f.sentence or "") for f in contested)
    assert all(f.document and f.sentence for f in report.findings if f.severity == "Violation")


def test_build_writes_the_reports(seed_build, seed_validation) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    assert seed_validation.findings
    assert (settings.out_dir / "validation.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    shacl = Graph().parse(settings.out_dir / "validation.ttl", format="turtle")
    assert len(set(shacl.subjects(RDF.type, SH.ValidationResult))) == len(seed_validation.findings)


def test_per_document_validation_finds_what_full_validation_finds(seed_build, seed_report) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    full, _ = seed_report
    store = open_store(settings.store_path, read_only=True)
    try:  # each document checked on its nodes' neighbourhood alone, not a copy of the store
        per_doc: set[tuple[str, str, str | None]] = set()
        for graph in store.graphs():
            report, _ = validate(store, settings=settings, graphs=[graph])
            assert report.focus_nodes
            per_doc |= {(f.shape, f.focus, f.value) for f in report.findings}
    finally:
        store.close()
    assert per_doc == {(f.shape, f.focus, f.value) for f in full.findings}


class Steps:
    """What a progress bar is told (kg.validate.Steps)."""

    def __init__(self) -> None:
        self.planned, self.begun, self.planned_before_first = 0, [], 0

    def plan(self, steps: int) -> None:
        self.planned += steps

    def begin(self, what: str) -> None:
        if not self.begun:
            self.planned_before_first = self.planned
        self.begun.append(what)


def test_the_bar_follows_the_steps_of_one_document(seed_build, capsys) -> None:  # type: ignore[no-untyped-def]
    """Validating one document: read what it touches, pySHACL, each SPARQL check, then
    describe; the bar on the terminal ends full, at the steps planned."""
    from kg.validate import Bar

    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    steps = Steps()
    try:
        graph = next(g for g in store.graphs() if iris.is_document_graph(g))
        validate(store, settings=settings, graphs=[graph], steps=steps)
        bar = Bar()
        validate(store, settings=settings, graphs=[graph], steps=bar)
        bar.close()
    finally:
        store.close()
    checks = len(load_shapes(settings.shapes_file).checks)
    assert steps.planned == len(steps.begun) == 3 + checks
    assert steps.begun[0].startswith("reading what 1 document") and steps.begun[1].startswith("SHACL on ")
    assert steps.begun[2].startswith("SPARQL check ") and steps.begun[-1].startswith("describing")
    shown = capsys.readouterr().err
    assert "validating" in shown and f"{3 + checks}/{3 + checks}" in shown


def test_full_validation_in_batches_finds_what_one_pass_finds(seed_build, seed_report) -> None:  # type: ignore[no-untyped-def]
    """A large store is validated a few graphs at a time (memory holds one batch, not a
    copy of the store); here about 2,000 triples at a time: the same findings, and the
    same SHACL results."""
    import dataclasses

    settings, _ = seed_build
    full, full_shacl = seed_report
    store = open_store(settings.store_path, read_only=True)
    steps = Steps()
    try:
        assert len(store) > 8_000  # so a few graphs a batch
        batched, shacl = validate(store, settings=dataclasses.replace(settings, validate_max_triples=2_000),
                                  steps=steps)
    finally:
        store.close()
    # the bar's length is known before the first batch: each batch's steps, planned up front
    assert steps.planned_before_first == steps.planned == len(steps.begun)
    assert sum(b.startswith("SHACL") for b in steps.begun) > 2 and steps.begun[-1].startswith("describing")
    key = lambda f: (f.shape, f.focus, f.path, f.value, f.severity)
    assert sorted(map(key, batched.findings)) == sorted(map(key, full.findings))
    assert len(set(shacl.subjects(RDF.type, SH.ValidationResult))) == len(batched.findings)
    assert len(set(full_shacl.subjects(RDF.type, SH.ValidationResult))) == len(full.findings)


def test_reports_in_every_format(seed_report) -> None:  # type: ignore[no-untyped-def]
    report, shacl = seed_report
    data = json.loads(render(report, "json", shacl))
    assert data["summary"]["counts"]["Violation"] == report.count("Violation")
    md = render(report, "md", shacl)
    assert "## Warning: Engagement of unknown year" in md and "> Le JNIM" in md
    ttl = Graph().parse(data=render(report, "ttl", shacl), format="turtle")
    assert (None, SH.conforms, Literal(False)) in ttl


# ---------------------------------------------------------------- the reasoner

def test_reasoner_infers_into_its_own_graph(tmp_path: Path) -> None:
    store = _case_store(tmp_path, None)
    try:
        outcome = reason(store, settings=SETTINGS, timeout=240)
        assert outcome.consistent, outcome.problem
        inferred = set(store.graph_triples(URIRef(INFERRED_GRAPH)))
        case = set(store.graph_triples(CASE_GRAPH))
    finally:
        store.close()
    peng, mndaa = iris.entity("person", "peng"), iris.entity("actor", "mndaa")
    kg = ONTOLOGY_IRI + "#"
    assert (mndaa, URIRef(kg + "commandedBy"), peng) in inferred  # owl:inverseOf
    assert (mndaa, URIRef(kg + "commandedBy"), peng) not in case  # never mixed with the facts
    assert any(p == RDF.type and str(o).endswith("Bundle") for _, p, o in inferred)  # marked as inferred


def test_reasoner_finds_a_person_who_is_an_armed_group(tmp_path: Path) -> None:
    case = {"add": "id:person\\/peng a kg:ArmedGroup ."}
    store = _case_store(tmp_path, case)
    try:
        outcome = reason(store, settings=SETTINGS, timeout=240)
        assert not outcome.consistent
        assert URIRef(INFERRED_GRAPH) not in store.graphs()
    finally:
        store.close()


# ---------------------------------------------------------------- the command

def test_cli_exit_status_gates_on_violations(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store = _case_store(tmp_path / "clean", None)
    store.close()
    assert main(["validate", "--store", str(tmp_path / "clean" / "store"), "--format", "json"]) == 0
    store = _case_store(tmp_path / "bad", CASES[0])
    store.close()
    out = tmp_path / "report.md"
    assert main(["validate", "--store", str(tmp_path / "bad" / "store"), "--out", str(out)]) == 1
    assert "Engagement with no agent" in out.read_text(encoding="utf-8")
    # a warning alone does not fail the gate
    store = _case_store(tmp_path / "warn", next(c for c in CASES if c["shape"] == "Place with no coordinates"))
    store.close()
    assert main(["validate", "--store", str(tmp_path / "warn" / "store"), "--format", "md"]) == 0
    capsys.readouterr()


# ---------------------------------------------------------------- the page

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'


@browser
def test_html_report_shows_filters_and_stays_inert(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    case = {"remove": 'id:engagement\\/e1 kg:agent id:actor\\/mndaa . '
                      'id:actor\\/tatmadaw kg:evidence id:evidence\\/d1\\/0-10 ; skos:prefLabel "Tatmadaw"@fr .',
            "add": (f'id:actor\\/tnla skos:altLabel "mndaa"@fr . '
                    f'id:actor\\/tatmadaw skos:prefLabel {json.dumps(HOSTILE)}@fr .')}
    store = _case_store(tmp_path, case)
    try:
        report, shacl = validate(store, settings=SETTINGS)
    finally:
        store.close()
    page = tmp_path / "validation.html"
    page.write_text(render(report, "html", shacl), encoding="utf-8")
    web = driver()
    try:
        web.get(page.as_uri())
        rows = web.find_elements(By.CSS_SELECTOR, "#findings tbody tr")
        assert len(rows) == len(report.findings) >= 2
        Select(web.find_element(By.ID, "f-severity")).select_by_value("Info")
        rows = web.find_elements(By.CSS_SELECTOR, "#findings tbody tr")
        assert len(rows) == report.count("Info") and all("Info" in r.text for r in rows)
        Select(web.find_element(By.ID, "f-severity")).select_by_value("")
        web.find_element(By.CSS_SELECTOR, 'th[data-key="shape"]').click()
        shapes = [r.find_elements(By.TAG_NAME, "td")[1].text
                  for r in web.find_elements(By.CSS_SELECTOR, "#findings tbody tr")]
        assert shapes == sorted(shapes, key=str.lower)
        cells = [td.text for td in web.find_elements(By.CSS_SELECTOR, "#findings tbody td")]
        assert HOSTILE in cells  # shown as text
        # each finding links to the correction that would fix it, ready to paste into curation/
        snippets = [p.get_attribute("textContent") for p in
                    web.find_elements(By.CSS_SELECTOR, "#findings tbody details.fix pre")]
        assert "- correct: engagement/e1\n  agents: [NAME]" in "\n".join(snippets)
        web.find_element(By.CSS_SELECTOR, "#findings tbody details.fix summary").click()
        assert web.find_element(By.CSS_SELECTOR, "#findings tbody details.fix pre").is_displayed()
        assert web.execute_script("return window.__pwned") is None
        assert web.execute_script("return document.querySelectorAll('tbody script, tbody img').length") == 0
    finally:
        web.quit()


def test_rebuilding_a_changed_document_drops_the_stale_inferences(tmp_path: Path) -> None:
    from kg.pipeline import build

    from .conftest import copy_seeds

    docs = copy_seeds(tmp_path / "docs")
    settings = Settings(out_dir=tmp_path / "out")
    build([docs], settings=settings)
    store = open_store(settings.store_path)
    try:
        assert reason(store, settings=settings, timeout=240).consistent
        assert URIRef(INFERRED_GRAPH) in store.graphs()
    finally:
        store.close()
    build([docs], settings=settings)  # nothing changed: the inferences stay
    store = open_store(settings.store_path, read_only=True)
    assert URIRef(INFERRED_GRAPH) in store.graphs()
    store.close()
    first = min(docs.glob("*.txt"))
    first.write_text(first.read_text(encoding="utf-8") + "\nLe MNDAA attaque Laukkai.\n", encoding="utf-8")
    build([docs], settings=settings)
    store = open_store(settings.store_path, read_only=True)
    try:
        assert URIRef(INFERRED_GRAPH) not in store.graphs()
    finally:
        store.close()


def test_pyshacl_looks_its_constraint_parameters_up_in_kgs_set(seed_report) -> None:  # type: ignore[no-untyped-def]
    """kg hands pySHACL its own list of constraint parameters, looked up as a set. If a
    pySHACL release stops reading it (renames the module attribute) or changes the list,
    this fails: the speed-up would be lost or the parameters differ."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    from kg.validate.checks import _Parameters

    params = pyshacl.shape.CONSTRAINT_PARAMS[0]  # type: ignore[attr-defined]
    assert isinstance(params, _Parameters)
    assert list(params) == list(ALL_CONSTRAINT_PARAMETERS)
    assert SH.minCount in params and SH.targetClass not in params
    assert "module" in vars(pyshacl.shape) and "CONSTRAINT_PARAMS" in pyshacl.shape.Shape.validate.__code__.co_consts


def test_one_reports_findings_quote_that_report(seed_build) -> None:  # type: ignore[no-untyped-def]
    """Validating one report, a finding about a node that the report names shows that
    report's sentence, not the first of every report that names it (read in its graph
    alone: an actor named by thousands of reports is not read in all of them)."""
    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    checked = 0
    try:
        for graph in [g for g in store.graphs() if iris.is_document_graph(g)]:
            report, _ = validate(store, settings=settings, graphs=[graph])
            for f in report.findings:
                ask = f"ASK {{ GRAPH {graph.n3()} {{ {URIRef(f.focus).n3()} kg:evidence ?e }} }}"
                if store.query(ask).boolean:
                    assert f.document in (report.documents or ()), (f.focus, f.document, report.documents)
                    checked += 1
    finally:
        store.close()
    assert checked


def _results(shapes: Graph, data: Graph) -> set[tuple[object, ...]]:
    import pyshacl

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_infos=True, allow_warnings=True)
    return {tuple(report.value(r, p) for p in (SH.focusNode, SH.sourceShape, SH.resultPath, SH.value,
                                                SH.sourceConstraintComponent, SH.resultSeverity))
            for r in report.subjects(RDF.type, SH.ValidationResult)}


def test_property_shapes_given_their_node_shapes_targets_find_the_same(seed_build) -> None:  # type: ignore[no-untyped-def]
    """pySHACL validates a held property shape once per focus node, one with targets once
    for all: kg gives each property shape its node shape's targets (``_hoist``). Over the
    seeds' graph, pySHACL finds the same results either way; a shape held by a
    deactivated node shape or by two shapes, or by one without targets, stays held."""
    from kg.validate.checks import _hoist, data_graph

    settings, _ = seed_build
    shapes = load_shapes(settings.shapes_file)
    held = Graph()
    for t in shapes.graph:
        if t[1] != SH.sparql and t[0] not in set(shapes.graph.objects(None, SH.sparql)):
            held.add(t)
    assert set(held.subject_objects(SH.property)) and not any(
        t for t in shapes.core.triples((None, SH.property, None)) if (t[0], SH.targetClass, None) in shapes.core)
    store = open_store(settings.store_path, read_only=True)
    try:
        data = data_graph(store)
    finally:
        store.close()
    found = _results(shapes.core, data)
    assert found and found == _results(held, data)

    ex = "https://example.org/"
    g = Graph()

    def held_by(node: str, prop: str, *more: tuple[URIRef, object]) -> None:
        g.add((URIRef(ex + node), SH.property, URIRef(ex + prop)))
        g.add((URIRef(ex + prop), SH.path, URIRef(ex + "p")))
        for p, o in more:
            g.add((URIRef(ex + node), p, o))  # type: ignore[arg-type]

    held_by("A", "Plain", (SH.targetClass, URIRef(ex + "C")))
    held_by("A", "Shared")
    held_by("B", "Shared", (SH.targetNode, URIRef(ex + "n")))
    held_by("Off", "OffProp", (SH.targetClass, URIRef(ex + "C")), (SH.deactivated, Literal(True)))
    held_by("Untargeted", "UntargetedProp")
    held_by("A", "Listed")
    g.add((BNode(), RDF.first, URIRef(ex + "Listed")))  # also in an sh:or list
    _hoist(g)
    kept = (("Off", "OffProp"), ("Untargeted", "UntargetedProp"), ("A", "Listed"))
    assert set(g.subject_objects(SH.property)) == {(URIRef(ex + n), URIRef(ex + p)) for n, p in kept}
    assert set(g.predicate_objects(URIRef(ex + "Plain"))) >= {(SH.targetClass, URIRef(ex + "C"))}
    assert set(g.predicate_objects(URIRef(ex + "Shared"))) >= {(SH.targetClass, URIRef(ex + "C")),
                                                                 (SH.targetNode, URIRef(ex + "n"))}

"""Exports read by consumers we did not write: networkx and python-igraph read the
GraphML, lxml validates the GEXF against the official XSD, JSON parsers read Cytoscape
JSON and GeoJSON, and headless Chromium renders the page. Hostile labels survive every
format and stay inert in the page."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import igraph
import networkx as nx
import pytest
from lxml import etree
from rdflib import Literal
from rdflib.namespace import GEO, RDF, SKOS, XSD

from kg import iris
from kg.export import EXPORTERS, export
from kg.export.network import clean
from kg.pages import embed_json
from kg.pipeline import load_ontology
from kg.store import open_store
from kg.vocab import KG, SEM, WGS

from .browser import browser
from .browser import driver as _driver

GEXF_XSD = Path(__file__).parent / "data" / "schemas" / "gexf-1.2draft" / "gexf.xsd"
HOSTILE = "<script>window.__pwned=1</script> & \"Front\" 'd’Arakan' \x07ကချင် မြန်မာ"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A small graph whose labels carry XML and HTML specials, a control character and
    Burmese script; written through the real store."""
    path = tmp_path_factory.mktemp("hostile") / "store"
    store = open_store(path)
    from kg.config import Settings

    load_ontology(store, Settings())
    doc, g = iris.document("h1"), iris.graph("h1")
    a, b = iris.entity("actor", "hostile"), iris.entity("actor", "other")
    place, ev, e = iris.entity("place", "spot"), iris.evidence("h1", 0, 5), iris.statement("engagement", "h1")
    t = iris.statement("time", "h1")
    triples = [
        (doc, RDF.type, KG.Document), (doc, KG.fileName, Literal("h1.txt")),
        (a, RDF.type, KG.ArmedGroup), (a, SKOS.prefLabel, Literal(HOSTILE, lang="fr")),
        (b, RDF.type, KG.StateForce), (b, SKOS.prefLabel, Literal("Tatmadaw", lang="fr")),
        (a, KG.evidence, ev), (b, KG.evidence, ev), (ev, KG.inDocument, doc),
        (ev, KG.quote, Literal(HOSTILE)), (ev, KG.sentence, Literal("Le " + HOSTILE + " attaque.")),
        (place, RDF.type, KG.Town), (place, SKOS.prefLabel, Literal("Lashio", lang="fr")),
        (place, WGS.lat, Literal("22.9359", datatype=XSD.decimal)),
        (place, WGS.long, Literal("97.7498", datatype=XSD.decimal)),
        (place, GEO.hasGeometry, iris.statement("geometry", "spot")),
        (e, RDF.type, KG.Attack), (e, KG.agent, a), (e, KG.target, b), (e, KG.place, place),
        (e, KG.evidence, ev), (e, SEM.hasTime, t), (t, KG.date, Literal("2023-10-27", datatype=XSD.date)),
    ]
    store.replace_graph(g, triples)
    yield store
    store.close()


def _all(store, out: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    paths = {}
    for fmt in EXPORTERS:
        paths[fmt] = out / f"graph.{fmt}"
        export(store, fmt, paths[fmt])
    return paths


def test_labels_are_cleaned_once() -> None:
    assert "\x07" not in clean(HOSTILE) and "မြန်မာ" in clean(HOSTILE)
    assert clean("a\ud800b\x0bc") == "abc"


def test_hostile_labels_survive_every_format(hostile_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = _all(hostile_store, tmp_path)
    want = clean(HOSTILE)
    node = str(iris.entity("actor", "hostile"))
    g = nx.read_graphml(paths["graphml"])
    assert g.nodes[node]["label"] == want
    ig = igraph.Graph.Read_GraphML(str(paths["graphml"]))
    assert want in ig.vs["label"]
    gexf = etree.parse(str(paths["gexf"]))
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    assert schema.validate(gexf), schema.error_log
    labels = {n.get("id"): n.get("label") for n in gexf.iter("{http://www.gexf.net/1.2draft}node")}
    assert labels[node] == want
    cy = json.loads(paths["cyjs"].read_text(encoding="utf-8"))
    assert {n["data"]["label"] for n in cy["elements"]["nodes"]} >= {want}
    geo = json.loads(paths["geojson"].read_text(encoding="utf-8"))
    [event] = [f for f in geo["features"] if f["properties"]["feature"] == "engagement"]
    assert event["geometry"]["coordinates"] == pytest.approx([97.7498, 22.9359])
    assert event["properties"]["agents"] == [want] and event["properties"]["date"] == "2023-10-27"
    page = paths["html"].read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page  # the data cannot close its script element


def test_embedded_json_cannot_break_out() -> None:
    text = embed_json({"label": "</script><script>alert(1)</script><!--"})
    assert "<" not in text and ">" not in text
    assert json.loads(text)["label"].startswith("</script>")


def test_seed_exports(seed_build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    try:
        paths = _all(store, tmp_path)
        schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
        assert schema.validate(etree.parse(str(paths["gexf"]))), schema.error_log
        g = nx.read_graphml(paths["graphml"])
        kia = str(iris.entity("actor", "kia"))
        assert g.nodes[kia]["type"] == "ArmedGroup" and g.nodes[kia]["engagements"] > 0
        types = {d["type"] for _, _, d in g.edges(data=True)}
        assert {"engagement", "membership", "alliance"} <= types
        dynamic = etree.parse(str(paths["gexf"])).getroot()[1]
        assert dynamic.get("mode") == "dynamic" and dynamic.get("timeformat") == "date"
        # one feature per engagement and per place, however many documents name them
        features = json.loads(paths["geojson"].read_text(encoding="utf-8"))["features"]
        keys = [(f["properties"]["feature"], f["properties"]["id"]) for f in features]
        assert len(keys) == len(set(keys)) and {"place", "engagement"} == {k for k, _ in keys}
        # Gephi's timeline: a node from its first dated fact on, for ever; an undated
        # relation always; the engagements between two actors one spell per date
        ns = "{http://www.gexf.net/1.2draft}"
        gexf_nodes = {n.get("id"): n for n in dynamic.iter(f"{ns}node")}
        assert all(n.get("end") is None for n in gexf_nodes.values())
        tatmadaw = gexf_nodes[str(iris.entity("actor", "tatmadaw"))]
        assert tatmadaw.get("start", "9999") <= "2021-03-31"
        edges = list(dynamic.iter(f"{ns}edge"))
        kinds = {e: e.find(f"{ns}attvalues")[0].get("value") for e in edges}  # type: ignore[index]
        undated = [e for e, k in kinds.items() if k != "engagement" and e.get("start") is None]
        assert undated and all(e.get("end") is None and e.find(f"{ns}spells") is None for e in undated)
        fights = [e for e, k in kinds.items() if k == "engagement"]
        spells = [len(e.findall(f"{ns}spells/{ns}spell")) for e in fights]
        assert max(spells) > 2 and all(e.get("start") is None for e in fights)
        busiest = fights[spells.index(max(spells))]
        starts = [sp.get("start") for sp in busiest.iter(f"{ns}spell")]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        # the neighbourhood of one actor, and a date window
        near = export(store, "cyjs", tmp_path / "kia.cyjs", actor=kia, hops=1).graph
        assert kia in near and near.number_of_nodes() < g.number_of_nodes()
        early = export(store, "geojson", tmp_path / "early.geojson", date_from="2021", date_to="2021")
        assert all(e["date"].startswith("2021") for e in early.engagements if e["date"])
    finally:
        store.close()


@browser
def test_page_renders_clicks_and_filters_in_chromium(seed_build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    page = tmp_path / "index.html"
    export(store, "html", page)
    store.close()
    driver = _driver()
    try:
        driver.get(page.as_uri())
        assert driver.execute_script("return window.kg.cy.nodes().length") > 50
        # a real click on the KIA node fills the side panel
        kia = str(iris.entity("actor", "kia"))
        pos = driver.execute_script(
            "var n = window.kg.cy.getElementById(arguments[0]); window.kg.cy.center(n);"
            "var p = n.renderedPosition(); var r = document.getElementById('net').getBoundingClientRect();"
            "return [r.left + p.x, r.top + p.y];", kia)
        ActionChains(driver).move_by_offset(int(pos[0]), int(pos[1])).click().perform()
        heading = driver.find_element(By.CSS_SELECTOR, "#panel h2").text
        assert heading == driver.execute_script("return window.kg.cy.getElementById(arguments[0]).data('label')", kia)
        assert "«" in driver.find_element(By.ID, "panel").text  # evidence sentences are shown
        # the time slider: at its first month, fewer links and markers show
        assert driver.execute_script("return window.kg.cy.edges('.hidden').length") == 0
        markers = driver.execute_script("return window.kg.markers.filter(m => window.kg.map.hasLayer(m)).length")
        driver.execute_script("var s = document.getElementById('slider'); s.value = 0;"
                              "s.dispatchEvent(new Event('input'))")
        assert driver.execute_script("return window.kg.cy.edges('.hidden').length") > 0
        assert driver.execute_script(
            "return window.kg.markers.filter(m => window.kg.map.hasLayer(m)).length") < markers
        # nodes too: one whose first dated fact is later is gone, an undated one stays
        assert driver.execute_script("return window.kg.cy.nodes('.hidden').filter(n => n.data('start')).length") > 0
        assert driver.execute_script("return window.kg.cy.nodes('.hidden').filter(n => !n.data('start')).length") == 0
        driver.execute_script("var s = document.getElementById('slider'); s.value = s.max;"
                              "s.dispatchEvent(new Event('input'))")
        # the legend names the node types and edge kinds drawn
        legend = driver.find_element(By.ID, "legend").text
        assert "Groupe armé" in legend and "Force étatique" in legend and "engagements" in legend
        # the offline base map: Natural Earth's countries drawn as paths under the markers
        assert driver.execute_script("return window.kg.borders.getLayers().length") > 150
        assert driver.execute_script("return document.querySelectorAll('#map path').length") > 150
        # actors with no link are hidden until asked for
        isolated = driver.execute_script("return window.kg.cy.nodes('.isolated').length")
        assert isolated > 0
        assert driver.execute_script("return window.kg.cy.nodes('.isolated').filter(n => n.visible()).length") == 0
        driver.find_element(By.ID, "isolated").click()
        visible = "return window.kg.cy.nodes('.isolated').filter(n => n.visible()).length"
        assert driver.execute_script(visible) == isolated
        driver.find_element(By.ID, "isolated").click()
        # a real click on an engagement edge: its direction, dates, places and sentences
        # (the layout is random: other nodes and edges are set aside for the click, so
        # that nothing else lies under the edge's midpoint)
        driver.execute_script(
            "var cy = window.kg.cy; var e = cy.edges('.engagement').filter(x => x.visible())"
            ".max(x => x.data('weight')).ele; e.addClass('picked');"
            "cy.elements().difference(e.union(e.connectedNodes())).addClass('hidden'); cy.fit(e, 120);")
        time.sleep(0.5)  # the style (hidden parallel edges straighten the curve) is drawn on the next frame
        off = driver.execute_script(
            "var p = window.kg.cy.edges('.picked').renderedMidpoint();"
            "var r = document.getElementById('net').getBoundingClientRect();"
            "return [p.x - r.width / 2, p.y - r.height / 2];")
        net = driver.find_element(By.ID, "net")
        ActionChains(driver).move_to_element_with_offset(net, int(off[0]), int(off[1])).click().perform()
        panel = driver.find_element(By.ID, "panel").text
        assert "→" in driver.find_element(By.CSS_SELECTOR, "#panel .direction").text
        assert "engagement(s)" in panel and "«" in panel
        # search by alias
        box = driver.find_element(By.ID, "search")
        box.send_keys("MNDAA")
        assert driver.execute_script("return window.kg.cy.$(':selected').length") >= 1
        out = settings.out_dir / "screenshot.png"
        driver.execute_script("var s = document.getElementById('slider'); s.value = s.max;"
                              "s.dispatchEvent(new Event('input'))")
        driver.save_screenshot(str(out))
        assert out.stat().st_size > 10_000
        if os.environ.get("KG_SCREENSHOT_DIR"):  # the README's picture: KG_SCREENSHOT_DIR=docs
            shutil.copy(out, Path(os.environ["KG_SCREENSHOT_DIR"]) / "screenshot.png")
    finally:
        driver.quit()


@browser
def test_hostile_label_stays_inert_in_the_page(hostile_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "hostile.html"
    export(hostile_store, "html", page)
    driver = _driver()
    try:
        driver.get(page.as_uri())
        node = str(iris.entity("actor", "hostile"))
        driver.execute_script("window.kg.showNode(window.kg.cy.getElementById(arguments[0]).data())", node)
        from selenium.webdriver.common.by import By

        assert driver.find_element(By.CSS_SELECTOR, "#panel h2").text == clean(HOSTILE)
        assert driver.execute_script("return window.__pwned") is None
        assert driver.execute_script("return document.querySelectorAll('#panel script').length") == 0
    finally:
        driver.quit()


def test_a_slice_read_from_its_neighbourhood_equals_the_whole_network_cut(seed_build) -> None:  # type: ignore[no-untyped-def]
    """A slice binds its nodes into the queries (it reads only the neighbourhood); it must
    give what cutting the whole network gives: the same nodes, attributes, edges and
    engagements, for every actor, one and two steps out, with and without a period; and
    the places of its engagements (the whole network has every place)."""
    import networkx as nx

    from kg.export.network import build_network

    def cut(whole, actor, hops):  # type: ignore[no-untyped-def]
        near = nx.ego_graph(whole.graph.to_undirected(as_view=True), actor, radius=hops)
        sub = whole.graph.subgraph(near.nodes)
        return sub, [e for e in whole.engagements if (set(e["agents"]) | set(e["targets"])) & set(sub)]

    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    placed = False
    try:
        for window in ({}, {"date_from": "2023-10", "date_to": "2024"}):
            whole = build_network(store, **window)
            actors = sorted(whole.graph, key=lambda n: -whole.graph.degree(n))
            assert len(actors) > 30
            for actor in actors[:12] + actors[-3:]:
                for hops in (1, 2):
                    got = build_network(store, actor=actor, hops=hops, **window)
                    sub, engagements = cut(whole, actor, hops)
                    assert dict(got.graph.nodes(data=True)) == dict(sub.nodes(data=True)), (actor, hops)
                    assert sorted(got.graph.edges(keys=True, data=True), key=repr) == \
                        sorted(sub.edges(keys=True, data=True), key=repr), (actor, hops)
                    assert sorted(got.engagements, key=repr) == sorted(engagements, key=repr), (actor, hops)
                    used = {e["place"] for e in engagements}
                    shown = [p for p in whole.places if p["id"] in used]
                    assert sorted(got.places, key=repr) == sorted(shown, key=repr)
                    placed = placed or bool(got.places)
    finally:
        store.close()
    assert placed

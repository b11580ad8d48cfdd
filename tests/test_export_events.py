"""The event table (``kg export --format events``), read back by what analysts read it
with: pandas, and GDAL's ogr2ogr, which takes ``longitude`` / ``latitude`` as the points
of a CSV layer. One row per engagement, ids stable across rebuilds, ACLED's vocabulary."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Graph, URIRef

from kg.cli import EXIT_OK, main
from kg.config import Settings
from kg.export import format_for
from kg.export.events import ACLED_TYPES, COLUMNS
from kg.pipeline import build
from kg.vocab import ENGAGEMENT_TYPES, KG

from .conftest import SEEDS

# ACLED's codebook (2023): event types and their sub-event types, and the inter codes
ACLED_EVENT_TYPES = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {"Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
                                   "Grenade"},
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Strategic developments": {"Agreement", "Arrests", "Change to group/activity",
                               "Disrupted weapons use", "Headquarters or base established",
                               "Looting/property destruction", "Non-violent transfer of territory", "Other"},
}
ENGAGEMENTS = """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a ?c . ?c rdfs:subClassOf* kg:Engagement . FILTER NOT EXISTS { ?e kg:subject [] } }"""


@pytest.fixture(scope="module")
def table(seed_build, tmp_path_factory):  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    out = tmp_path_factory.mktemp("events")
    store = str(settings.store_path)
    assert main(["export", "--format", "events", "--store", store, "--out", str(out / "events.csv")]) == EXIT_OK
    assert main(["export", "--store", store, "--out", str(out / "events.jsonl")]) == EXIT_OK  # format from suffix
    return out


def test_one_row_per_engagement_read_by_pandas(table: Path, seed_store) -> None:  # type: ignore[no-untyped-def]
    df = pd.read_csv(table / "events.csv", dtype=str, keep_default_na=False)
    assert list(df.columns) == COLUMNS
    assert len(df) == int(seed_store.query(ENGAGEMENTS).rows[0]["n"]) > 50
    assert df["event_id_cnty"].is_unique and df["event_iri"].is_unique
    for _, r in df.iterrows():
        assert r["sub_event_type"] in ACLED_EVENT_TYPES[r["event_type"]]
        codes = sorted(int(c) for c in (r["inter1"], r["inter2"]) if c)
        assert r["interaction"] == ("".join(map(str, codes)) + ("0" if len(codes) == 1 else "") if codes else "")
        if r["event_date"]:
            assert r["year"] == r["event_date"][:4] and r["time_precision"] in ("1", "2", "3")
        assert (r["civilian_targeting"] == "Civilian targeting") == (r["kg_type"] == "ViolenceAgainstCivilians")
        assert r["notes"] and r["notes"] in r["evidence"] and r["document"].endswith(".txt")
        assert int(r["fatalities"]) >= 0
    myanmar = df[df["country"] == "Myanmar"]
    assert len(myanmar) > 30 and set(myanmar["iso"]) == {"104"}
    assert all(i.startswith("MMR") for i in myanmar["event_id_cnty"])
    # the MNDAA's capture of Chinshwehaw: a non-state actor overtakes territory from the army
    row = df[(df["location"] == "Chinshwehaw") & (df["kg_type"] == "Capture")].iloc[0]
    assert row["sub_event_type"] == "Non-state actor overtakes territory"
    assert (row["inter1"], row["inter2"], row["interaction"]) == ("2", "1", "12")
    assert df["latitude"].ne("").sum() >= 10


def test_json_lines_hold_the_same_rows(table: Path) -> None:
    lines = (table / "events.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    df = pd.read_csv(table / "events.csv", dtype=str, keep_default_na=False)
    assert [r["event_id_cnty"] for r in rows] == list(df["event_id_cnty"])
    assert all(set(r) == set(COLUMNS) for r in rows)
    assert all(isinstance(r["contested"], bool) and isinstance(r["fatalities"], int) for r in rows)


def test_ogr2ogr_reads_the_points(table: Path, tmp_path: Path) -> None:
    ogr2ogr = shutil.which("ogr2ogr")
    assert ogr2ogr, "GDAL's ogr2ogr is not installed (make test installs gdal-bin)"
    out = tmp_path / "events.geojson"
    subprocess.run([ogr2ogr, "-f", "GeoJSON", str(out), str(table / "events.csv"),
                    "-oo", "X_POSSIBLE_NAMES=longitude", "-oo", "Y_POSSIBLE_NAMES=latitude",
                    "-oo", "KEEP_GEOM_COLUMNS=NO"], check=True, capture_output=True)
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    df = pd.read_csv(table / "events.csv", dtype=str, keep_default_na=False)
    assert len(features) == len(df)
    located = {f["properties"]["event_id_cnty"]: f["geometry"]["coordinates"] for f in features if f["geometry"]}
    expected = df[df["latitude"] != ""]
    assert set(located) == set(expected["event_id_cnty"])
    for _, r in expected.iterrows():
        assert located[r["event_id_cnty"]] == pytest.approx([float(r["longitude"]), float(r["latitude"])])


def test_event_ids_are_stable_across_rebuilds(tmp_path: Path) -> None:
    ids = []
    for run in ("a", "b"):
        docs = tmp_path / run / "docs"
        docs.mkdir(parents=True)
        shutil.copy(SEEDS / "002_ad34e4e326f002f7.txt", docs)
        settings = Settings(out_dir=tmp_path / run / "out")
        build([docs], settings=settings)
        csv = tmp_path / run / "events.csv"
        assert main(["export", "--store", str(settings.store_path), "--out", str(csv)]) == EXIT_OK
        ids.append(list(pd.read_csv(csv, dtype=str)["event_id_cnty"]))
    assert ids[0] and ids[0] == ids[1]


def test_acled_types_are_the_ontologys_annotations() -> None:
    """Every engagement type has its ACLED type, and it is the one kg:acledType states."""
    onto = Graph().parse(Settings().ontology_file, format="turtle")
    assert set(ACLED_TYPES) == set(ENGAGEMENT_TYPES)
    for name, (event_type, sub) in ACLED_TYPES.items():
        note = str(onto.value(URIRef(str(KG[name])), URIRef(str(KG.acledType))) or "")
        assert note.startswith(f"{event_type}: ") and sub in note, (name, note)
        assert sub in ACLED_EVENT_TYPES[event_type]


def test_the_format_follows_the_file_suffix(seed_build, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert format_for(Path("x.gexf")) == "gexf" and format_for(Path("x.JSONL")) == "events"
    settings, _ = seed_build
    assert main(["export", "--store", str(settings.store_path), "--out", str(tmp_path / "g.gexf")]) == EXIT_OK
    assert (tmp_path / "g.gexf").read_text(encoding="utf-8").startswith("<?xml")
    assert main(["export", "--store", str(settings.store_path), "--out", str(tmp_path / "g.xyz")]) != EXIT_OK
    err = capsys.readouterr().err
    assert "g.xyz" in err and "--format" in err and not (tmp_path / "g.xyz").exists()

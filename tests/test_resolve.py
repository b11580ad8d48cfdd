"""Resolution on sentences of other conflicts, written for the tests: acronym
definitions create and type new actors; the country decides contextual aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Settings
from kg.extract import extract
from kg.ingest import read
from kg.model import Extraction
from kg.resolve import resolve

CASES = [
    # (text, entity key, type, label)
    (("Le Front de libération de l'Azawad (FLA) a attaqué un convoi de l'armée malienne près "
      "de Kidal."), "fla", "ArmedGroup", "Front de libération de l'Azawad"),
    # a group no reference list knows: the definition alone makes it
    ("Les Forces de défense du Haut-Zambèze (FDHZ) ont pris le contrôle de Mongu, en Zambie.",
     "fdhz", "ArmedGroup", "Forces de défense du Haut-Zambèze"),
    (("Le Mouvement du 23 mars (M23) progresse vers Goma, dans l'est de la République "
      "démocratique du Congo."), "m23", "ArmedGroup", "Mouvement du 23 mars"),
    ("Le Parti de l'union nationale (PUN) a condamné les frappes.", "pun",
     "PoliticalOrganization", "Parti de l'union nationale"),
]


def _resolve(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    settings = Settings(out_dir=tmp_path)
    ex = next(extract([read(path)], settings=settings))
    assert isinstance(ex, Extraction)
    return ex, resolve(ex, settings=settings)


@pytest.mark.parametrize("text, key, type_, label", CASES)
def test_acronym_definition_creates_a_typed_actor(tmp_path, text, key, type_, label) -> None:  # type: ignore[no-untyped-def]
    _, res = _resolve(tmp_path, text)
    assert key in res.entities, sorted(res.entities)
    e = res.entities[key]
    assert (e.kind, e.type, e.label) == ("actor", type_, label)


def test_long_form_and_acronym_are_one_entity_through_the_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ex, res = _resolve(tmp_path, "Les Forces de défense du Haut-Zambèze (FDHZ) encerclent Mongu. "
                                 "Plus tard, les FDHZ bombardent le camp de Senanga.")
    keys = {res.entities[k].key for i, k in res.mention_entities
            if ex.mentions[i].text in ("FDHZ", "Forces de défense du Haut-Zambèze")}
    assert keys == {"fdhz"}
    assert sum(1 for m in ex.mentions if m.text == "FDHZ") == 2


@pytest.mark.parametrize("text, expected", [
    ("À Bamako, la junte a annoncé la dissolution des partis au Mali.", "malian-junta"),
    ("En Birmanie, la junte bombarde le Kachin. La KIA résiste.", "tatmadaw"),
])
def test_contextual_alias_follows_the_documents_country(tmp_path, text, expected) -> None:  # type: ignore[no-untyped-def]
    ex, res = _resolve(tmp_path, text)
    junte = [k for i, k in res.mention_entities if ex.mentions[i].text.lower() == "junte"]
    assert junte == [expected]


@pytest.mark.parametrize("text, expected", [
    ("À Bunia, en RDC, les Casques bleus ont évacué des déplacés vers leur base.", "monusco"),
    ("Au Liban, les Casques bleus ont signalé des tirs près de Naqoura.", "unifil"),
    ("En Haïti, des Casques bleus pourraient revenir à Port-au-Prince.", "un-peacekeepers-ht"),
])
def test_peacekeepers_are_the_mission_of_the_documents_country(tmp_path, text, expected) -> None:  # type: ignore[no-untyped-def]
    ex, res = _resolve(tmp_path, text)
    keys = [k for i, k in res.mention_entities if ex.mentions[i].text.lower() == "casques bleus"]
    assert keys == [expected]


def test_contextual_alias_without_a_country_names_nobody(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ex, res = _resolve(tmp_path, "La junte a annoncé un couvre-feu.")
    assert not [k for i, k in res.mention_entities if ex.mentions[i].text.lower() == "junte"]


def test_alternate_name_does_not_send_a_town_elsewhere(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ex, res = _resolve(tmp_path, "Les combattants de la KIA entrent dans la ville de Mong Ko, "
                                 "en Birmanie.")
    keys = {k for i, k in res.mention_entities if ex.mentions[i].text == "Mong Ko"}
    assert keys == {"mong-ko"}
    assert res.entities["mong-ko"].lat is None  # no source for coordinates: none invented


def test_one_name_two_people_when_ranks_or_fates_differ(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two officers of one name in a list of losses (a captured general, a killed
    colonel) are two persons; a later "général de brigade" of that name is the first."""
    ex, res = _resolve(tmp_path, "Pertes : Général de brigade Abdi Warsame (prisonnier de guerre), "
                                 "Colonel Abdi Warsame †.\nLe général de brigade Abdi Warsame a été "
                                 "transféré à Kismayo.")
    keys = [k for i, k in res.mention_entities if ex.mentions[i].text == "Abdi Warsame"]
    assert len(keys) == 3 and keys[0] == keys[2] != keys[1], keys


def test_bare_collective_refers_back_to_the_group_it_was_said_of(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After "les rebelles du M23", "les rebelles" are the M23, not a generic node."""
    ex, res = _resolve(tmp_path, "Le 4 mars 2025, les rebelles du M23 ont pris la ville de Walikale. "
                                 "Les rebelles ont ensuite attaqué Lubero.")
    m23 = {k for i, k in res.mention_entities if ex.mentions[i].text == "M23"}
    rebels = {k for i, k in res.mention_entities if ex.mentions[i].text.lower() == "rebelles"}
    assert m23 and rebels == m23


def test_the_gazetteer_keeps_its_folded_indexes_on_disk(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The indexes made once are read back the same; a damaged cache file is made again."""
    from kg import gazetteer

    monkeypatch.setenv("KG_CACHE", str(tmp_path / "cache"))

    def fresh() -> list[object]:
        gazetteer._country_index.cache_clear()
        gazetteer._world_index.cache_clear()
        return [gazetteer.lookup("Mandalay", "MM"), gazetteer.lookup("Tombouctou", "ML"),
                gazetteer.lookup("Moscou", None), gazetteer.lookup("Khartoum", "SD")]

    made = fresh()
    assert all(made) and made[1].country == "ML"  # type: ignore[union-attr]
    kept = sorted((tmp_path / "cache").glob("gazetteer-*.pickle"))
    assert {p.name.split("-")[1] for p in kept} == {"MM", "ML", "SD", "world"}
    assert fresh() == made  # read back
    kept[0].write_bytes(b"not a pickle")
    assert fresh() == made  # made again
    assert kept[0].read_bytes() != b"not a pickle"


def test_kgs_yaml_reads_as_pyyaml_safe_load_does_and_a_broken_list_is_named(tmp_path: Path) -> None:
    """The reference lists and language packs are parsed by libyaml (files.read_yaml):
    the same values as yaml.safe_load on every one of them; a broken list is named."""
    import yaml

    from kg import reference
    from kg.errors import InputError
    from kg.files import read_yaml

    root = Path(__file__).resolve().parent.parent
    paths = sorted([*(root / "ontology" / "reference").glob("*.yaml"),
                    *(root / "kg" / "extract" / "lang").glob("*/*.yaml")])
    assert len(paths) >= 5
    for path in paths:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path
    (tmp_path / "actors.yaml").write_text("- key: x\n  labels: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="actors.yaml"):
        reference.load(tmp_path)

"""The event table analysts already use: one row per engagement, in ACLED's column
names where the meaning is the same, then kg's own columns (claims, documents,
evidence, IRIs). CSV for spreadsheets, pandas and GIS (``latitude`` / ``longitude``
are the X/Y columns GDAL's CSV driver reads), or JSON Lines.

ACLED's codebook is followed where kg knows the answer and left blank where it does
not: ``admin1`` / ``admin2`` only when the place is, or is stated to lie in, a region or
a township; coordinates only from the gazetteer. A date known to the month or the year
is given as the first day of that period, with ``time_precision`` 2 or 3 saying so
(kg's own ``date`` column keeps it as the text gave it). A date with no year has no
``event_date``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pycountry
from rdflib.term import Identifier

from .. import sparql
from ..store import Store
from .network import clean

# kg engagement type -> (ACLED event_type, sub_event_type); the ontology's kg:acledType
# annotation of each class says the same (a test keeps them equal). A capture is the
# government regaining territory when a state's forces take it, else a non-state
# actor overtaking it.
ACLED_TYPES: dict[str, tuple[str, str]] = {
    "Attack": ("Battles", "Armed clash"),
    "Ambush": ("Battles", "Armed clash"),
    "Siege": ("Battles", "Armed clash"),
    "Capture": ("Battles", "Non-state actor overtakes territory"),
    "AirStrike": ("Explosions/Remote violence", "Air/drone strike"),
    "Shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "Surrender": ("Strategic developments", "Change to group/activity"),
    "Withdrawal": ("Strategic developments", "Non-violent transfer of territory"),
    "ViolenceAgainstCivilians": ("Violence against civilians", "Attack"),
    "Arrest": ("Strategic developments", "Arrests"),
    "Agreement": ("Strategic developments", "Agreement"),
}
GOVERNMENT_REGAINS = "Government regains territory"
# ontology class -> ACLED inter code: 1 state forces, 2 rebel groups, 3 political
# militias, 7 civilians, 8 external/other forces (a state's forces abroad are 8 too)
INTER = {"StateForce": 1, "Government": 1, "State": 1, "ArmedGroup": 2, "Alliance": 2,
         "Militia": 3, "PoliticalOrganization": 3, "InternationalOrganization": 8,
         "OtherOrganization": 8}
STATE_CLASSES = {"StateForce", "Government", "State"}
TIME_PRECISION = {"day": 1, "month": 2, "year": 3}
# place class -> ACLED geo_precision (1 the town itself, 2 near it or a district, 3 a
# region's or a country's centroid)
GEO_PRECISION = {"Town": 1, "Village": 1, "MilitaryBase": 1, "Township": 2, "Region": 3,
                 "Country": 3, "Place": 3}
COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "country", "admin1", "admin2", "location", "latitude",
    "longitude", "geo_precision", "source", "notes", "fatalities",
    # kg's own
    "kg_type", "date", "date_precision", "claimed_by", "contested", "document", "evidence",
    "event_iri", "actor1_iri", "actor2_iri", "place_iri", "curated_by",
]


def _str(value: Identifier | None) -> str:
    return "" if value is None else str(value)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


class _Nodes:
    """Labels, classes, countries and coordinates of the graph's actors and places."""

    def __init__(self, store: Store) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        for r in store.query(sparql.text("events_nodes")).rows:
            n = self.data.setdefault(str(r["n"]), {"within": set()})
            for key in ("fr", "en", "country", "iso", "lat", "long", "coordinateSource"):
                value = _str(r.get(key))
                if value and (key not in n or value < n[key]):  # one value, the same every run
                    n[key] = value
            cls = _local(str(r["class"]))
            if "class" not in n or n["class"] in ("Actor", "Place"):
                n["class"] = cls
            if r.get("within") is not None:
                n["within"].add(str(r["within"]))

    def get(self, iri: str, key: str, default: str = "") -> str:
        return str(self.data.get(iri, {}).get(key, default))

    def label(self, iri: str) -> str:
        return clean(self.get(iri, "fr") or self.get(iri, "en") or iri.rsplit("/", 1)[-1])

    def country_of(self, iri: str) -> str:
        """The country node of a place or an actor ('' when unknown)."""
        if self.get(iri, "class") == "Country":
            return iri
        return self.get(iri, "country")

    def inter(self, iri: str, event_country: str) -> int | None:
        cls = self.get(iri, "class")
        code = INTER.get(cls)
        if code == 1 and event_country and self.country_of(iri) not in ("", event_country):
            return 8  # a state's forces outside their country
        return code

    def within(self, place: str, cls: str) -> str:
        """The label of the place, or of a place it lies in, of class ``cls``."""
        if self.get(place, "class") == cls:
            return self.label(place)
        for outer in sorted(self.data.get(place, {}).get("within", ())):
            if self.get(outer, "class") == cls:
                return self.label(outer)
        return ""


def _iso(nodes: _Nodes, country: str) -> tuple[str, str, str]:
    """(alpha-3, numeric, English name) of a country node, from its ISO alpha-2 code."""
    code = nodes.get(country, "iso")
    found = pycountry.countries.get(alpha_2=code) if code else None
    name = nodes.get(country, "en") or nodes.label(country) if country else ""
    if found is None:
        return "", "", name
    return found.alpha_3, str(int(found.numeric)), name


def _event_date(date: str, precision: str) -> tuple[str, str]:
    """(event_date, year): the first day of the period the date names."""
    if not date or date.startswith("--"):
        return "", ""
    year = date[:4]
    if precision == "day" and len(date) >= 10:
        return date[:10], year
    if precision == "month" and len(date) >= 7:
        return date[:7] + "-01", year
    return year + "-01-01", year


def rows(store: Store) -> list[dict[str, Any]]:
    """One row per engagement of the store, in date order (undated last), then by id."""
    nodes = _Nodes(store)
    events: dict[str, dict[str, Any]] = {}
    for r in store.query(sparql.text("events_core")).rows:
        e = events.setdefault(str(r["e"]), {"agents": set(), "targets": set(), "claims": {},
                                            "evidence": [], "fatalities": 0})
        e["type"] = _local(str(r["class"]))
        e["date"] = max(e.get("date", ""), _str(r.get("date")))
        e["precision"] = _str(r.get("precision")) or e.get("precision", "")
        e["place"] = e.get("place") or _str(r.get("place"))
        if r.get("fatalities") is not None:
            e["fatalities"] = max(e["fatalities"], int(r["fatalities"]))  # type: ignore[call-overload]
    for r in store.query(sparql.text("events_parties")).rows:
        if str(r["e"]) in events:
            events[str(r["e"])][f"{r['role']}s"].add(str(r["party"]))
    for r in store.query(sparql.text("events_evidence")).rows:
        if str(r["e"]) in events:
            item = (_str(r["file"]), int(r["start"]), clean(r["sentence"]),  # type: ignore[call-overload]
                    clean(_str(r.get("source")) or _str(r.get("title")) or _str(r["file"])))
            if item not in events[str(r["e"])]["evidence"]:
                events[str(r["e"])]["evidence"].append(item)
    for r in store.query(sparql.text("events_claims")).rows:
        if str(r["e"]) not in events:
            continue
        who = nodes.label(str(r["claimant"])) if r.get("claimant") is not None else clean(_str(r.get("source")))
        if who:
            key = _str(r.get("claim")) or who
            events[str(r["e"])]["claims"][key] = (who, _str(r.get("outcome")) or "asserted")
    for r in store.query(sparql.text("network_curated")).rows:  # a curator's correction changed or added it
        if str(r["node"]) in events:
            events[str(r["node"])].setdefault("curated", set()).add(clean(r["curator"]))
    out = [_row(iri, e, nodes) for iri, e in events.items()]
    out.sort(key=lambda row: (row["date"] == "" or row["date"].startswith("--"), row["date"], row["event_iri"]))
    return out


def _row(iri: str, e: dict[str, Any], nodes: _Nodes) -> dict[str, Any]:
    def named(parties: Iterable[str]) -> list[str]:  # actors by label; persons are notes
        return sorted((p for p in parties if nodes.get(p, "class") not in ("Person", "")),
                      key=lambda p: (nodes.label(p), p))

    place = e["place"]
    agents, targets = named(e["agents"]), named(e["targets"] - e["agents"])
    country = nodes.country_of(place) if place else ""
    if not country:
        country = next((nodes.country_of(a) for a in agents + targets if nodes.country_of(a)), "")
    alpha3, numeric, country_name = _iso(nodes, country)
    event_type, sub_event_type = ACLED_TYPES[e["type"]]
    if e["type"] == "Capture" and agents and nodes.get(agents[0], "class") in STATE_CLASSES:
        sub_event_type = GOVERNMENT_REGAINS
    inter1 = nodes.inter(agents[0], country) if agents else None
    actor2 = nodes.label(targets[0]) if targets else ""
    inter2 = nodes.inter(targets[0], country) if targets else None
    if e["type"] == "ViolenceAgainstCivilians" and not targets:
        actor2, inter2 = (f"Civilians ({country_name})" if country_name else "Civilians"), 7
    codes = sorted(c for c in (inter1, inter2) if c is not None)
    interaction = "".join(map(str, codes)) + ("0" if len(codes) == 1 else "") if codes else ""
    event_date, year = _event_date(e["date"], e["precision"])
    lat, long = nodes.get(place, "lat"), nodes.get(place, "long")
    evidence = sorted(e["evidence"])
    claims = sorted(set(e["claims"].values()))
    sources = list(dict.fromkeys(source for _, _, _, source in evidence))
    return {
        "event_id_cnty": (alpha3 or "XXX") + iri.rsplit("/", 1)[-1][:10].upper(),
        "event_date": event_date, "year": year,
        "time_precision": TIME_PRECISION.get(e["precision"], ""),
        "event_type": event_type, "sub_event_type": sub_event_type,
        "actor1": nodes.label(agents[0]) if agents else "",
        "assoc_actor_1": "; ".join(nodes.label(a) for a in agents[1:]),
        "inter1": inter1 if inter1 is not None else "",
        "actor2": actor2,
        "assoc_actor_2": "; ".join(nodes.label(t) for t in targets[1:]),
        "inter2": inter2 if inter2 is not None else "",
        "interaction": interaction,
        "civilian_targeting": "Civilian targeting" if e["type"] == "ViolenceAgainstCivilians" else "",
        "iso": numeric, "country": country_name,
        "admin1": nodes.within(place, "Region") if place else "",
        "admin2": nodes.within(place, "Township") if place else "",
        "location": nodes.label(place) if place else "",
        "latitude": lat, "longitude": long,
        "geo_precision": GEO_PRECISION.get(nodes.get(place, "class"), "") if lat else "",
        "source": "; ".join(sources),
        "notes": evidence[0][2] if evidence else "",
        "fatalities": e["fatalities"],
        "kg_type": e["type"], "date": e["date"], "date_precision": e["precision"],
        "claimed_by": "; ".join(who for who, _ in claims),
        "contested": len({outcome for _, outcome in claims}) > 1,
        "document": "; ".join(dict.fromkeys(file for file, _, _, _ in evidence)),
        "evidence": " | ".join(dict.fromkeys(sentence for _, _, sentence, _ in evidence)),
        "event_iri": iri,
        "actor1_iri": agents[0] if agents else "",
        "actor2_iri": targets[0] if targets else "",
        "place_iri": place,
        "curated_by": "; ".join(sorted(e.get("curated", ()))),
        "parties": set(e["agents"]) | set(e["targets"]),  # for selection; not a column
    }


def write(store: Store, path: Path, *, jsonl: bool = False, keep=None) -> int:  # type: ignore[no-untyped-def]
    """Write the table (rows for which ``keep(row)`` holds); the number of rows."""
    table = [r for r in rows(store) if keep is None or keep(r)]
    with path.open("w", encoding="utf-8", newline="") as f:
        if jsonl:
            for r in table:
                f.write(json.dumps({k: (None if r[k] == "" else r[k]) for k in COLUMNS},
                                   ensure_ascii=False) + "\n")
        else:
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            w.writeheader()
            w.writerows({k: ("true" if r[k] is True else "false" if r[k] is False else r[k])
                         for k in COLUMNS} for r in table)
    return len(table)


__all__ = ["ACLED_TYPES", "COLUMNS", "rows", "write"]

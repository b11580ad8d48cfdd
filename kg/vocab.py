"""The ontology's terms, defined once: ``KG.Actor`` exists, ``KG.Actr`` raises.

``ontology/kg.ttl`` is the source of the terms; a test keeps this list equal to it.
External vocabularies the ontology aligns with are named here too, so that no IRI
string appears anywhere else in the code.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, GEO, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/kg-armed-actors/ontology"
INSTANCE_BASE = "https://w3id.org/kg-armed-actors/id/"
# what every graph kg writes (documents, ontology, inferences) is named under
GRAPHS_BASE = "https://w3id.org/kg-armed-actors/"
assert ONTOLOGY_IRI.startswith(GRAPHS_BASE) and INSTANCE_BASE.startswith(GRAPHS_BASE)

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
WD = Namespace("http://www.wikidata.org/entity/")
# W3C Basic Geo (WGS84 lat/long). Not rdflib.namespace.WGS: rdflib spells it with
# https://, which is not the namespace the W3C defines or other tools use.
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")


class KG(DefinedNamespace):
    """Closed namespace of kg's ontology."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    Actor: URIRef
    Agreement: URIRef
    AirStrike: URIRef
    Alliance: URIRef
    Ambush: URIRef
    ArmedGroup: URIRef
    Arrest: URIRef
    Arrested: URIRef
    Attack: URIRef
    Backing: URIRef
    BasisCarried: URIRef
    BasisCurated: URIRef
    BasisInferred: URIRef
    BasisStated: URIRef
    Capture: URIRef
    Captured: URIRef
    Claim: URIRef
    Command: URIRef
    Cooperation: URIRef
    Correction: URIRef
    Country: URIRef
    DateBasis: URIRef
    DatePrecision: URIRef
    Diplomatic: URIRef
    Document: URIRef
    Engagement: URIRef
    Evidence: URIRef
    Fate: URIRef
    Funding: URIRef
    Government: URIRef
    Hostility: URIRef
    Intelligence: URIRef
    InternationalOrganization: URIRef
    Killed: URIRef
    Membership: URIRef
    MilitaryBase: URIRef
    Militia: URIRef
    OtherOrganization: URIRef
    Person: URIRef
    Place: URIRef
    PoliticalOrganization: URIRef
    PrecisionDay: URIRef
    PrecisionMonth: URIRef
    PrecisionUnknown: URIRef
    PrecisionYear: URIRef
    Region: URIRef
    Relationship: URIRef
    Shelling: URIRef
    Siege: URIRef
    State: URIRef
    StateForce: URIRef
    SubunitOf: URIRef
    Suicide: URIRef
    SupportKind: URIRef
    Surrender: URIRef
    Surrendered: URIRef
    Time: URIRef
    Town: URIRef
    Township: URIRef
    Training: URIRef
    Troops: URIRef
    Village: URIRef
    ViolenceAgainstCivilians: URIRef
    Weapons: URIRef
    Withdrawal: URIRef
    acledType: URIRef
    affiliation: URIRef
    agent: URIRef
    agreementWith: URIRef
    alliedWith: URIRef
    backedBy: URIRef
    capturedCount: URIRef
    charCount: URIRef
    claimOf: URIRef
    claimSource: URIRef
    claimedBy: URIRef
    commandedBy: URIRef
    commands: URIRef
    confidence: URIRef
    contentHash: URIRef
    extractor: URIRef
    coordinateSource: URIRef
    correctionKind: URIRef
    correctionStatus: URIRef
    corrects: URIRef
    country: URIRef
    curatedBy: URIRef
    date: URIRef
    dateBasis: URIRef
    datePrecision: URIRef
    end: URIRef
    endOffset: URIRef
    equipment: URIRef
    evidence: URIRef
    fatalities: URIRef
    fate: URIRef
    fileName: URIRef
    inDocument: URIRef
    ingestedAt: URIRef
    locatedIn: URIRef
    memberOf: URIRef
    object: URIRef
    opposes: URIRef
    originalGraph: URIRef
    outcome: URIRef
    place: URIRef
    quote: URIRef
    rank: URIRef
    sentence: URIRef
    sourceFile: URIRef
    start: URIRef
    startOffset: URIRef
    subject: URIRef
    subunitOf: URIRef
    suggestedAction: URIRef
    supportKind: URIRef
    surrenderedCount: URIRef
    target: URIRef

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "sem": str(SEM),
    "prov": str(PROV),
    "org": str(ORG),
    "geo": str(GEO),
    "wgs": str(WGS),
    "dcterms": str(DCTERMS),
    "wd": str(WD),
    "id": INSTANCE_BASE,
}

# FORMAT.md's names -> ontology terms
ACTOR_TYPES = {
    "State": KG.State,
    "StateForce": KG.StateForce,
    "Government": KG.Government,
    "ArmedGroup": KG.ArmedGroup,
    "Militia": KG.Militia,
    "Alliance": KG.Alliance,
    "PoliticalOrganization": KG.PoliticalOrganization,
    "InternationalOrganization": KG.InternationalOrganization,
    "Other": KG.OtherOrganization,
    "Actor": KG.Actor,
}
PLACE_TYPES = {
    "Place": KG.Place,
    "Country": KG.Country,
    "Region": KG.Region,
    "Township": KG.Township,
    "Town": KG.Town,
    "Village": KG.Village,
    "MilitaryBase": KG.MilitaryBase,
}
PRECISIONS = {
    "day": KG.PrecisionDay,
    "month": KG.PrecisionMonth,
    "year": KG.PrecisionYear,
    "unknown": KG.PrecisionUnknown,
}
FATES = {"killed": KG.Killed, "captured": KG.Captured, "surrendered": KG.Surrendered,
         "arrested": KG.Arrested, "suicide": KG.Suicide}
BASES = {"stated": KG.BasisStated, "carried": KG.BasisCarried, "inferred": KG.BasisInferred,
         "curated": KG.BasisCurated}
# FORMAT.md engagement type -> ontology class (every subclass of kg:Engagement; a test
# keeps the two equal). Extraction, mapping, evaluation and export read this table.
ENGAGEMENT_TYPES = {name: KG[name] for name in (
    "Attack", "Capture", "AirStrike", "Shelling", "Ambush", "Siege", "Surrender",
    "Withdrawal", "ViolenceAgainstCivilians", "Arrest", "Agreement")}
# FORMAT.md relation type -> (relation node class, shortcut property)
RELATION_TERMS: dict[str, tuple[URIRef, URIRef]] = {
    "memberOf": (KG.Membership, KG.memberOf),
    "alliedWith": (KG.Cooperation, KG.alliedWith),
    "backedBy": (KG.Backing, KG.backedBy),
    "commands": (KG.Command, KG.commands),
    "subunitOf": (KG.SubunitOf, KG.subunitOf),
    "opposes": (KG.Hostility, KG.opposes),
    "agreement": (KG.Agreement, KG.agreementWith),
}
# relation types whose shortcut is an owl:SymmetricProperty (a test keeps them equal): one
# node per pair, whichever way round the text states it
SYMMETRIC_RELATIONS = frozenset({"alliedWith", "opposes", "agreement"})

__all__ = ["ACTOR_TYPES", "ENGAGEMENT_TYPES", "FATES", "KG", "ORG", "PLACE_TYPES", "PREFIXES", "RELATION_TERMS",
           "SEM", "SYMMETRIC_RELATIONS", "WD", "WGS", "URIRef"]

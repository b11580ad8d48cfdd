"""Plain data that flows between the pipeline's stages (no spaCy, no rdflib here).

Names follow ../shared/eval/FORMAT.md so that evaluation compares like with like.
All character offsets are into the document's file text (``Document.text``).
"""

from __future__ import annotations

import datetime as dt
import os
from bisect import bisect_right
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

MentionKind = Literal["actor", "person", "place"]
Precision = Literal["day", "month", "year", "unknown"]
Basis = Literal["stated", "carried", "inferred", "curated"]


class Origin(StrEnum):
    """How extraction found a mention; resolution decides identity from it."""

    REFERENCE = "reference"  # a name, alias or acronym of the reference list
    CONTEXTUAL = "contextual"  # a common noun naming an actor of the document's country
    ACRONYM = "acronym"  # an acronym defined in the text, or its long form
    RANK = "rank"  # a person named with a rank
    UNIT = "unit"  # a numbered unit ("129e bataillon")
    NER = "ner"  # the model's entity recogniser
    CUE = "cue"  # a capitalised word after a locative cue ("à Goma")
    ALIAS = "alias"  # "(dit ATT)"
    SURNAME = "surname"  # "al-Assad" after "Bachar al-Assad"
    DEMONYM = "demonym"  # "des drones turcs": the State behind the adjective
    STATE = "state"  # a state's body by description ("l'armée soudanaise")
    COLLECTIVE = "collective"  # a collective with no name ("des hommes armés")


@dataclass(frozen=True)
class StateBody:
    """A state's forces or government named by description, not by name: its role
    (a key of the language pack's ``state_roles``) and its country (ISO 3166-1
    alpha-2; None when the text means the document's own country)."""

    role: str
    country: str | None = None


@dataclass(frozen=True)
class Document:
    """One source report: its file text and the cleaned text the extractor reads.

    ``analysis`` is ``text`` with front matter and reference markers ("[39]") removed;
    ``segments`` maps it back: each (analysis_start, text_start, length) is a run of
    characters kept verbatim.
    """

    id: str
    path: Path
    text: str
    analysis: str
    segments: tuple[tuple[int, int, int], ...]
    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    language: str = "fr"

    @property
    def name(self) -> str:
        """The file's name as text (a name that is not UTF-8 shows U+FFFD where it is not)."""
        return os.fsencode(self.path.name).decode("utf-8", "replace")

    @cached_property
    def _segment_starts(self) -> list[int]:
        return [seg[0] for seg in self.segments]

    def to_text_offset(self, analysis_offset: int) -> int:
        """The offset in ``text`` of a character offset in ``analysis`` (an end offset works too)."""
        i = max(bisect_right(self._segment_starts, analysis_offset) - 1, 0)
        a_start, t_start, length = self.segments[i]
        return t_start + min(analysis_offset - a_start, length)

    def span(self, analysis_start: int, analysis_end: int) -> tuple[int, int]:
        """Map an analysis span to a file-text span, never ending inside a removed marker."""
        start = self.to_text_offset(analysis_start)
        end = self.to_text_offset(analysis_end - 1) + 1 if analysis_end > analysis_start else start
        return start, end


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A surface form of an actor, person or place in one sentence.

    ``type`` is the ontology class's local name when known (from the reference list, a
    name cue or the model's NER); ``ref`` the reference-list key when the ruler found it.
    """

    doc_id: str
    sentence: int
    start: int
    end: int
    text: str
    kind: MentionKind
    type: str
    ref: str | None = None
    origin: Origin = Origin.NER
    long_form: str | None = None  # for an acronym defined in the text: its expansion
    rank: str | None = None  # a person's rank or title given with this mention
    fate: str | None = None  # killed | captured | surrendered | arrested | suicide
    agentive: bool = False  # a place named as one who acts ("la Russie a signé", "Moscou annonce")
    state: StateBody | None = None  # for Origin.STATE and Origin.CONTEXTUAL
    head: str | None = None  # for Origin.COLLECTIVE: the head noun ("rebelles")
    refers_to: str | None = None  # a bare collective said earlier of a named actor: its name


@dataclass(frozen=True)
class Entity:
    """One real-world actor, person or place, canonical across documents."""

    key: str
    kind: MentionKind
    type: str
    label: str  # the preferred French label
    label_en: str | None = None  # the English name, from the reference list
    wikidata: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    lat: float | None = None
    long: float | None = None
    coordinate_source: str | None = None


@dataclass(frozen=True)
class Resolution:
    """Each mention (by position in ``Extraction.mentions``) -> the key of its entity."""

    entities: dict[str, Entity]
    mention_entities: tuple[tuple[int, str], ...]
    country: str | None = None  # the document's main country, used for context


@dataclass(frozen=True)
class PartialDate:
    year: int | None
    month: int | None = None
    day: int | None = None
    precision: Precision = "day"
    basis: Basis = "stated"


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    sentence: int
    start: int
    end: int


# Relations, engagements and claims name their parties by mention (an index into
# ``Extraction.mentions``); resolution turns each mention into its canonical entity.
Party = int


@dataclass(frozen=True)
class Claim:
    """An account attributed to a source: a mention, or free text ("un responsable local")."""

    source: Party | str
    outcome: str | None  # captured, repelled, ... as the source tells it
    evidence: Evidence


@dataclass(frozen=True)
class Relation:
    type: str  # FORMAT.md relation type: memberOf, alliedWith, backedBy, commands ...
    subject: Party
    object: Party
    evidence: Evidence
    start: PartialDate | None = None
    end: PartialDate | None = None
    claimed_by: Party | str | None = None
    confidence: float = 0.5
    kind: str | None = None  # support kind of a backedBy, rank of a commands


@dataclass(frozen=True)
class Engagement:
    type: str  # FORMAT.md engagement type
    date: PartialDate | None
    place: Party | None
    agents: tuple[Party, ...]
    targets: tuple[Party, ...]
    claimed_by: Party | str | None
    fatalities: int | None
    evidence: Evidence
    confidence: float = 0.5
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Extraction:
    document: Document
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    relations: tuple[Relation, ...] = field(default=())
    engagements: tuple[Engagement, ...] = field(default=())


Severity = Literal["Violation", "Warning", "Info"]
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Finding:
    """One SHACL result, for people: what is wrong, where it came from, what to do.

    IRIs are strings; ``name``, ``message`` and ``action`` are keyed by language ("en",
    "fr"). The fields after ``value`` are filled from the store (labels, evidence)."""

    severity: Severity
    shape: str  # the source shape (an IRI, or the blank node's id of a property shape)
    name: dict[str, str]
    message: dict[str, str]
    action: dict[str, str]
    focus: str
    path: str | None = None
    value: str | None = None
    component: str | None = None  # the SHACL constraint component's local name
    focus_label: str | None = None
    focus_type: str | None = None
    value_label: str | None = None
    document: str | None = None  # file name of the evidence's document
    sentence: str | None = None
    start: int | None = None
    end: int | None = None
    correction: str | None = None  # a ready-to-edit correction (YAML) for a curation file


@dataclass(frozen=True)
class ValidationReport:
    findings: tuple[Finding, ...]
    focus_nodes: int | None = None  # how many nodes a per-document check looked at
    seconds: float = 0.0
    documents: tuple[str, ...] | None = None  # the file names a per-document check covered

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        """No violation (warnings and infos do not fail a pipeline)."""
        return self.count("Violation") == 0


CorrectionKind = Literal["reject", "merge", "split", "correct", "add"]
CORRECTION_KINDS: tuple[CorrectionKind, ...] = ("reject", "merge", "split", "correct", "add")
CorrectionStatus = Literal["applied", "stale", "unneeded"]
CORRECTION_STATUSES: tuple[CorrectionStatus, ...] = ("applied", "stale", "unneeded")


@dataclass(frozen=True)
class Correction:
    """One entry of a curation file (curation/*.yaml), as written: ``target`` is the node
    it is about (an IRI, a short IRI such as ``engagement/3f2a...`` or a name), or for
    ``add`` the type of the fact it adds; ``fields`` holds the rest (into, names, date,
    agents ...)."""

    file: Path
    index: int  # its place in the file, from 1
    kind: CorrectionKind
    target: str
    fields: dict[str, object]
    curator: str
    date: dt.date
    why: str


@dataclass(frozen=True)
class CorrectionResult:
    correction: Correction
    iri: str
    status: CorrectionStatus
    node: str = ""  # what it changed or added (applied)
    detail: str = ""  # why it is stale or unneeded, for people


@dataclass(frozen=True)
class CurationReport:
    results: tuple[CorrectionResult, ...] = ()
    errors: tuple[str, ...] = ()  # a file that cannot be read: named, with its problem; the others apply

    def with_status(self, status: CorrectionStatus) -> list[CorrectionResult]:
        return [r for r in self.results if r.status == status]

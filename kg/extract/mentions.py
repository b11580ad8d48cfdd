"""Sentences and mentions of actors, persons and places.

Three sources, in order of trust: the reference ruler (names, aliases, acronyms of
known actors), acronym definitions in the text ("Armée de l'indépendance kachin (KIA)"),
and the model's NER for the rest. A mention's type comes from the reference list, else
from its name's head word ("Armée …" is an armed group), else it stays a plain Actor.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from ..model import Document, Mention, MentionKind, Sentence
from .nlp import ACTOR, CONTEXT_PREFIX, PERSON, PLACE

# head words of organisation names -> ontology type (lower-cased lemma-ish forms)
HEAD_TYPES: dict[str, str] = {
    "armée": "ArmedGroup", "armées": "ArmedGroup", "front": "ArmedGroup",
    "force": "ArmedGroup", "forces": "ArmedGroup", "mouvement": "ArmedGroup",
    "brigade": "ArmedGroup", "brigades": "ArmedGroup", "groupe": "ArmedGroup",
    "jama'at": "ArmedGroup", "jamaat": "ArmedGroup", "état": "ArmedGroup",
    "partisans": "ArmedGroup", "organisation": "ArmedGroup", "rassemblement": "ArmedGroup",
    "coordination": "ArmedGroup", "union": "ArmedGroup", "conseil": "Government",
    "gouvernement": "Government", "comité": "Government", "junte": "Government",
    "ministère": "Government", "parti": "PoliticalOrganization", "ligue": "PoliticalOrganization",
    "alliance": "Alliance", "coalition": "Alliance", "milice": "Militia", "milices": "Militia",
    "mission": "InternationalOrganization", "police": "StateForce", "garde": "StateForce",
    "gendarmerie": "StateForce",
}
# titles and ranks that precede a person's name and are not part of it
TITLES = {
    "général", "generale", "générale", "colonel", "lieutenant", "major", "capitaine", "commandant",
    "brigadier", "maréchal", "sergent", "caporal", "président", "présidente", "ministre",
    "chef", "dirigeant", "leader", "de", "brigade", "major-général", "lieutenant-colonel",
    "lieutenant-général", "général-major", "m.", "mme", "le", "la", "du", "l'", "l’", "-",
}
_FUNCTION = {"de", "du", "des", "d'", "d’", "la", "le", "l'", "l’", "et", "pour", "wal", "al", "-"}
_ACRONYM = re.compile(r"^[A-Z0-9][A-Za-z0-9]*[A-Z0-9](?:-[A-Z0-9]+)*$")


def sentences(document: Document, sdoc: Doc) -> tuple[Sentence, ...]:
    out = []
    for i, sent in enumerate(sdoc.sents):
        start, end = document.span(sent.start_char, sent.end_char)
        out.append(Sentence(document.id, i, start, end, document.text[start:end]))
    return tuple(out)


def head_type(name: str) -> str | None:
    words = name.replace("’", "'").split()
    if not words:
        return None
    first = words[0].lower()
    if first in ("l'", "la", "le", "les") and len(words) > 1:
        first = words[1].lower()
    first = first.removeprefix("l'")
    return HEAD_TYPES.get(first)


def _strip_titles(span: Span) -> Span | None:
    i = span.start
    while i < span.end and span.doc[i].lower_ in TITLES:
        i += 1
    stripped = span.doc[i : span.end]
    if len(stripped) == 0 or not stripped.text[:1].isupper():
        return None
    return stripped


def _long_form(sdoc: Doc, paren: int) -> Span | None:
    """The name an acronym in parentheses at token ``paren`` defines, if any."""
    lo = max(paren - 16, sdoc[paren].sent.start)
    for i in range(lo, paren):  # the earliest organisation head word wins
        tok = sdoc[i]
        if tok.text[:1].isupper() and head_type(tok.text):
            return sdoc[i:paren]
    i = paren - 1  # else a run of capitalised words joined by function words
    while i >= lo and (sdoc[i].text[:1].isupper() or sdoc[i].lower_ in _FUNCTION):
        i -= 1
    i += 1
    while i < paren and sdoc[i].lower_ in _FUNCTION:
        i += 1
    span = sdoc[i:paren]
    return span if sum(1 for t in span if t.text[:1].isupper()) >= 2 else None


def _mention(document: Document, sdoc: Doc, span: Span, kind: MentionKind, type_: str,
             ref: str | None, origin: str, long_form: str | None = None) -> Mention:
    start, end = document.span(span.start_char, span.end_char)
    return Mention(
        doc_id=document.id, sentence=_sent_index(sdoc, span), start=start, end=end,
        text=document.text[start:end], kind=kind, type=type_, ref=ref, origin=origin,
        long_form=long_form,
    )


def _sent_index(sdoc: Doc, span: Span) -> int:
    if "kg_sent_starts" not in sdoc.user_data:  # computed once per document
        sdoc.user_data["kg_sent_starts"] = [s.start for s in sdoc.sents]
    return bisect_right(sdoc.user_data["kg_sent_starts"], span.start) - 1


def find_mentions(document: Document, sdoc: Doc, nlp: Language) -> tuple[Mention, ...]:
    found: list[Mention] = []
    taken: set[int] = set()  # token indices already in a mention

    def keep(span: Span, *args: object, **kw: object) -> None:
        if any(t.i in taken for t in span):
            return
        taken.update(t.i for t in span)
        found.append(_mention(document, sdoc, span, *args, **kw))  # type: ignore[arg-type]

    definitions: dict[str, tuple[str, str]] = {}  # acronym -> (long form, type)
    for ent in sdoc.ents:
        if ent.ent_id_:  # the reference ruler
            if ent.ent_id_.startswith(CONTEXT_PREFIX):
                keep(ent, "actor", "Actor", ent.ent_id_, "contextual")
            elif ent.ent_id_.startswith("country-"):
                keep(ent, "place", "Country", ent.ent_id_, "reference")
            elif ent.label_ == PERSON:
                keep(ent, "person", "Person", ent.ent_id_, "reference")
            elif ent.label_ == PLACE:
                keep(ent, "place", "Place", ent.ent_id_, "reference")
            else:
                keep(ent, "actor", "Actor", ent.ent_id_, "reference")

    # acronym definitions: NAME (ACRONYM)
    for tok in sdoc:
        if tok.text == "(" and tok.i + 2 < len(sdoc) and sdoc[tok.i + 2].text == ")":
            acro = sdoc[tok.i + 1]
            if not _ACRONYM.match(acro.text) or acro.text.isdigit():
                continue
            long = _long_form(sdoc, tok.i)
            if long is None:
                continue
            type_ = head_type(long.text) or "Actor"
            definitions[acro.text] = (long.text, type_)
            keep(long, "actor", type_, None, "acronym", long.text)
            keep(sdoc[acro.i : acro.i + 1], "actor", type_, None, "acronym", long.text)

    # every later use of a defined acronym or long form in this document
    if definitions:
        matcher = Matcher(nlp.vocab)
        phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for acronym, (long_form, _) in definitions.items():
            matcher.add(acronym, [[{"TEXT": acronym}]])
            phrases.add(acronym, [nlp.make_doc(long_form)])
        hits = [(m, s, e) for m, s, e in matcher(sdoc)] + [(m, s, e) for m, s, e in phrases(sdoc)]
        for match_id, s, e in sorted(hits, key=lambda h: (h[1], -(h[2] - h[1]))):
            long_form, type_ = definitions[nlp.vocab.strings[match_id]]
            keep(sdoc[s:e], "actor", type_, None, "acronym", long_form)

    # the model's NER for the rest
    for ent in sdoc.ents:
        if ent.ent_id_:
            continue
        if ent.label_ == PERSON:
            span = _strip_titles(ent)
            if span is not None and len(span.text) > 2:
                keep(span, "person", "Person", None, "ner")
        elif ent.label_ == ACTOR and ent.text[:1].isupper():
            keep(ent, "actor", head_type(ent.text) or "Actor", None, "ner")
        elif ent.label_ == PLACE and ent.text[:1].isupper():
            keep(ent, "place", "Place", None, "ner")
    found.sort(key=lambda m: (m.start, m.end))
    return tuple(found)

"""Sentences and mentions of actors, persons and places.

Three sources, in order of trust: the reference ruler (names, aliases, acronyms of
known actors), acronym definitions in the text ("Armée de l'indépendance kachin (KIA)"),
and the model's NER for the rest. A mention's type comes from the reference list, else
from its name's head word ("Armée …" is an armed group), else it stays a plain Actor.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import numpy as np
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

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
             ref: str | None, origin: str, long_form: str | None = None,
             **facts: object) -> Mention:
    start, end = document.span(span.start_char, span.end_char)
    return Mention(
        doc_id=document.id, sentence=_sent_index(sdoc, span), start=start, end=end,
        text=document.text[start:end], kind=kind, type=type_, ref=ref, origin=origin,
        long_form=long_form, **facts,  # type: ignore[arg-type]
    )


def _sent_index(sdoc: Doc, span: Span) -> int:
    if "kg_sent_starts" not in sdoc.user_data:  # computed once per document
        sdoc.user_data["kg_sent_starts"] = [s.start for s in sdoc.sents]
    return bisect_right(sdoc.user_data["kg_sent_starts"], span.start) - 1


RANKS = ("général de brigade", "général de division", "major-général", "lieutenant général",
         "lieutenant-général", "général", "colonel", "lieutenant-colonel", "major", "capitaine",
         "lieutenant", "commandant", "sergent", "maréchal", "brigadier", "amiral", "vice-amiral")
RANK_STARTS = {r.split()[0] for r in RANKS}
RANKS_LONGEST_FIRST = sorted(RANKS, key=len, reverse=True)
_RANK_BEFORE = re.compile(r"(?i)\b(" + "|".join(sorted(RANKS, key=len, reverse=True))
                          + r")\s+$")
_FATES = [  # what follows a name in lists and infoboxes
    (re.compile(r"^\s*†"), "killed"),
    (re.compile(r"(?i)^\s*\(\s*prisonnier de guerre"), "captured"),
    (re.compile(r"(?i)^\s*\(\s*(?:s['’]est rendu|rendu)"), "surrendered"),
    (re.compile(r"(?i)^\s*\(\s*(?:arrêté|détenu)"), "arrested"),
    (re.compile(r"(?i)^\s*\(\s*s['’]est suicidé"), "suicide"),
]
_MARKERS_AFTER = re.compile(r"^(?:\s*(?:\[\d+\],?|\((?:en|zh|de|my|th)\)))*")
AGENT_DEPS = {"nsubj", "obl:agent"}
_CREDIT = re.compile(r"(?i)(?:illustration|photo|crédits?|source)\s*:\s*[\w/ ]*$")
SUPPORT_NOUNS = {"soutien", "appui", "aide", "allié", "alliée", "pression", "livraison",
                 "coopération", "alliance", "ingérence"}
# head nouns that make an ORG-looking name a non-actor (events, programmes, fora)
NON_ACTOR_HEADS = {"coopération", "forum", "sommet", "conférence", "accord", "pacte", "opération",
                   "bataille", "batailles", "festival", "prix", "programme", "plan", "traité",
                   "déclaration", "résolution", "guerre", "révolution", "parlement", "violences"}
UNIT_NOUNS = {"division", "bataillon", "brigade", "régiment", "compagnie", "escadron", "bataillons"}
_ORDINAL = re.compile(r"^\d+(?:e|ème|er)$")


def _agentive(span: Span) -> bool:
    """Named as one who acts: a subject, an agent, the giver of support, or a conjunct of one."""
    root = span.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head
    if root.dep_ in AGENT_DEPS:
        return True
    return root.dep_ in ("nmod", "obl:arg", "obl:mod") and root.head.lemma_.lower() in SUPPORT_NOUNS


def _trim(span: Span) -> Span:
    end = span.end
    while end > span.start and (span.doc[end - 1].is_punct or span.doc[end - 1].text in "•|"):
        end -= 1
    return span.doc[span.start:end]


def _ranked_persons(sdoc: Doc) -> list[tuple[Span, str]]:
    """'Général de brigade Tun Tun Myint', 'le colonel Aung Kyaw Lwin': name and rank."""
    out = []
    for tok in sdoc:
        if tok.lower_ not in RANK_STARTS:
            continue
        # the longest rank phrase starting here
        rank_end = None
        for rank in RANKS_LONGEST_FIRST:
            words = rank.replace("-", " - ").split()
            window = sdoc[tok.i : tok.i + len(words)]
            if [t.lower_ for t in window] == words:
                rank_end = tok.i + len(words)
                rank_text = window.text
                break
        if rank_end is None:
            continue
        j = rank_end
        while j < len(sdoc) and j - rank_end < 4 and sdoc[j].text[:1].isupper() \
                and sdoc[j].text.isalpha() and sdoc[j].lower_ not in TITLES:
            j += 1
        if j - rank_end >= 2:  # a name of two words or more
            out.append((sdoc[rank_end:j], rank_text))
    return out


def _fate_after(document: Document, end: int) -> str | None:
    rest = document.text[end : end + 60]
    rest = rest[_MARKERS_AFTER.match(rest).end():]  # type: ignore[union-attr]
    for pattern, fate in _FATES:
        if pattern.match(rest):
            return fate
    return None


def _covers(m: Mention, document: Document, tok: Token) -> bool:
    start, end = document.span(tok.idx, tok.idx + len(tok.text))
    return m.start <= start and end <= m.end


PLACE_CUES = {"à", "de", "d'", "d’", "vers", "près", "dans", "depuis", "sur"}
SUPPLY_NOUNS = {"équipement", "arme", "livraison", "soutien", "aide", "avion", "drone", "munition",
                "matériel", "conseiller", "instructeur", "mercenaire", "fourniture"}


def find_mentions(document: Document, sdoc: Doc, nlp: Language,
                  demonyms: dict[str, str] | None = None) -> tuple[Mention, ...]:
    found: list[Mention] = []
    taken: set[int] = set()  # token indices already in a mention
    text = sdoc.text  # built once: Doc.text joins every token anew

    def keep(span: Span, *args: object, **kw: object) -> None:
        if len(span) == 0 or any(t.i in taken for t in span):
            return
        if args and args[0] == "actor" and _CREDIT.search(text[max(0, span.start_char - 30):span.start_char]):
            return  # a photo credit names no actor of the story
        taken.update(t.i for t in span)
        found.append(_mention(document, sdoc, span, *args, **kw))  # type: ignore[arg-type]

    definitions: dict[str, tuple[str, str]] = {}  # acronym -> (long form, type)
    ref_of_acronym: dict[int, str] = {}  # token index -> reference key
    for ent in sdoc.ents:
        if ent.ent_id_:  # the reference ruler
            if ent.ent_id_.startswith(CONTEXT_PREFIX):
                keep(ent, "actor", "Actor", ent.ent_id_, "contextual")
            elif ent.ent_id_.startswith("country-"):
                keep(ent, "place", "Country", ent.ent_id_, "reference", agentive=_agentive(ent))
            elif ent.label_ == PERSON:
                keep(ent, "person", "Person", ent.ent_id_, "reference")
            elif ent.label_ == PLACE:
                keep(ent, "place", "Place", ent.ent_id_, "reference", agentive=_agentive(ent))
            else:
                keep(ent, "actor", "Actor", ent.ent_id_, "reference")
                for t in ent:
                    ref_of_acronym[t.i] = ent.ent_id_

    # acronym definitions: NAME (ACRONYM)
    for tok in sdoc:
        if tok.text == "(" and tok.i + 2 < len(sdoc) and sdoc[tok.i + 2].text == ")":
            acro = sdoc[tok.i + 1]
            if not _ACRONYM.match(acro.text) or acro.text.isdigit():
                continue
            long = _long_form(sdoc, tok.i)
            if long is None:
                continue
            if acro.i in ref_of_acronym:  # a known acronym: its long form names the same actor
                keep(long, "actor", "Actor", ref_of_acronym[acro.i], "reference")
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

    # persons named with their rank
    for span, rank_text in _ranked_persons(sdoc):
        keep(span, "person", "Person", None, "rank", rank=rank_text.lower())

    # numbered units: "99e division d'infanterie", "129e bataillon"
    for tok in sdoc:
        if _ORDINAL.match(tok.text) and tok.i + 1 < len(sdoc) and sdoc[tok.i + 1].lower_ in UNIT_NOUNS:
            end = tok.i + 2
            while end + 1 < len(sdoc) and sdoc[end].lower_ in ("d'", "d’", "de") \
                    and sdoc[end + 1].lower_ in ("infanterie", "artillerie", "blindés", "marine"):
                end += 2
                if end < len(sdoc) and sdoc[end].lower_ in ("légère", "lourde", "mécanisée"):
                    end += 1
            keep(sdoc[tok.i:end], "actor", "StateForce", None, "unit")

    # "des équipements militaires russes": the State behind the adjective
    if demonyms:
        for tok in sdoc:
            iso = demonyms.get(tok.lower_)
            if iso and tok.pos_ == "ADJ" and tok.head.lemma_.lower() in SUPPLY_NOUNS:
                keep(sdoc[tok.i : tok.i + 1], "actor", "State", f"state-{iso.lower()}", "demonym")

    # the model's NER for the rest (below), and before it names the NER missed after a
    # locative cue ("la base de Kyaukme", "à Goma"); resolution keeps them only when the
    # gazetteer or the curated places know them
    for tok in sdoc:
        if tok.lower_ not in PLACE_CUES or tok.i + 1 >= len(sdoc):
            continue
        j = tok.i + 1
        while j < len(sdoc) and j - tok.i <= 3 and sdoc[j].text[:1].isupper() \
                and (sdoc[j].is_alpha or "-" in sdoc[j].text) and sdoc[j].i not in taken:
            j += 1
        if j > tok.i + 1 and not sdoc[tok.i + 1].ent_type_ in ("ORG", "PER"):
            keep(sdoc[tok.i + 1 : j], "place", "Place", None, "cue")

    # the model's NER for the rest
    for ent in sdoc.ents:
        if ent.ent_id_:
            continue
        span = _trim(ent)
        if len(span) == 0:
            continue
        if ent.label_ == PERSON:
            person = _strip_titles(span)
            if person is not None and len(person) >= 2:
                keep(person, "person", "Person", None, "ner")
        elif ent.label_ == ACTOR and span.text[:1].isupper():
            if span[0].lower_ not in NON_ACTOR_HEADS:
                keep(span, "actor", head_type(span.text) or "Actor", None, "ner")
        elif ent.label_ == PLACE and span.text[:1].isupper():
            keep(span, "place", "Place", None, "ner", agentive=_agentive(span))

    # "Amadou Toumani Touré (dit ATT)": the short name is the person's alias
    persons = {m.end: m for m in found if m.kind == "person"}
    for tok in sdoc:
        if tok.lower_ in ("dit", "alias") and tok.i > 0 and sdoc[tok.i - 1].text == "(" \
                and tok.i + 1 < len(sdoc) and sdoc[tok.i + 1].text[:1].isupper():
            start, _ = document.span(sdoc[tok.i - 1].idx, sdoc[tok.i - 1].idx + 1)
            owner = next((p for end, p in persons.items() if 0 <= start - end <= 1), None)
            if owner is not None:  # the alias replaces whatever the NER made of it
                taken.discard(tok.i + 1)
                found[:] = [m for m in found if not _covers(m, document, sdoc[tok.i + 1])]
                keep(sdoc[tok.i + 1 : tok.i + 2], "person", "Person", owner.ref, "alias",
                     owner.text)

    # ranks written just before a name, and fates written just after it
    out = []
    for m in found:
        if m.kind == "person":
            rank: str | None = m.rank
            if rank is None:
                before = _RANK_BEFORE.search(document.text[max(0, m.start - 40) : m.start])
                rank = before.group(1).lower() if before else None
            m = Mention(**{**m.__dict__, "rank": rank, "fate": _fate_after(document, m.end)})
        out.append(m)
    out.sort(key=lambda m: (m.start, m.end))
    return tuple(out)


class MentionIndex:
    """Which mention covers a token, computed once per document."""

    def __init__(self, document: Document, mentions: tuple[Mention, ...], sdoc: Doc) -> None:
        self.mentions = mentions
        self.by_token: dict[int, int] = {}
        if mentions and len(sdoc):
            # vectorised over the tokens (numpy): each token's file offset, then the
            # mention (sorted by start) that may cover it
            seg = np.asarray(document.segments, dtype=np.int64)
            idx = sdoc.to_array("IDX").astype(np.int64)
            j = np.maximum(np.searchsorted(seg[:, 0], idx, side="right") - 1, 0)
            start = seg[j, 1] + np.minimum(idx - seg[j, 0], seg[j, 2])
            starts = np.fromiter((m.start for m in mentions), np.int64, len(mentions))
            ends = np.fromiter((m.end for m in mentions), np.int64, len(mentions))
            i = np.searchsorted(starts, start, side="right") - 1
            ok = i >= 0
            ok[ok] &= start[ok] < ends[i[ok]]
            self.by_token = dict(zip(np.flatnonzero(ok).tolist(), i[ok].tolist(), strict=True))

        self._starts = [m.start for m in mentions]
        self._longest = max((m.end - m.start for m in mentions), default=0)
        self.tokens: dict[int, list[int]] = {}
        for t, i in self.by_token.items():
            self.tokens.setdefault(i, []).append(t)

    def covering(self, start: int, end: int) -> list[Mention]:
        """The mentions whose file span contains [start, end)."""
        i = bisect_right(self._starts, start)
        out = []
        while i > 0 and self._starts[i - 1] >= start - self._longest:
            i -= 1
            if end <= self.mentions[i].end:
                out.append(self.mentions[i])
        return out

    def at(self, tok: Token) -> int | None:
        return self.by_token.get(tok.i)

    def in_tokens(self, tokens: list[Token] | Span, kinds: tuple[str, ...]) -> list[int]:
        """Mentions of these kinds among the tokens; a place named as one who acts
        ("la Russie a signé") counts as an actor: it resolves to its State too."""
        out: list[int] = []
        for t in tokens:
            i = self.by_token.get(t.i)
            if i is None or i in out:
                continue
            m = self.mentions[i]
            if m.kind in kinds or ("actor" in kinds and m.kind == "place" and m.agentive):
                out.append(i)
        return out

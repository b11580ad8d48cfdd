"""Sentences and mentions of actors, persons and places.

Three sources, in order of trust: the reference ruler (names, aliases, acronyms of
known actors), acronym definitions in the text ("Armée de l'indépendance kachin (KIA)"),
and the model's NER for the rest. A mention's type comes from the reference list, else
from its name's head word ("Armée …" is an armed group), else it stays a plain Actor.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

import numpy as np
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

from ..model import Document, Mention, MentionKind, Origin, Sentence, StateBody
from ..text import fold
from . import lang
from .nlp import ACTOR, CONTEXT_PREFIX, PERSON, PLACE

FR = lang.load("fr")
# head words of organisation names -> ontology type (lower-cased lemma-ish forms)
HEAD_TYPES: dict[str, str] = FR.table("name_heads")
# titles and ranks that precede a person's name and are not part of it
TITLES = FR.words("titles")
PARTICLES = FR.words("name_particles")
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
             ref: str | None, origin: Origin, long_form: str | None = None,
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


RANKS = FR.ordered("ranks")
RANK_STARTS = {r.split()[0] for r in RANKS}
RANKS_LONGEST_FIRST = sorted(RANKS, key=len, reverse=True)
_RANK_BEFORE = re.compile(r"(?i)\b(" + "|".join(re.escape(r) for r in RANKS_LONGEST_FIRST)
                          + r")\s+$")
_FATES = [(re.compile(p), fate) for fate, patterns in FR.get("fates").items() for p in patterns]
_MARKERS_AFTER = re.compile(r"^(?:\s*(?:\[\d+\],?|\((?:en|zh|de|my|th)\)))*")
AGENT_DEPS = {"nsubj", "obl:agent"}
_CREDIT = re.compile(r"(?i)(?:" + "|".join(FR.ordered("credit_words")) + r")\s*:\s*[\w/ ]*$")
SUPPORT_NOUNS = FR.words("support_nouns")
NON_ACTOR_HEADS = FR.words("non_actor_heads")
UNIT_NOUNS = FR.words("unit_nouns")
FIELD_NAMES = FR.words("field_names")
UNIT_SPECIALITIES = FR.words("unit_specialities")
UNIT_MODIFIERS = FR.words("unit_modifiers")
COMMAND_NOUNS = FR.words("command_nouns")
COMMAND_REGIONS = {w.replace("’", "'") for w in FR.words("command_regions")}
_ORDINAL = re.compile(r"^\d+(?:e|ème|er)$")


def _agentive(span: Span) -> bool:
    """Named as one who acts: a subject, an agent, the giver of support, or a conjunct of one."""
    root = span.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head
    if root.dep_ in AGENT_DEPS:
        return True
    if any(c.dep_ == "acl:relcl" and any(g.dep_ == "nsubj" and g.lower_ == "qui" for g in c.children)
           for c in root.children):
        return True  # "Washington, qui a annoncé ...": the subject of its own clause
    return root.dep_ in ("nmod", "obl:arg", "obl:mod") and root.head.lemma_.lower() in SUPPORT_NOUNS


def _trim(span: Span) -> Span:
    end = span.end
    while end > span.start and (span.doc[end - 1].is_punct or span.doc[end - 1].text in "•|"
                                or span.doc[end - 1].pos_ in ("DET", "ADP", "CCONJ")):
        end -= 1
    return span.doc[span.start:end]


def _name_word(tok: Token) -> bool:
    """A word of a person's name: capitalised ("Burhane", "al-Burhane" counts by its
    capital after the particle), or a lower-case particle ("ag", "ould", "al")."""
    text = tok.text
    if text[:1].isupper():
        return (text.replace("-", "").replace("'", "").replace("’", "").isalpha()
                and tok.lower_ not in TITLES)
    head, _, rest = text.partition("-")
    return head in PARTICLES and rest[:1].isupper()


def _ranked_persons(sdoc: Doc) -> list[tuple[Span, str]]:
    """'Général de brigade Tun Tun Myint', 'le colonel Aung Kyaw Lwin', 'le général
    Abdel Fattah al-Burhane', 'le général Hemedti': name and rank. A one-word name
    counts when the rank is its own (not "le général de l'armée")."""
    out = []
    for tok in sdoc:
        if tok.lower_ not in RANK_STARTS:
            continue
        # the longest rank phrase starting here
        rank_end = None
        for rank in RANKS_LONGEST_FIRST:
            words = rank.replace("-", " - ").replace("'", "' ").split()
            window = sdoc[tok.i : tok.i + len(words)]
            if [t.lower_.replace("’", "'") for t in window] == words:
                rank_end = tok.i + len(words)
                rank_text = window.text
                break
        if rank_end is None:
            continue
        j = rank_end
        while j < len(sdoc) and j - rank_end < 6:
            t = sdoc[j]
            particle = t.lower_ in PARTICLES and j > rank_end and j + 2 < len(sdoc) and (
                sdoc[j + 1].text[:1].isupper()
                or (sdoc[j + 1].text == "-" and sdoc[j + 2].text[:1].isupper()))
            joined = t.text == "-" and j > rank_end and j + 1 < len(sdoc) \
                and _name_word(sdoc[j + 1]) and not t.whitespace_ and not sdoc[j - 1].whitespace_
            if _name_word(t) or particle or joined:
                j += 1
            else:
                break
        while j > rank_end and (sdoc[j - 1].lower_ in PARTICLES or sdoc[j - 1].text == "-"):
            j -= 1
        if j > rank_end and (j - rank_end >= 2 or sdoc[rank_end].ent_type_ in ("", "PER", "ORG", "MISC")):
            span = sdoc[rank_end:j]
            if not (len(span) == 1 and (span[0].ent_type_ == "LOC" or HEAD_TYPES.get(span[0].lower_))):
                out.append((span, rank_text))
    return out


def _fate_after(document: Document, end: int) -> str | None:
    rest = document.text[end : end + 60]
    rest = rest[_MARKERS_AFTER.match(rest).end():]  # type: ignore[union-attr]
    for pattern, fate in _FATES:
        if pattern.match(rest):
            return fate
    return None


def _name_part(sdoc: Doc, j: int, *, first: bool) -> int:
    """How many tokens from ``j`` continue a place name after a locative cue: a
    capitalised word (1); a hyphen inside a name, "El-Obeid" (2: the hyphen and the next
    word); a short particle joined by a hyphen, "Deir ez-Zor" (3)."""
    n = len(sdoc)
    t = sdoc[j]
    if t.text[:1].isupper() and (t.is_alpha or "-" in t.text):
        return 1
    if first:
        return 0

    def joined(k: int) -> bool:  # a hyphen glued to the words around it
        return k + 1 < n and sdoc[k].text in ("-", "‐") and not sdoc[k - 1].whitespace_ \
            and not sdoc[k].whitespace_ and sdoc[k + 1].text[:1].isupper()

    if joined(j):
        return 2
    if t.is_lower and t.is_alpha and len(t) <= 3 and not t.whitespace_ and joined(j + 1):
        return 3
    return 0


def _covers(m: Mention, document: Document, tok: Token) -> bool:
    start, end = document.span(tok.idx, tok.idx + len(tok.text))
    return m.start <= start and end <= m.end


PLACE_CUES = FR.words("place_cues")
SUPPLY_NOUNS = FR.words("supply_nouns")


def _words(phrase: str) -> tuple[str, ...]:
    """A lexicon phrase as spaCy's French tokenizer splits it ("l'armée" -> l' armée)."""
    return tuple(phrase.lower().replace("’", "'").replace("'", "' ").replace("-", " - ").split())


def _phrase_index(table: dict[str, str]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (words, value), longest phrase first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, value in table.items():
        words = _words(phrase)
        index.setdefault(words[0], []).append((words, value))
    for options in index.values():
        options.sort(key=lambda o: -len(o[0]))
    return index


def _norm(tok: Token) -> str:
    return tok.lower_.replace("’", "'")


def _phrase_at(sdoc: Doc, i: int, index: dict[str, list[tuple[tuple[str, ...], str]]]
               ) -> tuple[int, str] | None:
    """The longest lexicon phrase starting at token ``i``: (end token, value)."""
    for words, value in index.get(_norm(sdoc[i]), ()):
        if tuple(_norm(t) for t in sdoc[i : i + len(words)]) == words:
            return i + len(words), value
    return None


STATE_ROLES: dict[str, dict[str, str]] = FR.get("state_roles")
STATE_HEADS = _phrase_index(FR.table("state_heads"))
CONTEXTUAL_ROLES = {" ".join(_words(k)): v for k, v in FR.table("contextual_state").items()}
CONTEXTUAL_STATE = _phrase_index(FR.table("contextual_state"))
OWN_STATE = _phrase_index({w: "own" for w in FR.words("own_state_adjectives")})
MINISTRY_HEADS = FR.words("ministry_heads")
COLLECTIVES = _phrase_index(FR.table("collective_heads"))
COLLECTIVE_LINKS = FR.words("collective_links")
_DE = {"de", "du", "des", "d'"}
_ARTICLES = {"le", "la", "les", "l'"}


def _lexicon_hits(sdoc: Doc, index: dict[str, list[tuple[tuple[str, ...], str]]],
                  taken: set[int]) -> Iterator[tuple[int, int, str]]:
    """Each longest lexicon phrase in the document, left to right, not overlapping the
    previous one nor starting on a taken token: (start, end, value)."""
    i, n = 0, len(sdoc)
    while i < n:
        hit = _phrase_at(sdoc, i, index) if i not in taken else None
        if hit is None:
            i += 1
            continue
        yield i, hit[0], hit[1]
        i = hit[0]


def _region_name(span: Span) -> bool:
    """"État d'al-Jazirah", "province du Nord-Kivu": a region's name, not an organisation."""
    return len(span) > 2 and fold(span[0].text) in ("etat", "province", "region") \
        and _norm(span[1]) in _DE


def _country_tokens(sdoc: Doc) -> dict[int, tuple[int, str]]:
    """Token index -> (end token, ISO code) of each country the ruler named."""
    out: dict[int, tuple[int, str]] = {}
    for ent in sdoc.ents:
        if ent.ent_id_.startswith("country-"):
            out[ent.start] = (ent.end, ent.ent_id_.split("-", 1)[1].upper())
    return out


def _state_bodies(sdoc: Doc, demonyms: dict[str, str], taken: set[int]
                  ) -> list[tuple[Span, StateBody, Origin]]:
    """State bodies named by description: a head ("l'armée", "les forces", "les autorités")
    with a nationality adjective, a country complement, an adjective meaning the
    document's own state ("régulière", "gouvernementales"), or alone as a contextual
    name ("la junte", "le régime"); "forces américaines et britanniques" is two."""
    countries = _country_tokens(sdoc)
    out: list[tuple[Span, StateBody, Origin]] = []
    n = len(sdoc)
    resume = 0  # a description may run past its head ("forces du Niger")
    for i, end, role in _lexicon_hits(sdoc, STATE_HEADS, taken):
        if i < resume:
            continue
        tok = sdoc[i]
        if end == i + 1 and (tok.pos_ == "ADJ" or (tok.dep_ == "amod" and tok.head.i < tok.i)):
            continue  # "équipements militaires russes", "son aile armée": no one's forces
        if tok.text[:1].isupper() and i > tok.sent.start and end < n and sdoc[end].text[:1].isupper():
            continue  # a proper name ("Forces Démocratiques ..."): the name rules decide
        k = end
        if k < n and sdoc[k].pos_ == "ADJ" and demonyms.get(fold(sdoc[k].text)) is None \
                and _phrase_at(sdoc, k, OWN_STATE) is None and k + 1 < n \
                and demonyms.get(fold(sdoc[k + 1].text)) is not None:
            k += 1  # "forces spéciales américaines", "forces terrestres russes"
        iso = demonyms.get(fold(sdoc[k].text)) if k < n else None
        if iso is not None and k not in taken:
            out.append((sdoc[i : k + 1], StateBody(role, iso), Origin.STATE))
            # "… américaines et britanniques": a second state's forces
            if k + 2 < n and sdoc[k + 1].lower_ == "et" and demonyms.get(fold(sdoc[k + 2].text)):
                out.append((sdoc[k + 2 : k + 3], StateBody(role, demonyms[fold(sdoc[k + 2].text)]),
                            Origin.STATE))
                k += 2
            resume = k + 1
            continue
        own = _phrase_at(sdoc, k, OWN_STATE) if k < n else None
        if own is not None:  # "l'armée régulière", "le gouvernement au pouvoir"
            out.append((sdoc[i : own[0]], StateBody(role), Origin.CONTEXTUAL))
            resume = own[0]
            continue
        if k + 1 < n and _norm(sdoc[k]) in _DE:
            j = k + 1 + (_norm(sdoc[k + 1]) in _ARTICLES)
            if j in countries:
                c_end, iso = countries[j]
                out.append((sdoc[i:c_end], StateBody(role, iso), Origin.STATE))
                resume = c_end
                continue
        if tok.lower_ in MINISTRY_HEADS and k + 2 < n and _norm(sdoc[k]) in _DE:
            j = k + 1 + (_norm(sdoc[k + 1]) in _ARTICLES)  # "ministère de la Sécurité"
            if j < n and sdoc[j].pos_ in ("NOUN", "PROPN"):
                j += 1
                while j < n and j - k < 6 and (sdoc[j].pos_ == "ADJ" or (
                        sdoc[j].lower_ == "et" and j + 1 < n and sdoc[j + 1].pos_ in ("NOUN", "PROPN"))):
                    j += 2 if sdoc[j].lower_ == "et" else 1
                out.append((sdoc[i:j], StateBody(role), Origin.CONTEXTUAL))
                resume = j
                continue
        start = i - 1 if i > 0 and _norm(sdoc[i - 1]) in _ARTICLES else i
        ctx = _phrase_at(sdoc, start, CONTEXTUAL_STATE) or _phrase_at(sdoc, i, CONTEXTUAL_STATE)
        following = sdoc[ctx[0]] if ctx and ctx[0] < n else None
        named_after = following is not None and (
            following.text[:1].isupper() and following.ent_type_ in ("ORG", "MISC", "PER"))
        # "le gouvernement civil en exil", "l'armée rebelle": a qualifier makes it another body
        qualified = following is not None and following.dep_ == "amod" \
            and following.head.i < following.i and _phrase_at(sdoc, following.i, OWN_STATE) is None
        if ctx is not None and not named_after and not qualified and (ctx[0] >= end):
            out.append((sdoc[i : ctx[0]], StateBody(ctx[1]), Origin.CONTEXTUAL))
            resume = ctx[0]
    return out


def _named_after(sdoc: Doc, end: int, named: set[int]) -> int | None:
    """The token where a named actor starts right after a collective: "rebelles houthis",
    "rebelles du M23", "paramilitaires des Forces de soutien rapide"."""
    n = len(sdoc)
    if end >= n:
        return None
    if end in named or (sdoc[end].text[:1].isupper() and sdoc[end].pos_ == "PROPN"):
        return end
    if _norm(sdoc[end]) in COLLECTIVE_LINKS:
        j = end + 1 + (end + 1 < n and _norm(sdoc[end + 1]) in _ARTICLES)
        if j < n and (j in named or sdoc[j].text[:1].isupper()):
            return j
    return None


def _collectives(sdoc: Doc, taken: set[int], named: set[int],
                 anchors: list[tuple[str, int]]) -> list[tuple[Span, str, str]]:
    """Collectives with no name ("des hommes armés", "les jihadistes"): span, type, head.
    Not when a named actor follows ("rebelles du M23"): then the head is an anchor, and
    the bare collective later in the text means that actor."""
    out = []
    n = len(sdoc)
    for i, end, type_ in _lexicon_hits(sdoc, COLLECTIVES, taken):
        head = " ".join(_words(sdoc[i:end].text))
        while end < n and sdoc[end].pos_ == "ADJ" and end not in taken and end not in named:
            end += 1  # "gangs criminels", "groupe armé islamiste"
        name = _named_after(sdoc, end, named)
        if name is not None:
            anchors.append((head, name))
            continue
        if any(t.i in taken for t in sdoc[i:end]):
            continue
        out.append((sdoc[i:end], type_, head))
    return out


def find_mentions(document: Document, sdoc: Doc, nlp: Language,
                  demonyms: dict[str, str] | None = None) -> tuple[Mention, ...]:
    found: list[Mention] = []
    taken: set[int] = set()  # token indices already in a mention
    text = sdoc.text  # built once: Doc.text joins every token anew

    def keep(span: Span, *args: object, **kw: object) -> None:
        if len(span) == 0 or any(t.i in taken for t in span):
            return
        if span.text.lower() in FIELD_NAMES and kw.get("state") is None and args[3] != Origin.COLLECTIVE:
            return  # an infobox field name ("Lieu", "Pertes") names nothing
        if args and args[0] == "actor" and _CREDIT.search(text[max(0, span.start_char - 30):span.start_char]):
            return  # a photo credit names no actor of the story
        taken.update(t.i for t in span)
        found.append(_mention(document, sdoc, span, *args, **kw))  # type: ignore[arg-type]

    # named actors (the ruler's names and the model's organisations), and the collectives
    # that were said of one of them ("rebelles du M23"): (head, token of the name)
    named = {t.i for ent in sdoc.ents if ent.label_ == ACTOR
             and not ent.ent_id_.startswith(CONTEXT_PREFIX) for t in ent}
    anchors: list[tuple[str, int]] = []
    bodies = _state_bodies(sdoc, demonyms or {}, set())
    longer = [span for span, _, _ in bodies]  # "l'armée régulière", "l'armée soudanaise"
    definitions: dict[str, tuple[str, str]] = {}  # acronym -> (long form, type)
    matcher_state: dict[str, StateBody] = {}  # acronym -> the state body it abbreviates
    ref_of_acronym: dict[int, str] = {}  # token index -> reference key
    for ent in sdoc.ents:
        if ent.ent_id_:  # the reference ruler
            if ent.ent_id_.startswith(CONTEXT_PREFIX):
                if any(b.start < ent.end and ent.start < b.end and b.end > ent.end for b in longer):
                    continue  # "l'armée soudanaise": the description says whose army
                name = _named_after(sdoc, ent.end, named)
                if name is not None and ent.end - ent.start <= 2:  # "rebelles du M23": the M23
                    anchors.append((" ".join(_words(ent.text)), name))
                    continue
                role = CONTEXTUAL_ROLES.get(" ".join(_words(ent.ent_id_[len(CONTEXT_PREFIX):])))
                keep(ent, "actor", STATE_ROLES[role]["type"] if role else "Actor", ent.ent_id_,
                     Origin.CONTEXTUAL, state=StateBody(role) if role else None)
            elif ent.ent_id_.startswith("country-"):
                keep(ent, "place", "Country", ent.ent_id_, Origin.REFERENCE, agentive=_agentive(ent))
            elif ent.label_ == PERSON:
                keep(ent, "person", "Person", ent.ent_id_, Origin.REFERENCE)
            elif ent.label_ == PLACE:
                keep(ent, "place", "Place", ent.ent_id_, Origin.REFERENCE, agentive=_agentive(ent))
            else:
                keep(ent, "actor", "Actor", ent.ent_id_, Origin.REFERENCE)
                for t in ent:
                    ref_of_acronym[t.i] = ent.ent_id_

    # states' forces and governments named by description ("l'armée soudanaise", "la junte")
    state_of: dict[int, StateBody] = {}  # first token -> the body it names
    for span, body, origin in bodies:
        keep(span, "actor", STATE_ROLES[body.role]["type"], None, origin, state=body)
        state_of[span.start] = body

    # acronym definitions: NAME (ACRONYM)
    for tok in sdoc:
        if tok.text == "(" and tok.i + 2 < len(sdoc) and sdoc[tok.i + 2].text == ")":
            acro = sdoc[tok.i + 1]
            if not _ACRONYM.match(acro.text) or acro.text.isdigit():
                continue
            long = _long_form(sdoc, tok.i)
            if long is None:
                continue
            long_body = next((b for i, b in state_of.items() if long.start <= i < tok.i), None)
            if long_body is not None:  # "Forces armées maliennes (FAMa)": the same state body
                matcher_state[acro.text] = long_body
                keep(sdoc[acro.i : acro.i + 1], "actor", STATE_ROLES[long_body.role]["type"], None,
                     Origin.STATE, state=long_body)
                continue
            if acro.i in ref_of_acronym:  # a known acronym: its long form names the same actor
                keep(long, "actor", "Actor", ref_of_acronym[acro.i], Origin.REFERENCE)
                continue
            type_ = head_type(long.text) or "Actor"
            definitions[acro.text] = (long.text, type_)
            keep(long, "actor", type_, None, Origin.ACRONYM, long.text)
            keep(sdoc[acro.i : acro.i + 1], "actor", type_, None, Origin.ACRONYM, long.text)

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
            keep(sdoc[s:e], "actor", type_, None, Origin.ACRONYM, long_form)

    for tok in sdoc:  # later uses of an acronym of a state body
        if tok.text in matcher_state and tok.i not in taken:
            body = matcher_state[tok.text]
            keep(sdoc[tok.i : tok.i + 1], "actor", STATE_ROLES[body.role]["type"], None,
                 Origin.STATE, state=body)

    # persons named with their rank
    for span, rank_text in _ranked_persons(sdoc):
        keep(span, "person", "Person", None, Origin.RANK, rank=rank_text.lower())

    # numbered units: "99e division d'infanterie", "129e bataillon"
    for tok in sdoc:
        if _ORDINAL.match(tok.text) and tok.i + 1 < len(sdoc) and sdoc[tok.i + 1].lower_ in UNIT_NOUNS:
            end = tok.i + 2
            while end + 1 < len(sdoc) and sdoc[end].lower_ in ("d'", "d’", "de") \
                    and sdoc[end + 1].lower_ in UNIT_SPECIALITIES:
                end += 2
                if end < len(sdoc) and sdoc[end].lower_ in UNIT_MODIFIERS:
                    end += 1
            keep(sdoc[tok.i:end], "actor", "StateForce", None, Origin.UNIT)

    # commands named by their region: "le commandement oriental", "commandement du Nord-Est"
    for tok in sdoc:
        if tok.lower_ not in COMMAND_NOUNS:
            continue
        end = tok.i + 1
        while True:  # region phrases, the longest each time: "régional" then "ouest"
            longest = 0
            for n in range(1, 5):
                span = sdoc[end : min(end + n, len(sdoc))]
                if len(span) == n and span.text.lower().replace("’", "'") in COMMAND_REGIONS:
                    longest = n
            if not longest:
                break
            end += longest
        if end > tok.i + 1:
            keep(sdoc[tok.i : end], "actor", "StateForce", None, Origin.UNIT)

    # "des équipements militaires russes": the State behind the adjective
    if demonyms:
        for tok in sdoc:
            iso = demonyms.get(fold(tok.text))
            if iso and tok.pos_ == "ADJ" and tok.head.lemma_.lower() in SUPPLY_NOUNS:
                start = tok.head.i if tok.head.i == tok.i - 1 and tok.head.i not in taken else tok.i
                keep(sdoc[start : tok.i + 1], "actor", "State", f"state-{iso.lower()}",
                     Origin.DEMONYM)

    # collectives with no name ("des hommes armés"), unless a named actor follows
    for span, type_, head in _collectives(sdoc, taken, named, anchors):
        keep(span, "actor", type_, None, Origin.COLLECTIVE, head=head)

    # the model's NER for the rest (below), and before it names the NER missed after a
    # locative cue ("la base de Kyaukme", "à Goma"); resolution keeps them only when the
    # gazetteer or the curated places know them
    for tok in sdoc:
        if tok.lower_ not in PLACE_CUES or tok.i + 1 >= len(sdoc):
            continue
        j = tok.i + 1
        while j < len(sdoc) and j - tok.i <= 6:
            step = _name_part(sdoc, j, first=j == tok.i + 1)
            if not step or any(k in taken for k in range(j, j + step)):
                break
            j += step
        # after a locative cue, a name the model calls a person is a place too ("dans Wad
        # Madani"); resolution keeps it only if the gazetteer knows the place
        if j > tok.i + 1 and sdoc[tok.i + 1].ent_type_ != "ORG":
            keep(sdoc[tok.i + 1 : j], "place", "Place", None, Origin.CUE)

    # the model's NER for the rest
    for ent in sdoc.ents:
        if ent.ent_id_:
            continue
        span = _trim(ent)
        if len(span) == 0:
            continue
        if ent.label_ == PERSON:  # a name with a digit is a model of equipment ("MA-1 MK-I")
            person = _strip_titles(span)
            if person is not None and len(person) >= 2 and not any(c.isdigit() for c in person.text):
                keep(person, "person", "Person", None, Origin.NER)
        elif ent.label_ == ACTOR and span.text[:1].isupper():
            if _region_name(span):  # "l'État d'al-Jazirah": a region
                keep(span, "place", "Region", None, Origin.NER)
            elif span[0].lower_ not in NON_ACTOR_HEADS:
                keep(span, "actor", head_type(span.text) or "Actor", None, Origin.NER)
        elif ent.label_ == PLACE and span.text[:1].isupper():
            org_type = head_type(span.text) if len(span) > 1 else None
            # a katiba or a front tagged a place
            if org_type and span[0].lower_ not in NON_ACTOR_HEADS and not _region_name(span):
                keep(span, "actor", org_type, None, Origin.NER)
            else:
                keep(span, "place", "Place", None, Origin.NER, agentive=_agentive(span))

    # "Amadou Toumani Touré (dit ATT)": the short name is the person's alias
    persons = {m.end: m for m in found if m.kind == "person"}
    for tok in sdoc:
        if tok.lower_ in ("dit", Origin.ALIAS) and tok.i > 0 and sdoc[tok.i - 1].text == "(" \
                and tok.i + 1 < len(sdoc) and sdoc[tok.i + 1].text[:1].isupper():
            start, _ = document.span(sdoc[tok.i - 1].idx, sdoc[tok.i - 1].idx + 1)
            owner = next((p for end, p in persons.items() if 0 <= start - end <= 1), None)
            if owner is not None:  # the alias replaces whatever the NER made of it
                taken.discard(tok.i + 1)
                found[:] = [m for m in found if not _covers(m, document, sdoc[tok.i + 1])]
                keep(sdoc[tok.i + 1 : tok.i + 2], "person", "Person", owner.ref, Origin.ALIAS,
                     owner.text)

    # "Bachar al-Assad" then "le régime d'al-Assad": a surname alone, after the full name
    owners = sorted((m for m in found if m.kind == "person" and len(m.text.split()) >= 2), key=lambda m: m.start)
    for owner in owners:
        surname = owner.text.split()[-1]
        if len(surname) < 4 or not (surname[:1].isupper() or "-" in surname):
            continue
        for hit in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
            found_span = sdoc.char_span(hit.start(), hit.end())
            if found_span is None or document.to_text_offset(hit.start()) <= owner.end:
                continue
            # the model often takes a surname alone for a place ("… de Haftar"): the name wins
            guessed = [m for m in found if m.kind == "place" and m.origin in (Origin.NER, Origin.CUE)
                       and m.text == surname and _covers(m, document, found_span[0])]
            if guessed:
                found[:] = [m for m in found if m not in guessed]
                taken.difference_update(t.i for t in found_span)
            keep(found_span, "person", "Person", owner.ref, Origin.SURNAME)

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
    return tuple(_refer_back(document, sdoc, out, anchors))


def _refer_back(document: Document, sdoc: Doc, mentions: list[Mention],
                anchors: list[tuple[str, int]]) -> list[Mention]:
    """After "les rebelles du M23", a bare "les rebelles" means the M23: the collective
    mention takes the name it was said of (``refers_to``)."""
    if not anchors:
        return mentions
    starts = {m.start: m for m in mentions if m.kind == "actor"}
    said: list[tuple[int, str, str]] = []  # (file offset, head, name)
    for head, tok in anchors:
        start, _ = document.span(sdoc[tok].idx, sdoc[tok].idx + len(sdoc[tok].text))
        if start in starts:
            said.append((start, head, starts[start].text))
    out = []
    for m in mentions:
        if m.origin in (Origin.COLLECTIVE, Origin.CONTEXTUAL) and m.state is None:
            words = " ".join(w for w in _words(m.text) if w not in _ARTICLES)
            earlier = [name for at, head, name in said if at < m.start and head == words]
            if earlier:
                m = Mention(**{**m.__dict__, "refers_to": earlier[-1]})
        out.append(m)
    return out


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

    def within(self, start: int, end: int) -> list[int]:
        """The mentions (indices) whose file span lies inside [start, end), in order."""
        out = []
        for i in range(bisect_left(self._starts, start), bisect_left(self._starts, end)):
            if self.mentions[i].end <= end:
                out.append(i)
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

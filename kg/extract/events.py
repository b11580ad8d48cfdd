"""Engagements from the parse: a trigger (verb or noun of combat), who acts on whom,
where, when, how many died, and who says so.

Agents and targets come from the dependency tree: the trigger's subject (or the
``par`` agent of a passive) acts; its object, a passive subject, or a ``contre`` phrase
is acted on. A mention inside a phrase counts for it ("les troupes de la KIA" is the
KIA). Present-tense narrative, where the parser often attaches the object as ``nmod``,
falls back to the order of the sentence: the actor before the trigger acts on the one
after it.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc, Span, Token

from ..model import Claim, Document, Engagement, Evidence, Mention, PartialDate, Sentence
from . import lang
from .dates import DateMention, SentenceDates
from .mentions import MentionIndex

FR = lang.load("fr")
# trigger lemma -> engagement type, by part of speech
VERB_TRIGGERS: dict[str, str] = FR.table("verb_triggers")
HABITUAL = FR.words("habitual")
GENERIC_DETERMINERS = FR.words("generic_determiners")
POSSIBILITY_VERBS = FR.words("possibility_verbs")
TREND_VERBS = FR.words("trend_verbs")
# present-tense verbs the tagger takes for nouns ("le TNLA capture le camp")
MISTAGGED_VERBS = FR.table("mistagged_verbs")
# predicates that make a noun of combat an event ("des combats ont lieu", "lancer une offensive")
EVENT_PREDICATES = FR.words("event_predicates")
EQUIPMENT = FR.words("equipment")
POSITIONS = FR.words("positions")
NOUN_TRIGGERS: dict[str, str] = FR.table("noun_triggers")
NEEDS_POSITION = FR.words("needs_position")
NEEDS_OBJECT = FR.words("needs_object")
LOSING_VERBS = FR.words("losing_verbs")
SUFFERING_VERBS = FR.words("suffering_verbs")
STRIKE_MEANS: dict[str, str] = FR.table("strike_means")
LOSING_CUES = FR.words("losing_cues")
YIELDING_VERBS = FR.words("yielding_verbs")
YIELDING_CUES = FR.words("yielding_cues")
ENTERING = FR.words("entering_verbs")
ETRE_VERBS = FR.words("etre_verbs")
INTENTION_VERBS = FR.words("intention_verbs")
PURPOSE_MARKS = FR.words("purpose_marks")
CONDITION_MARKS = FR.words("condition_marks")
NEGATIONS = FR.words("negations")
DENIAL_VERBS = FR.words("denial_verbs") | FR.words("denial_forms")
PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\b(?:frappes?|attaques?|bombardements?|raids?)\s+aériens?n?e?s?\b"
                r"|\b(?:frappes?|attaques?|tirs?)\s+(?:de\s+|par\s+)?drones?\b"), "AirStrike"),
    (re.compile(r"(?i)\bembuscade"), "Ambush"),
    (re.compile(r"(?i)(?<!depuis le )(?<!post-)\bcoup\s+d['’][ée]tat\b(?! de )"), "Attack"),
    (re.compile(r"(?i)\bboucliers?\s+humains?\b"), "ViolenceAgainstCivilians"),
    (re.compile(r"(?i)\bcessez-le-feu\b"), "Agreement"),
    (re.compile(r"(?i)\b(?:frappes?|tirs?)\s+d['’]artillerie\b|\bobus\s+(?:tombe|frappe|s['’]abat)"), "Shelling"),
    (re.compile(r"(?i)\b(?:envoy|dépêch)\w*\s+des\s+(?:avions|hélicoptères)"), "AirStrike"),
    (re.compile(r"(?i)\b(?:pass\w*|tomb\w*)\s+(?:également\s+|aussi\s+)?sous\s+(?:le\s+)?contrôle\b"
                r"|\b(?:perd\w*|prend\w*|pris|avoir)\s+(?:le\s+)?[\"«]?\s*contrôle\b"), "Capture"),
]
# each pattern above needs one of these words: a sentence with none is not searched
PHRASE_CUES = ("aérien", "drone", "embuscade", "coup", "bouclier", "cessez", "artillerie", "obus",
               "avions", "hélicoptères", "contrôle")
# the more specific type wins when one sentence has several triggers
PRIORITY = FR.ordered("type_priority")
REPORT_VERBS = FR.words("report_verbs")
PREP_TARGET = FR.words("target_prepositions")
CIVILIAN_TARGETS = FR.words("civilian_targets")
KILLING_VERBS = FR.words("killing_verbs")
_NUM_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
              "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15,
              "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "cent": 100}
_NUMBER = r"(\d{1,3}(?:[  ]\d{3})+|\d+|" + "|".join(_NUM_WORDS) + r")"
_FATALITIES = re.compile(
    r"(?i)(?:(?:plus|au moins)\s+(?:de\s+)?)?" + _NUMBER
    + r"\s+(?:[\w'’-]+\s+){0,3}?(?:morts?|tués?|tuées?|victimes|décès)\b")
# "tuant 26 personnes", "a tué au moins 15 civils": the verb before the count
_KILLED = re.compile(
    r"(?i)\b(?:tuant|tué|tuée|tués|tuées|abattant)\s+(?:au\s+moins\s+|plus\s+de\s+|près\s+de\s+)?" + _NUMBER
    + r"\s+(?:[\w'’-]+\s+){0,2}?(?:personnes|civils|soldats|combattants|policiers|militaires|gendarmes"
      r"|villageois|habitants|enfants|femmes|membres|rebelles|jihadistes|djihadistes|insurgés|assaillants)\b")
_FATALITY_WORDS = re.compile(r"(?i)mort|tué|tuant|abattant|victimes|décès")  # what the patterns need
_SELON = re.compile(r"(?i)\bselon\s+((?:[\w'’-]+\s*){1,5})")
_REPELLED = re.compile(r"(?i)\brepouss")


def number(text: str) -> int | None:
    text = text.lower().replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
    if text.isdigit():
        return int(text)
    return _NUM_WORDS.get(text)


TRIGGER_POS = {"VERB", "AUX", "ADJ", "NOUN", "PROPN"}


def _lemma(tok: Token) -> str:
    """The verb behind a present participle the lemmatizer left alone ("envahissant")."""
    lemma = tok.lemma_.lower()
    if lemma in VERB_TRIGGERS:
        return lemma
    lower = tok.lower_
    if lemma == lower and tok.pos_ in ("VERB", "ADJ"):
        for ending in ("ent", "es", "e"):  # "contrôlent" left unlemmatised, tagged ADJ
            if lower.endswith(ending) and lower[: -len(ending)] + "er" in VERB_TRIGGERS:
                return lower[: -len(ending)] + "er"
    if not lower.endswith("ant"):
        return lemma
    stem = lower[:-3]
    for guess in (stem + "er", stem[:-3] + "ir" if stem.endswith("iss") else stem + "ir"):
        if guess in VERB_TRIGGERS:
            return guess
    return lemma


def _takes_place(tok: Token, idx: MentionIndex) -> bool:
    """Whether a verb's object or complement is a position or a named place."""
    parts = [c for c in tok.children if c.dep_ in ("obj", "obl", "obl:arg", "obl:mod", "nsubj:pass", "xcomp")]
    lemmas = {t.lemma_.lower() for c in parts for t in c.subtree}
    if lemmas & (POSITIONS - {"contrôle"}) or "contrôle" in {t.lemma_.lower() for t in tok.subtree}:
        return True
    return any(idx.in_tokens(list(c.subtree), ("place",)) for c in parts)


def _of_place(tok: Token, idx: MentionIndex) -> bool:
    """"la prise de Lashio", "la reprise de Sennar": a noun of capture with its place."""
    return any(c.dep_ == "nmod" and any(g.lower_ in ("de", "d'", "d’", "du") for g in c.children)
               and idx.in_tokens([c], ("place",)) for c in tok.children)


def _modal(tok: Token) -> bool:
    """An intention, purpose, condition, negation or question, not an event: "pour
    capturer", "veulent conquérir", "si l'armée parvient à prendre", "n'a pas attaqué"."""
    if tok.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in GENERIC_DETERMINERS for c in tok.children):
        return True  # "toute attaque", "aucune offensive": no act in particular
    node: Token | None = tok
    for _ in range(4):  # the trigger and the verbs it hangs from, up to its clause
        if node is None:
            break
        kids = list(node.children)
        if node is not tok and node.lemma_.lower() in POSSIBILITY_VERBS and "Cnd" in node.morph.get("Mood", []):
            return True  # "pourraient se replier", "devrait attaquer"
        if any(c.dep_ == "mark" and c.lower_ in PURPOSE_MARKS | CONDITION_MARKS for c in kids):
            return True
        if any(c.dep_ == "mark" and c.lower_ == "de" for c in kids) and node.head.lemma_.lower() in INTENTION_VERBS:
            return True
        if node.lemma_.lower() in INTENTION_VERBS and node is not tok:
            return True
        if any(c.dep_ == "advmod" and c.lower_ in NEGATIONS for c in kids) and any(
                c.lower_ in ("ne", "n'", "n’") for c in kids):
            return True
        if node.dep_ in ("ROOT", "root") or node.head.i == node.i:
            break
        if node.dep_ in ("xcomp", "ccomp") or (node.dep_ in ("obl", "obl:arg", "advcl", "acl")
                                               and node.pos_ in ("VERB", "NOUN")):
            node = node.head
            continue
        if node.dep_ in ("obj", "nsubj", "nmod") and node.pos_ == "NOUN":
            node = node.head
            continue
        break
    return tok.sent.text.rstrip().endswith("?")


def _triggers(sent: Span, text: str, idx: MentionIndex) -> list[tuple[Token, str]]:
    found: list[tuple[Token, str]] = []
    for tok in sent:
        if tok.pos_ not in TRIGGER_POS:
            continue
        lemma = _lemma(tok)
        if tok.pos_ in ("VERB", "AUX", "ADJ") and lemma not in VERB_TRIGGERS \
                and tok.lower_ in MISTAGGED_VERBS:
            found.append((tok, MISTAGGED_VERBS[tok.lower_]))  # lemmatised as a noun
        elif tok.pos_ in ("VERB", "AUX", "ADJ") and lemma in VERB_TRIGGERS:
            base = tok
            while base.dep_ == "conj" and base.head.i != base.i:  # "bombardé et assiégé"
                base = base.head
            if base.dep_ in ("amod", "acl") and base.head.pos_ in ("NOUN", "PROPN") \
                    and "Part" in tok.morph.get("VerbForm", []) and "Pres" not in tok.morph.get("Tense", []) \
                    and not any(c.dep_.startswith("aux") for c in tok.children):
                continue  # "les bases attaquées", "le pacte signé": a description, not an event
            type_ = VERB_TRIGGERS[lemma]
            if lemma in NEEDS_OBJECT and not any(c.dep_ in ("obj", "nsubj:pass") for c in tok.children) \
                    and not any(c.dep_ == "aux:pass" for c in tok.children):
                continue  # "l'accord visant à …": an aim, not a strike
            if lemma in NEEDS_POSITION and not _takes_place(tok, idx) \
                    and not any(c.dep_ in ("aux:pass", "obl:agent") for c in tok.children):
                continue  # "prendre la parole", "perdre du terrain": no position taken
            if lemma in ENTERING and not any(  # "entrer dans Goma": taken; "entrer en guerre": no
                    c.dep_.startswith("obl") and any(g.lower_ == "dans" for g in c.children)
                    and idx.in_tokens(list(c.subtree), ("place",)) for c in tok.children):
                continue
            if lemma == "rendre" and not any(c.lower_ in ("se", "s'", "s’") for c in tok.children):
                continue
            if lemma == "contrôler" and not any(c.lower_ in ("désormais", "dorénavant", "maintenant")
                                                for c in tok.children):
                continue  # "contrôlent désormais": taken; "contrôle la route": held
            if lemma == "rendre" and any(  # "se rendre en Russie": a journey
                    c.dep_.startswith("obl") and {g.lower_ for g in c.children} & {"en", "à", "au"}
                    and c.ent_type_ == "LOC" for c in tok.children):
                continue
            if lemma == "bombarder" and re.search(r"(?i)aérien|avion|drone", text):
                type_ = "AirStrike"
            found.append((tok, type_))
        elif tok.pos_ == "VERB" and lemma in KILLING_VERBS and "Ger" not in tok.morph.get("VerbForm", []) \
                and not tok.lower_.endswith("ant") and any(
                    c.dep_ == "obj" and any(t.lower_ in CIVILIAN_TARGETS for t in c.subtree) for c in tok.children):
            found.append((tok, "ViolenceAgainstCivilians"))  # "des hommes armés ont tué 17 civils"
        elif tok.pos_ == "NOUN" and tok.lower_.endswith("ant") and lemma in VERB_TRIGGERS:
            found.append((tok, VERB_TRIGGERS[lemma]))  # "l'envahissant", a participle tagged as a noun
        elif tok.pos_ in ("NOUN", "PROPN") and tok.lower_ in MISTAGGED_VERBS and tok.i > sent.start \
                and ((tok.i + 1 < sent.end and sent.doc[tok.i + 1].pos_ == "DET"
                      and sent.doc[tok.i - 1].pos_ in ("PROPN", "NOUN"))
                     or sent.doc[tok.i - 1].lower_ in ("le", "la", "les", "l'", "l’")
                     and sent.doc[tok.i - 2].lower_ in ("et", "puis", ",")):
            found.append((tok, MISTAGGED_VERBS[tok.lower_]))  # "le TNLA capture le camp"
        elif tok.pos_ in ("NOUN", "PROPN") and lemma in NOUN_TRIGGERS and (
                _noun_event(tok) or (NOUN_TRIGGERS[lemma] == "Capture" and _of_place(tok, idx))):
            found.append((tok, NOUN_TRIGGERS[lemma]))
    lower = text.lower()
    for pattern, type_ in PHRASES if any(c in lower for c in PHRASE_CUES) else ():
        m = pattern.search(text)
        if m:
            phrase = sent.doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(),
                                        alignment_mode="expand")
            if phrase is not None:  # its verb when it has one: "pour prendre le contrôle" is a purpose
                found.append((next((t for t in phrase if t.pos_ == "VERB"), phrase.root), type_))
    found = [(tok, _by_means(tok, type_)) for tok, type_ in found]
    return [(tok, "ViolenceAgainstCivilians" if type_ in ("Attack", "AirStrike", "Shelling")
             and _against_civilians(tok) else type_) for tok, type_ in found if not _modal(tok)]


def _by_means(tok: Token, type_: str) -> str:
    """An attack or a shelling made with aircraft is an air strike; an attack made with
    artillery, rockets or missiles, a shelling (the words of its subject, or after
    avec / à / par)."""
    if type_ not in ("Attack", "Shelling") or tok.pos_ not in ("VERB", "AUX"):
        return type_
    words = [t for c in tok.children if c.dep_ in ("nsubj", "nsubj:pass") for t in c.subtree]
    words += [t for c in tok.children if c.dep_.startswith("obl")
              and {g.lower_ for g in c.children if g.dep_ == "case"} & {"avec", "à", "au", "aux", "par"}
              for t in c.subtree]
    means = {STRIKE_MEANS[t.lower_] for t in words if t.lower_ in STRIKE_MEANS}
    if "AirStrike" in means:
        return "AirStrike"
    return "Shelling" if "Shelling" in means else type_


def _against_civilians(tok: Token) -> bool:
    """A trigger whose target ("contre X", "sur X", its object) is civilians."""
    holders = [tok, tok.head] if tok.dep_ == "obj" else [tok]  # "mène des frappes contre X"
    aims = [c for h in holders for c in h.children if c.i != tok.i and (
        (h is tok and c.dep_ in ("obj", "nsubj:pass"))
        or {g.lower_ for g in c.children if g.dep_ == "case"} & PREP_TARGET)]
    return any(t.lemma_.lower() in CIVILIAN_TARGETS or t.lower_ in CIVILIAN_TARGETS
               for c in aims for t in c.subtree)


def _verb_like(tok: Token) -> bool:
    """A verb the tagger took for a noun: a participle, or a present tense after its subject."""
    return tok.lower_.endswith("ant") or tok.lower_ in MISTAGGED_VERBS


def _noun_event(tok: Token) -> bool:
    """A noun of combat names an event when a predicate makes it happen, or it says
    against whom ("attaque contre"); not a trend ("multiplier les attaques")."""
    head = tok.head
    if head.lemma_.lower() in TREND_VERBS:
        return False
    if head.lemma_.lower() in EVENT_PREDICATES or any(
            c.lemma_.lower() in EVENT_PREDICATES for c in head.children if c.dep_ in ("obj", "fixed")):
        return True
    if tok.dep_ in ("nsubj", "obj") and head.pos_ == "VERB" and head.lemma_.lower() in EVENT_PREDICATES:
        return True
    cases = {c.lower_ for child in tok.children for c in child.children if c.dep_ == "case"}
    return bool(cases & PREP_TARGET)


def _subtree(tok: Token) -> list[Token]:
    return list(tok.subtree)


def _phrase(tok: Token) -> list[Token]:
    """A noun phrase without its clauses: "JNIM, un groupe … lié à Al-Qaïda" is JNIM."""
    cut = {t.i for c in tok.children if c.dep_ in ("acl", "acl:relcl", "appos", "parataxis")
           for t in c.subtree}
    return [t for t in tok.subtree if t.i not in cut]


def _roles(tok: Token, idx: MentionIndex) -> tuple[list[int], list[int]]:
    """Agents and targets of a trigger, from the parse."""
    actors = ("actor", "person")
    agents: list[int] = []
    targets: list[int] = []
    verb = tok
    if tok.pos_ not in ("VERB", "AUX"):  # a noun: its "de X" is the agent, "contre X" the target
        for child in tok.children:
            case = {c.lower_ for c in child.children if c.dep_ == "case"}
            found = idx.in_tokens(_subtree(child), actors)
            if case & PREP_TARGET:
                targets += found
            elif child.dep_ == "nmod" and case & {"de", "du", "des", "d'", "d’", "par"}:
                agents += found
            elif child.dep_ == "acl" and child.pos_ == "VERB":  # "l'attaque lancée par X contre Y"
                for part in child.children:
                    part_case = {c.lower_ for c in part.children if c.dep_ == "case"}
                    if part.dep_ == "obl:agent" or (part.dep_.startswith("obl") and "par" in part_case):
                        agents += idx.in_tokens(_phrase(part), actors)
                    elif part_case & PREP_TARGET:
                        targets += idx.in_tokens(_phrase(part), actors)
        verb = tok.head if tok.head.pos_ in ("VERB", "AUX") else tok
    for child in verb.children:
        found = idx.in_tokens(_phrase(child), actors)
        case = {c.lower_ for c in child.children if c.dep_ == "case"}
        reflexive = any(c.dep_.startswith("expl") and c.lower_ in ("se", "s'", "s’") for c in verb.children)
        active_subject = child.dep_ == "nsubj:pass" and (  # "est entrée", "se sont retirées"
            verb.lemma_.lower() in ETRE_VERBS or reflexive)
        if child.dep_ in ("nsubj",) or active_subject or child.dep_ == "obl:agent" \
                or (child.dep_.startswith("obl") and "par" in case):
            agents += [f for f in found if f not in agents]
        elif (child.dep_ in ("obj", "nsubj:pass", "iobj") or case & PREP_TARGET
              or child.dep_ in ("nmod", "obl:arg", "obl:mod", "obl") and case & {"à", "au", "aux"}
              and verb.lemma_ == "rendre"):
            targets += [f for f in found if f not in targets]
    if not agents:  # "des obus tirés par les FSR ont tué …", "des drones de l'armée ont frappé …"
        means = [c for c in verb.children if c.dep_ == "nsubj" and c.lower_ in STRIKE_MEANS]
        agents += [i for c in means for i in idx.in_tokens(list(c.subtree), actors) if i not in targets]
    if not agents and verb.dep_ in ("conj", "xcomp", "advcl", "acl", "ccomp") and verb.head.i != verb.i:
        for child in verb.head.children:
            if child.dep_ == "nsubj":
                agents += idx.in_tokens(_phrase(child), actors)
    if not agents and tok.dep_ in ("amod", "acl") and tok.pos_ == "ADJ":
        agents = idx.in_tokens([tok.head], actors)  # "les rebelles contrôlent", parsed as an adjective
    if not agents:  # the order of the sentence: an actor that opens it acts
        sent = tok.sent
        opening = idx.in_tokens(sent[: min(3, len(sent))], actors)
        if opening and opening[0] not in targets and all(t.i < tok.i for t in sent[:3]):
            agents = opening[:1]
        elif sent[0].text in ("-", "–") and sent.start > 0:  # "X (X) - un groupe …, a annoncé"
            before = idx.in_tokens(sent.doc[max(0, sent.start - 30) : sent.start], actors)
            agents = before[-1:]
    if tok.pos_ in ("VERB", "AUX") and not targets:  # "attaque des bases … de la junte": nmod objects
        after = [t for t in verb.subtree if t.i > verb.i]
        targets += [f for f in idx.in_tokens(after, actors) if f not in agents]
    targets = [t for t in targets if t not in agents]
    if verb.lemma_.lower() in YIELDING_VERBS:  # "X passe sous le contrôle de Y": Y takes X
        takers = [i for c in verb.subtree if c.lemma_.lower() in YIELDING_CUES and c.i > verb.i
                  for i in idx.in_tokens([t for t in c.subtree if t.i > c.i], actors)]
        if takers:
            return list(dict.fromkeys(takers)), [t for t in agents + targets if t not in takers]
    if verb.lemma_.lower() in LOSING_VERBS:  # "X perd le contrôle de Y face à Z": Z takes it
        winners = [i for c in verb.subtree if c.lower_ in LOSING_CUES and c.i > verb.i
                   for i in idx.in_tokens(list(c.head.subtree) if c.dep_ in ("fixed", "case") else
                                          list(c.subtree), actors)]
        return list(dict.fromkeys(w for w in winners if w not in agents)), agents
    if verb is not tok and verb.lemma_.lower() in SUFFERING_VERBS:  # "X a subi une attaque de Y"
        sufferers = [i for c in verb.children if c.dep_ == "nsubj" for i in idx.in_tokens(_phrase(c), actors)]
        if sufferers:
            return [a for a in dict.fromkeys(agents + targets) if a not in sufferers], sufferers
    return agents, targets


def _claim(sent: Span, trigger: Token, idx: MentionIndex) -> int | str | None:
    m = _SELON.search(sent.text)
    if m:
        span = sent.doc.char_span(sent.start_char + m.start(1), sent.start_char + m.end(1),
                                  alignment_mode="expand")
        if span is not None:
            found = idx.in_tokens(span, ("actor", "person"))
            if found:
                return found[0]
            words = re.split(r"[,.;:()]", m.group(1))[0].strip()
            return words or None
    node: Token | None = trigger
    while node is not None and node.head.i != node.i:
        node = node.head
        if node.lemma_.lower() in REPORT_VERBS:
            for child in node.children:
                if child.dep_ in ("nsubj", "nsubj:pass"):
                    found = idx.in_tokens(_phrase(child), ("actor", "person"))
                    if found:
                        return found[0]
            return None
    return None


def _denier(sent: Span, idx: MentionIndex, claimed: int | str | None) -> int | None:
    """Who denies what the sentence tells ("…, ce que dément l'armée", "une information
    démentie par l'armée", "Moscou dément"): the subject or the "par" agent of a denial
    verb, or the party it was parsed onto, when it is not the claimant."""
    def party(tokens: list[Token]) -> int | None:
        found = [p for p in idx.in_tokens(tokens, ("actor", "place")) if p != claimed
                 and (idx.mentions[p].kind == "actor" or idx.mentions[p].agentive
                      or idx.mentions[p].type == "Country")]
        return found[0] if found else None

    for tok in sent:
        if tok.lemma_.lower() not in DENIAL_VERBS and tok.lower_ not in DENIAL_VERBS:
            continue
        for child in tok.children:
            if child.dep_ in ("nsubj", "obl:agent", "obj") or (child.dep_ == "obl" and any(
                    c.lower_ == "par" for c in child.children)):
                who = party(list(_phrase(child)))
                if who is not None:
                    return who
        if tok.dep_ in ("advmod", "amod") and tok.head.i > tok.i:  # misparsed onto its subject
            who = party(list(_phrase(tok.head)))
            if who is not None:
                return who
    return None


def _fatalities(text: str) -> int | None:
    if not _FATALITY_WORDS.search(text):
        return None
    m = _FATALITIES.search(text) or _KILLED.search(text)
    return number(m.group(1)) if m else None


def find_engagements(document: Document, sdoc: Doc, sentences: tuple[Sentence, ...],
                     mentions: tuple[Mention, ...],
                     dates: list[SentenceDates], idx: MentionIndex) -> tuple[Engagement, ...]:
    out: list[Engagement] = []
    # a headline (a first line with no final stop) sums up what follows: not coded twice
    title = " ".join((document.title or "").split())
    seen: set[str] = {title} if title and title[-1] not in ".!?»" else set()
    counts = Counter(" ".join(s.text.split()) for s in sdoc.sents)
    seen.update(t for t, n in counts.items() if n > 1)  # a headline repeated as a title
    for sent_i, sent in enumerate(sdoc.sents):
        info = dates[sent_i]
        usable = [d for d in info.stated if not _inside_mention(document, d, idx)]  # "Mouvement du 23 mars"
        # an event's own date; else the start of what goes on ("assiègent Djibo depuis février"),
        # but never a background one beside a date of its own ("En guerre depuis 2023, … jeudi")
        stated = [d for d in usable if not d.is_span_bound] or [d for d in usable if d.since]
        # a sentence that states no date is dated by the last one the story gave (basis
        # "carried", or "inferred" when its year came from the publication date)
        date: PartialDate | None = stated[0].date if stated else info.context
        sentence_date = date
        text = sent.text
        triggers = _triggers(sent, text, idx)
        if not triggers:
            continue
        by_type: dict[str, Token] = {}
        for tok, type_ in triggers:
            by_type.setdefault(type_, tok)
        # a named means ("frappes aériennes", "embuscade", "boucliers humains") is as strong as a verb
        phrased = {t for tok, t in triggers if tok.pos_ not in ("VERB", "AUX", "ADJ") and t != "Agreement"
                   and any(p.search(text) for p, pt in PHRASES if pt == t)}  # a ceasefire named is no act
        if "Capture" in by_type:
            by_type.pop("Withdrawal", None)  # the defenders' retreat is part of the capture
        if "AirStrike" in by_type and "Shelling" in by_type \
                and by_type["AirStrike"].i == by_type["Shelling"].i:
            by_type.pop("AirStrike")  # "frappe d'artillerie": the named means says shelling
        if "AirStrike" in by_type and "Shelling" in by_type:  # "frappes d'artillerie et frappes aériennes"
            later = "AirStrike" if by_type["Shelling"].i < by_type["AirStrike"].i else "Shelling"
            by_type.pop(later)
        types = sorted(by_type, key=_rank)
        verb_types = [t for t in types if by_type[t].pos_ in ("VERB", "AUX", "ADJ") or t in phrased
                      or _verb_like(by_type[t])]
        chosen = (verb_types or types)[:2]
        if " ".join(sent.text.split()) in seen:  # a title repeated, or a heading
            continue
        seen.add(" ".join(sent.text.split()))
        s = sentences[sent_i]
        ev = Evidence(document.id, sent_i, s.start, s.end)
        places = [i for i in idx.in_tokens(sent, ("place",))]
        emitted: set[int | None] = set()
        done: list[Token] = []  # triggers already coded in this sentence
        roles = {t: _roles(by_type[t], idx) for t in chosen}
        first = next(((a, t) for a, t in roles.values() if a), None)  # the sentence's actors
        if first is None:  # another trigger of the sentence may name them
            first = next(((a, t) for a, t in (_roles(by_type[x], idx) for x in types if x not in roles) if a),
                         None)
        for type_ in chosen:
            tok = by_type[type_]
            agents, targets = roles[type_]
            own_date = _own_date(tok, stated) if len(stated) > 1 else None
            date = own_date.date if own_date is not None else sentence_date
            claimed = _claim(sent, tok, idx)
            if isinstance(claimed, int):
                if not agents and _pronoun_subject(tok):
                    agents = [claimed]  # "X a déclaré qu'il avait pris …"
                agents = [a for a in agents if a != claimed] or agents
            if first is not None and not agents:
                agents = first[0]  # "… attaqué trois bases … jusqu'à ce que l'une soit envahie"
                targets = targets or first[1]
            coded = {x.i for d in done for x in d.subtree}
            own = idx.in_tokens([t for t in tok.subtree if t.i not in coded], ("place",))
            near = [p for p in (own or places) if p not in agents and p not in targets]
            local = [p for p in near if mentions[p].type != "Country"] or near
            if any(_broad(mentions[p]) for p in local):  # a town named in the sentence beats its state
                towns = [p for p in places if not _broad(mentions[p]) and p not in agents + targets]
                local = (towns or [p for p in local if not _broad(mentions[p])]) or local
            if not (agents or targets or local):
                continue
            if type_ == "Capture" and not _takes_position(tok) and not any(
                    mentions[p].type != "Country" for p in near):
                continue  # weapons or power seized, no place taken
            if type_ == "Agreement" and tok.pos_ not in ("VERB", "AUX", "ADJ"):
                continue  # a pact named, not signed here
            outcome = "repelled" if _REPELLED.search(sent.text) else None
            said_of = [c for c in tok.head.children if c.dep_ in ("xcomp", "advmod")] if tok.dep_ == "nsubj" else []
            if any(t.lower_ in HABITUAL for t in [*tok.subtree, *(t for c in said_of for t in c.subtree)]):
                continue  # "qui bombarde sans relâche": a campaign, said as hostility
            where = _coordinated(local, idx, sdoc)
            spot = where[0] if where else None
            if emitted and spot in emitted:
                continue  # "attaque … et le capture": one engagement at one place
            emitted.add(spot)
            done.append(tok)
            claims: tuple[Claim, ...] = (Claim(claimed, outcome, ev),) if claimed is not None else ()
            denier = _denier(sent, idx, claimed) if claimed is not None else None
            if denier is not None:  # a denial makes the claim contested
                claims += (Claim(denier, "denied", ev),)
            for place in where or [None]:  # type: ignore[list-item]
                out.append(Engagement(
                    type=type_, date=date, place=place, agents=tuple(agents),
                    targets=tuple(targets), claimed_by=claimed, fatalities=_fatalities(sent.text),
                    evidence=ev, confidence=0.6 if tok.pos_ == "VERB" else 0.4, claims=claims,
                ))
    return tuple(_merge_contested(out, mentions))


def _rank(type_: str) -> int:
    return PRIORITY.index(type_) if type_ in PRIORITY else len(PRIORITY)


def _own_date(tok: Token, stated: list[DateMention]) -> DateMention | None:
    """Of a sentence's dates, the one inside the trigger's own phrase or clause ("attaque
    X le 1er octobre et capture la base le 7 octobre")."""
    coordinated = {c.i for c in tok.children if c.dep_ == "conj"}
    own = [t for t in tok.subtree if not any(a.i in coordinated for a in [t, *t.ancestors])]
    lo, hi = min(t.idx for t in own), max(t.idx + len(t.text) for t in own)
    return next((d for d in stated if lo <= d.start and d.end <= hi), None)


def _coordinated(places: list[int], idx: MentionIndex, sdoc: Doc) -> list[int]:
    """The first place, and those coordinated with it ("les cantons de Rathedaung et de
    Minbya"): one engagement per place."""
    if not places:
        return []
    heads = {p: [sdoc[i] for i in idx.tokens.get(p, [])] for p in places[:4]}
    first = heads[places[0]]
    anchors = {f.i for f in first} | {f.head.i for f in first if f.dep_ in ("nmod", "conj")}
    out = [places[0]]
    for p in places[1:4]:
        toks = heads[p]
        if toks and first and any(t.dep_ == "conj" and t.head.i in anchors for t in toks):
            out.append(p)
    return out


def _broad(m: Mention) -> bool:
    """A state, region or country rather than a town, base or village."""
    return m.type == "Country" or bool(re.match(r"(?i)(?:états?|etat|région|province|nord|sud)\b", m.text))


def _pronoun_subject(tok: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubj:pass") and c.pos_ == "PRON" for c in tok.children)


def _takes_position(tok: Token) -> bool:
    """Whether what is captured is a position (base, town, post), not equipment."""
    objects = [c for c in tok.children if c.dep_ in ("obj", "nsubj:pass", "obl", "obl:arg", "nmod")]
    lemmas = {t.lemma_.lower() for c in objects for t in c.subtree}
    if lemmas & POSITIONS:
        return True
    return not (lemmas & EQUIPMENT) and tok.lemma_.lower() in ("envahir", "occuper", "conquérir")


def _who(e: Engagement, mentions: tuple[Mention, ...]) -> set[str]:
    """Who acts in an engagement, or claims it."""
    parties = list(e.agents) + [c.source for c in e.claims if isinstance(c.source, int)]
    return {_identity(mentions[p]) for p in parties}


def _identity(m: Mention) -> str:
    """Two mentions of one actor within a document, before resolution: same reference
    entry, same defined acronym, or same words."""
    return m.ref or m.long_form or " ".join(m.text.lower().split())


def _inside_mention(document: Document, date: DateMention, idx: MentionIndex) -> bool:
    return any(m.kind != "place" for m in idx.covering(*document.span(date.start, date.end)))


def _within(coarse: PartialDate | None, fine: PartialDate | None) -> bool:
    """Whether two dates can name the same event: equal where both are known, but a day
    apart (an account given the next day, a date carried from the sentence before)."""
    if coarse is None or fine is None:
        return True
    for a, b in ((coarse.year, fine.year), (coarse.month, fine.month)):
        if a is not None and b is not None and a != b:
            return False
    return coarse.day is None or fine.day is None or abs(coarse.day - fine.day) <= 1


_PRECISION = {"unknown": 0, "year": 1, "month": 2, "day": 3}


def _finer(a: PartialDate | None, b: PartialDate | None) -> bool:
    return a is not None and (b is None or _PRECISION[a.precision] > _PRECISION[b.precision])


def _contains(a: PartialDate | None, b: PartialDate | None) -> bool:
    """Whether one date lies within the other (the year of a month, the month of a day)."""
    if a is None or b is None or a.year != b.year:
        return False
    coarse, fine = (a, b) if _PRECISION[a.precision] <= _PRECISION[b.precision] else (b, a)
    return coarse.precision == "year" or (coarse.month == fine.month and coarse.precision == "month")


def _same_place(a: Engagement, b: Engagement, mentions: tuple[Mention, ...]) -> bool:
    """Places that agree: the same words, or one of the two unknown."""
    if a.place is None or b.place is None:
        return True
    return _identity(mentions[a.place]) == _identity(mentions[b.place])


def _merge_contested(engagements: list[Engagement], mentions: tuple[Mention, ...]) -> list[Engagement]:
    """'The army says it repelled the attack' is a second account of the engagement a
    group claims, not a second engagement: it becomes one more claim of it, and its
    claimant, the defender, a target."""
    out: list[Engagement] = []
    for e in engagements:
        repelled = any(c.outcome == "repelled" for c in e.claims)
        host = None
        if repelled:
            host = next((o for o in out if (o.claims or o.agents) and o.type in ("Capture", "Attack")
                         and all(c.source != e.claimed_by for c in o.claims)
                         and e.claimed_by not in o.agents and _within(e.date, o.date)), None)
        elif e.type in ("Capture", "Attack") and e.date is not None:
            # the same act told twice ("a annoncé avoir capturé une base … le 24 novembre";
            # "il avait pris le contrôle du camp de Niafounke le 24 novembre")
            # … or told first without its day ("Le JNIM frappe la base" in a headline, then
            # "le 17 septembre … la base"): a date within the other's, at an agreeing place
            who = _who(e, mentions)
            host = next((o for o in out if o.type == e.type and who & _who(o, mentions) and (
                o.date == e.date or (_contains(o.date, e.date) and _same_place(o, e, mentions)))), None)
            if host is not None:
                specific = e.place is not None and mentions[e.place].type != "Country"
                keep = e if specific and (host.place is None or mentions[host.place].type == "Country") else host
                other = host if keep is e else e
                if _finer(other.date, keep.date):
                    keep = Engagement(keep.type, other.date, keep.place, keep.agents, keep.targets,
                                      keep.claimed_by, keep.fatalities, keep.evidence, keep.confidence,
                                      keep.claims)
                sources = {_identity(mentions[c.source]) if isinstance(c.source, int) else c.source
                           for c in keep.claims}
                extra = tuple(c for c in other.claims if (_identity(mentions[c.source])
                              if isinstance(c.source, int) else c.source) not in sources)
                merged = Engagement(keep.type, keep.date, keep.place,
                                    tuple(dict.fromkeys(keep.agents + other.agents)),
                                    tuple(dict.fromkeys(keep.targets + other.targets)),
                                    keep.claimed_by if keep.claimed_by is not None else other.claimed_by,
                                    keep.fatalities or other.fatalities, keep.evidence,
                                    keep.confidence, keep.claims + extra)
                out[out.index(host)] = merged
                continue
        if host is None:
            out.append(e)
            continue
        claimant = e.claimed_by
        targets = host.targets + ((claimant,) if isinstance(claimant, int) and claimant not in host.targets
                                  and claimant not in host.agents else ())
        merged = Engagement(host.type, host.date, host.place, host.agents, targets, host.claimed_by,
                            host.fatalities, host.evidence, host.confidence,
                            host.claims + e.claims)
        out[out.index(host)] = merged
    return out

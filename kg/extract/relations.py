"""Relations between actors and persons, from the words that state them.

- membership: "composée de A, B et C", "membre de", "lié à", a title of membership
  ("secrétaire du Conseil de sécurité russe, Sergueï Choïgou");
- command: a title of command next to a person ("Min Aung Hlaing, le chef de la junte",
  "le colonel Aung Kyaw Lwin, commandant de la 99e division"), "sous le commandement de";
- alliance (cooperation short of membership): "allié de/à", "aux côtés de", "forces
  conjointes/combinées de A et B", "collabore/coopère/travaille avec", "leur alliance";
- backing, with its kind: "appuyé/soutenu par", "le soutien de X", "livraisons
  d'équipements militaires russes", "fournir des armes à";
- subunits: a numbered unit "de la junte", "son aile armée, X", "sa plateforme médiatique X";
- agreements: a pact or ceasefire signed between parties, with its validity.
"""

from __future__ import annotations

import re
from itertools import combinations, pairwise

from spacy.tokens import Doc, Span, Token

from ..model import Document, Engagement, Evidence, Mention, PartialDate, Relation, Sentence
from . import lang
from .dates import SentenceDates
from .events import HABITUAL
from .mentions import MentionIndex

ACTORS = ("actor",)
PARTIES = ("actor", "person")
COMMAND_TITLES = {"chef", "commandant", "président", "présidente", "dirigeant", "leader",
                  "fondateur", "commandante", "patron", "généralissime"}
MEMBER_TITLES = {"secrétaire", "membre", "membres", "porte-parole", "ministre", "député",
                 "conseiller", "responsable", "général", "colonel", "lieutenant", "capitaine",
                 "major", "officier", "combattant", "commissaire", "dirigeants", "délégué",
                 "brigade"}
COMPOSE = {"composer", "constituer", "former", "comprendre", "regrouper", "rassembler", "réunir"}
COOPERATE = {"collaborer", "coopérer", "travailler", "allier", "coordonner"}
JOINT_ACTIVITY = {"exercice", "manœuvre", "patrouille", "opération"}
TRAINEES = {"combattant", "soldat", "recrue", "troupe", "milicien", "cadre"}
BACKED_PASSIVE = {"appuyer", "soutenir", "financer", "armer", "équiper", "parrainer"}
SUPPLY = {"fournir", "livrer", "vendre", "envoyer", "offrir"}
SUPPORT_KIND = [
    (re.compile(r"(?i)arme|équipement|munition|avion|drone|matériel|char|sukho"), "weapons"),
    (re.compile(r"(?i)form(?:e|ation|ent)|entraîn|exercice"), "training"),
    (re.compile(r"(?i)troupes|combattants|soldats envoy"), "troops"),
    (re.compile(r"(?i)financ|fonds|argent"), "funding"),
    (re.compile(r"(?i)renseignement"), "intelligence"),
]
_JOINT = re.compile(r"(?i)\bforces?\s+(?:conjointes?|combinées?|alliées?)\b|\bforce\s+combinée\b"
                    r"|\bles\s+forces\s+(?=(?:de\s+la|du|de\s+l['’]|des)\s+[^,.;]{2,60}?\s+et\s+(?:de\s+la|du|de\s+l['’]|des)\s)")
_ALLY = re.compile(r"(?i)\balli(?:é|ée|és|ées)\s+(?:de|à|au|aux|d['’])")
_BESIDE = re.compile(r"(?i)\baux\s+côtés\s+d")
_LINKED = re.compile(r"(?i)\b(?:lié|liée|affilié|affiliée)\s+(?:à|au)\b")
_WING = re.compile(r"(?i)\b(?:son|sa|leur)\s+(?:aile\s+armée|branche\s+armée|plateforme\s+médiatique|"
                   r"bras\s+armé|organe\s+de\s+propagande)\b")


def _kind(text: str) -> str | None:
    for pattern, kind in SUPPORT_KIND:
        if pattern.search(text):
            return kind
    return None


class _Finder:
    def __init__(self, document: Document, sdoc: Doc, sentences: tuple[Sentence, ...],
                 mentions: tuple[Mention, ...], idx: MentionIndex) -> None:
        self.document = document
        self.sentences = sentences
        self.mentions = mentions
        self.idx = idx
        self.out: list[Relation] = []
        self.seen: set[tuple[str, int, int]] = set()
        self.sdoc = sdoc

    def add(self, type_: str, s: int, o: int, sent_i: int, *, kind: str | None = None,
            confidence: float = 0.6, end: PartialDate | None = None,
            start: PartialDate | None = None) -> None:
        if s == o or self.mentions[s].text == self.mentions[o].text:
            return
        key = (type_, s, o)
        if key in self.seen:
            return
        self.seen.add(key)
        sent = self.sentences[sent_i]
        self.out.append(Relation(type_, s, o, Evidence(self.document.id, sent_i, sent.start, sent.end),
                                 start=start, end=end, confidence=confidence, kind=kind))

    def before(self, sent: Span, tok: Token, kinds: tuple[str, ...] = ACTORS) -> list[int]:
        return self.idx.in_tokens([t for t in sent if t.i < tok.i], kinds)

    def after(self, sent: Span, tok: Token, kinds: tuple[str, ...] = ACTORS, limit: int = 40) -> list[int]:
        return self.idx.in_tokens([t for t in sent if tok.i < t.i <= tok.i + limit], kinds)

    def subject(self, verb: Token) -> list[int]:
        while True:
            subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubj:pass")]
            if subj:
                return self.idx.in_tokens([t for c in subj for t in c.subtree], PARTIES)
            if verb.dep_ in ("conj", "xcomp", "advcl", "acl", "acl:relcl", "ccomp") and verb.head.i != verb.i:
                verb = verb.head
                continue
            return []


def _title_org(f: _Finder, window: list[Token]) -> tuple[Token, int] | None:
    """In a window of tokens, a title word followed by the organisation it is of:
    "chef de la junte", "secrétaire du Conseil de sécurité russe"."""
    for k, tok in enumerate(window):
        if tok.lower_ not in COMMAND_TITLES and tok.lower_ not in MEMBER_TITLES:
            continue
        follow = [t for t in window[k + 1 : k + 7] if t.pos_ != "ADJ"][:4]  # "dirigeants importants de"
        if not follow or follow[0].lower_ not in ("de", "du", "des", "d'", "d’"):
            continue
        orgs = f.idx.in_tokens(follow, ACTORS)
        if orgs:
            return tok, orgs[0]
    return None


def _titles(f: _Finder, sent: Span, sent_i: int) -> None:
    """A person next to a title and an organisation: command or membership.
    'P, (le) TITLE de ORG', 'TITLE de ORG, (…) P', 'le TITLE de ORG P'."""
    stops = {".", ";", "et", "ou", "|"}
    for p in f.idx.in_tokens(sent, ("person",)):
        pm = f.mentions[p]
        toks = [sent.doc[i] for i in f.idx.tokens.get(p, [])]
        if not toks:
            continue
        first, last = toks[0], toks[-1]
        after = list(sent.doc[last.i + 1 : min(last.i + 10, sent.end)])
        before = list(sent.doc[max(first.i - 14, sent.start) : first.i])
        found = None
        if after and after[0].lower_ in (",", "(", "le", "la", "l'", "l’"):
            hit = _title_org(f, after)
            if hit and not any(t.lower_ in stops for t in after if t.i < hit[0].i):
                found = hit
        if found is None:
            hit = _title_org(f, before)
            if hit and not any(t.lower_ in stops for t in before if t.i > hit[0].i):
                found = hit
        if found is None:
            continue
        title, org = found
        if title.lower_ in COMMAND_TITLES:
            f.add("commands", p, org, sent_i, kind=pm.rank)
        else:
            f.add("memberOf", p, org, sent_i)
    # "A, B, C et d'autres anciens dirigeants de X": everyone listed belongs to X
    for tok in sent:
        if tok.lower_ in ("dirigeants", "membres", "responsables", "cadres", "commandants") \
                and any(t.lower_ == "autres" for t in sent.doc[max(tok.i - 3, sent.start) : tok.i]):
            hit = _title_org(f, list(sent.doc[tok.i : min(tok.i + 9, sent.end)]))
            if hit:
                for p in f.before(sent, tok, ("person",)):
                    f.add("memberOf", p, hit[1], sent_i)
    # "A … sera remplacé par B": B takes A's command
    for tok in sent:
        if tok.lemma_.lower() == "remplacer":
            new = [i for c in tok.children if c.dep_ in ("obl:agent", "obl")
                   for i in f.idx.in_tokens(list(c.subtree), ("person",))]
            held = [r for r in f.out if r.type == "commands" and r.evidence.sentence == sent_i]
            for person in new:
                for r in held:
                    f.add("commands", person, r.object, sent_i, kind=f.mentions[person].rank)
    # "sous le commandement du capitaine X": X commands the units named in the sentence
    for tok in sent:
        if tok.lower_ == "commandement" and tok.i > sent.start and sent.doc[tok.i - 1].lower_ in ("le", "du"):
            who = f.after(sent, tok, ("person",), limit=5)
            if who:
                for unit in f.before(sent, tok):
                    f.add("commands", who[0], unit, sent_i, kind=f.mentions[who[0]].rank)


def _membership(f: _Finder, sent: Span, sent_i: int) -> None:
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in COMPOSE and tok.pos_ in ("VERB", "ADJ"):
            groups = [g for g in f.before(sent, tok) if f.mentions[g].type in ("Alliance", "Actor")]
            alliance = groups[-1] if groups else None
            if alliance is None:
                continue
            listed: list[Token] = []  # the list that follows, up to the next clause
            for t in sent.doc[tok.i + 1 : min(tok.i + 80, sent.end)]:
                if t.text in (";", ".") or t.lower_ in ("contre", "face", "dont") \
                        or t.lemma_.lower() in ("allié", "allier") \
                        or (listed and t.dep_ in ("acl", "amod", "ROOT")
                            and (t.pos_ == "VERB" or "Part" in t.morph.get("VerbForm", []))):
                    break
                listed.append(t)
            for member in f.idx.in_tokens(listed, ACTORS):
                if f.mentions[member].type != "Alliance" and f.mentions[member].origin != "contextual":
                    f.add("memberOf", member, alliance, sent_i, confidence=0.8)
        if (tok.lower_ in ("membre", "membres") and tok.i + 1 < sent.end
                and sent.doc[tok.i + 1].lower_ in ("de", "du", "des", "d'", "d’")):
            org = f.after(sent, tok, limit=4)
            # "X est membre de Y" (a copula), not "fait prisonniers 34 membres de la junte"
            who = f.subject(tok) if any(c.dep_ == "cop" for c in tok.children) else []
            for w in who:
                if org:
                    f.add("memberOf", w, org[0], sent_i)
    for m in _LINKED.finditer(sent.text):
        span = sent.doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
        if span is None:
            continue
        org = f.after(sent, span[-1], limit=6)
        group = f.before(sent, span[0])
        if org and group:
            f.add("memberOf", group[-1], org[0], sent_i, confidence=0.5)


def _alliance(f: _Finder, sent: Span, sent_i: int) -> None:
    for m in _JOINT.finditer(sent.text):  # "les forces conjointes de la KIA et de l'AA"
        span = sent.doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
        if span is None:
            continue
        parties: list[int] = []
        for t in sent.doc[span.end : min(span.end + 14, sent.end)]:
            if t.lower_ in (".", ";", ":") or (t.pos_ == "VERB" and t.dep_ != "amod"):
                break
            i = f.idx.at(t)
            if i is not None and f.mentions[i].kind == "actor" and i not in parties:
                parties.append(i)
        for a, b in combinations(parties, 2):
            f.add("alliedWith", a, b, sent_i, confidence=0.7)
    for pattern in (_ALLY, _BESIDE):
        for m in pattern.finditer(sent.text):
            span = sent.doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
            if span is None:
                continue
            partners = f.after(sent, span[-1], limit=12)
            if pattern is _ALLY:
                partners = partners[:1]
            else:  # the phrase after "aux côtés de", up to its verb or clause
                phrase: list[Token] = []
                for t in sent.doc[span[-1].i + 1 : min(span[-1].i + 14, sent.end)]:
                    if t.pos_ in ("VERB", "AUX") or (t.text == "," and phrase):
                        break
                    phrase.append(t)
                partners = f.idx.in_tokens(phrase, ACTORS)
            verb = span.root.head if span.root.head.pos_ in ("VERB", "AUX") else span.root
            own = f.subject(verb) or f.before(sent, span[0])[-1:]
            if pattern is _ALLY and not own:
                continue
            for a in own:
                for b in partners:
                    if f.mentions[a].kind == "actor":
                        f.add("alliedWith", a, b, sent_i)
    for tok in sent:
        joint = tok.lemma_.lower() in JOINT_ACTIVITY and tok.pos_ == "NOUN"
        if (tok.lemma_.lower() in COOPERATE and tok.pos_ == "VERB") or joint:
            # "coopère avec Y"; "mènent des exercices avec Y", where "avec" may hang on the verb
            holders = [tok, tok.head] if joint and tok.dep_ == "obj" and any(
                c.dep_ == "nsubj" for c in tok.head.children) else [tok]  # the verb's own subject only
            partners = [p for h in holders for c in h.children
                        if c.dep_.startswith(("obl", "nmod")) and any(g.lower_ == "avec" for g in c.children)
                        for p in f.idx.in_tokens(list(c.subtree), ACTORS)[:1]]
            if joint:
                tok = tok.head
            for a in f.subject(tok):
                for b in partners:
                    f.add("alliedWith", a, b, sent_i)
        if tok.lemma_.lower() == "alliance" and tok.pos_ == "NOUN" and any(
                c.lower_ in ("leur", "leurs") for c in tok.children):
            parties = f.subject(tok.head) if tok.head.pos_ == "VERB" else []
            for a, b in combinations(parties, 2):
                f.add("alliedWith", a, b, sent_i)


def _backing(f: _Finder, sent: Span, sent_i: int) -> None:
    text = sent.text
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in BACKED_PASSIVE and (tok.dep_ in ("acl", "amod") or any(c.dep_ == "aux:pass" for c in tok.children)):
            backers = [i for c in tok.children if c.dep_ in ("obl:agent", "obl")
                       and any(g.lower_ == "par" for g in c.children)
                       for i in f.idx.in_tokens(list(c.subtree), ACTORS)]
            backed = (f.idx.in_tokens(list(tok.head.subtree)[:0] or [tok.head], ACTORS) if tok.dep_ in ("acl", "amod")
                      else f.subject(tok))
            if not backed and tok.dep_ in ("acl", "amod"):
                backed = f.before(sent, tok)[-1:]
            for a in backed:
                for b in backers:
                    f.add("backedBy", a, b, sent_i, kind=_kind(text))
        if lemma == "soutien" and tok.pos_ == "NOUN":
            # "X reçoit le soutien de Y": Y backs X; "X apporte un soutien à Y": X backs Y
            backers = []
            backed_ones: list[int] = []
            for c in tok.children:
                if c.dep_ != "nmod":
                    continue
                found = f.idx.in_tokens(list(c.subtree), ACTORS)
                if any(g.lower_ in ("à", "au", "aux") and g.dep_ == "case" for g in c.children):
                    backed_ones += found  # "apporte son soutien à X"
                else:
                    backers += found  # "le soutien de la Russie et de la Chine"
            verb = tok.head
            while verb.pos_ != "VERB" and verb.head.i != verb.i:
                verb = verb.head
            for a in f.subject(verb):
                for b in backers:
                    f.add("backedBy", a, b, sent_i, kind=_kind(text))
                for b in backed_ones:
                    f.add("backedBy", b, a, sent_i, kind=_kind(text))
        if lemma in ("livraison", "fourniture", "approvisionnement") and tok.pos_ == "NOUN":
            # "les livraisons d'équipements militaires russes … pour la junte"
            adjectives = [t for t in tok.subtree if t.pos_ == "ADJ"]
            backers = [i for t in adjectives for i in f.idx.in_tokens([t], ACTORS)]
            recipients = [i for i in f.idx.in_tokens(sent, ACTORS) if i not in backers]
            for b in backers:
                for a in recipients[:1]:
                    f.add("backedBy", a, b, sent_i, kind="weapons")
        if lemma == "former" and tok.pos_ == "VERB":  # "qui forme des combattants du BPLA"
            trained = [i for c in tok.children if c.dep_ == "obj" and c.lemma_.lower() in TRAINEES
                       for i in f.idx.in_tokens(list(c.subtree), ACTORS)]
            for a in trained:
                for b in f.subject(tok) or f.before(sent, tok)[-1:]:
                    f.add("backedBy", a, b, sent_i, kind="training")
        if lemma in SUPPLY and tok.pos_ == "VERB":
            suppliers = f.subject(tok)
            recipients = [i for c in tok.children if c.dep_ in ("obl", "obl:arg", "iobj")
                          and any(g.lower_ in ("à", "au", "aux") for g in c.children)
                          for i in f.idx.in_tokens(list(c.subtree), ACTORS)]
            for a in recipients:
                for b in suppliers:
                    f.add("backedBy", a, b, sent_i, kind=_kind(text) or "weapons")


def _subunits(f: _Finder, sent: Span, sent_i: int) -> None:
    for i in f.idx.in_tokens(sent, ACTORS):
        m = f.mentions[i]
        if m.origin != "unit":
            continue
        toks = [sent.doc[j] for j in f.idx.tokens.get(i, [])]
        nxt = sent.doc[toks[-1].i + 1 : min(toks[-1].i + 6, sent.end)]
        if nxt and nxt[0].lower_ in ("de", "du", "des", "d'", "d’"):
            parent = f.idx.in_tokens(nxt, ACTORS)
            if parent and parent[0] != i:
                f.add("subunitOf", i, parent[0], sent_i, confidence=0.7)
                continue
        prev = sent.doc[max(toks[0].i - 4, sent.start) : toks[0].i]
        if prev and prev[-1].lower_ in ("du", "de", "des") or (len(prev) > 1 and prev[-2].lower_ == "de"):
            parent = f.idx.in_tokens(prev, ACTORS)
            if parent and f.mentions[parent[-1]].origin != "unit":
                f.add("subunitOf", i, parent[-1], sent_i, confidence=0.5)
    # "le 6e bataillon … et le 425e bataillon … de la 66e division": coordinated units share it
    units = [i for i in f.idx.in_tokens(sent, ACTORS) if f.mentions[i].origin == "unit"]
    parents = {r.subject: r.object for r in f.out if r.type == "subunitOf" and r.evidence.sentence == sent_i}
    for a, b in pairwise(units):
        if a not in parents and b in parents:
            between = [t.lower_ for t in sent.doc[f.idx.tokens[a][-1] + 1 : f.idx.tokens[b][0]]]
            if "et" in between and len(between) <= 8:
                f.add("subunitOf", a, parents[b], sent_i, confidence=0.5)
    for wing_match in _WING.finditer(sent.text):
        span = sent.doc.char_span(sent.start_char + wing_match.start(), sent.start_char + wing_match.end(),
                                  alignment_mode="expand")
        if span is None:
            continue
        wing = f.after(sent, span[-1], limit=10)
        owner = f.subject(span.root.head) if span.root.head.pos_ == "VERB" else []
        owner = owner or f.before(sent, span[0])[-1:]
        if wing and owner:
            f.add("subunitOf", wing[0], owner[0], sent_i)


ORGAN_NOUNS = lang.load("fr").words("organ_nouns")


def _organs(f: _Finder, sent: Span, sent_i: int) -> None:
    """"la force régionale de la CEDEAO (ECOMOG)", "la mission de l'Union africaine en
    Somalie (AMISOM)": the body an acronym names belongs to the organisation before it."""
    text = f.document.text
    for a, b in pairwise(f.idx.in_tokens(sent, ACTORS)):
        ma, mb = f.mentions[a], f.mentions[b]
        if not _ACRONYM_AFTER.fullmatch(text[ma.end:mb.start]) or text[mb.end:mb.end + 1] != ")":
            continue
        m = _ORGAN_OF.search(text[max(0, ma.start - 60):ma.start])
        if m and any(word.lower() in ORGAN_NOUNS for word in m.group(1).split()):
            f.add("subunitOf", b, a, sent_i, confidence=0.6)
# what lies between the organisation and its body's acronym, and before the organisation
_ACRONYM_AFTER = re.compile(r"(?:\s+(?:au|en|à|pour)\s+[^\s(),.;]+(?:\s+[^\s(),.;]+)?)?\s*\(")
_ORGAN_OF = re.compile(r"(?i)\b((?:\w+\s+){1,3})(?:de\s+la|du|de\s+l['’]|des|de)\s*$")


_FACING = re.compile(r"(?i)\bface\s+(?:à|aux?)\b|\bcontre\b")
HOSTILE = {"bombarder", "combattre", "réprimer", "attaquer", "affronter", "pilonner", "frapper",
           "lutter", "opposer", "menacer"}


def _hostility(f: _Finder, sent: Span, sent_i: int, dated: bool) -> None:
    """Stated hostility that no single engagement says: 'qui bombarde sans relâche la
    rébellion', 'un avantage face à la rébellion et les armées ethniques'."""
    for tok in sent:
        if tok.lemma_.lower() not in HOSTILE or tok.pos_ != "VERB" or dated:
            continue
        if any(t.lower_ in HABITUAL for t in tok.subtree):
            targets = [i for c in tok.children if c.dep_ == "obj"
                       for i in f.idx.in_tokens(list(c.subtree), ACTORS)]
            own = f.subject(tok)
            if not own and tok.dep_ == "acl:relcl":
                own = f.idx.in_tokens([tok.head], ACTORS)
            for a in own:
                for b in targets:
                    f.add("opposes", a, b, sent_i, confidence=0.5)
    for m in _FACING.finditer(sent.text):
        if "contre" in m.group(0).lower() or dated:
            continue
        span = sent.doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
        if span is None:
            continue
        foes = f.after(sent, span[-1], limit=12)
        own = [i for i in f.before(sent, span[0]) if f.mentions[i].kind == "actor"][-1:]
        for a in own:
            for b in foes:
                f.add("opposes", a, b, sent_i, confidence=0.4)


CUES = [(c["type"], c["direction"], re.compile(c["gap"], re.IGNORECASE),
         re.compile(c["before"], re.IGNORECASE) if "before" in c else None)
        for c in lang.load("fr").get("relation_cues")]
# the kinds of subject and object a cue's relation takes; a place here is one named as
# an actor ("la Turquie soutient"), which resolves to its State
_BODIES = ("actor", "place")
_CUE_KINDS = {"commands": (("person",), _BODIES), "memberOf": (("actor", "place", "person"), _BODIES)}


def _gap_cues(f: _Finder, sent: Span, sent_i: int) -> None:
    """Two parties with only a cue between them ("X, un groupe membre de Y", "X soutenus
    par Y", "les FSR du général Hemedti"): the cue's relation, in its direction."""
    # a country named as a party ("l'Iran qui soutient X") counts: resolution gives its State
    named = f.idx.in_tokens(sent, ("actor", "person", "place"))
    parties = sorted({i for i in named if f.mentions[i].kind != "place" or f.mentions[i].agentive
                      or f.mentions[i].type == "Country"}, key=lambda i: f.mentions[i].start)
    text = f.document.text
    for a, b in pairwise(parties):
        ma, mb = f.mentions[a], f.mentions[b]
        if mb.start - ma.end > 90 or mb.start < ma.end:
            continue
        gap = text[ma.end : mb.start]
        ally_word = mb.text.split()[0] + " " if mb.origin == "demonym" else ""  # "son alliée russe"
        for type_, direction, pattern, before in CUES:
            if not (pattern.fullmatch(gap) or (ally_word and pattern.fullmatch(gap + ally_word))):
                continue
            if before is not None and not before.search(text[max(0, ma.start - 40) : ma.start]):
                continue
            s, o = (a, b) if direction == "forward" else (b, a)
            subject_kinds, object_kinds = _CUE_KINDS.get(type_, (_BODIES, _BODIES))
            if f.mentions[s].kind not in subject_kinds or f.mentions[o].kind not in object_kinds:
                continue
            f.add(type_, s, o, sent_i, confidence=0.5)
            break


# what an infobox row may hold besides names: note calls, language marks, notes in
# brackets, bullets and separators
_ROW_NOISE = re.compile(r"\[\d+\]|\([^()]*\)|[•|:,;–—\-\s]")


def _row_parties(f: _Finder, start: int, end: int) -> list[int] | None:
    """The actors (and countries) of one infobox row, if the row is nothing but them."""
    inside = f.idx.within(start, end)
    parties = [i for i in inside if f.mentions[i].kind == "actor"
               or (f.mentions[i].kind == "place" and f.mentions[i].type == "Country")]
    if not parties or len(parties) != len(inside):
        return None
    text, cut = f.document.text, start
    rest = []
    for i in parties:  # in order of their place in the text
        rest.append(text[cut:f.mentions[i].start])
        cut = f.mentions[i].end
    rest.append(text[cut:end])
    return parties if not _ROW_NOISE.sub("", "".join(rest)) else None


def _infobox_sides(f: _Finder) -> None:
    """The belligerents of an encyclopedic infobox, flattened to one table row per side
    ("A • B C |" then "D E |"): the first two rows in a row that hold nothing but actors.
    Each party is allied with the first of its side (the lead belligerent) and opposes
    the other side's lead. The leads' own war is left to the engagements the text tells."""
    rows: list[tuple[int, int]] = []  # (start, end) of each line that is a one-cell row
    pos = 0
    for line in f.document.text.split("\n"):
        if line.rstrip().endswith("|") and line.count("|") == 1:
            rows.append((pos, pos + len(line)))
        pos += len(line) + 1
    sides = [_row_parties(f, start, end) for start, end in rows]  # each row read once
    for ((_, a1), side_a), ((b0, _), side_b) in pairwise(zip(rows, sides, strict=True)):
        if f.document.text[a1:b0].strip() or not side_a or not side_b:
            continue  # not adjacent rows, or not rows of actors
        for side, other in ((side_a, side_b), (side_b, side_a)):
            for party in side[1:]:
                sent_i = f.mentions[party].sentence
                f.add("alliedWith", party, side[0], sent_i, confidence=0.5)
                f.add("opposes", party, other[0], sent_i, confidence=0.5)
        return


def find_relations(document: Document, sdoc: Doc, sentences: tuple[Sentence, ...],
                   mentions: tuple[Mention, ...], dates: list[SentenceDates],
                   engagements: tuple[Engagement, ...], idx: MentionIndex) -> tuple[Relation, ...]:
    f = _Finder(document, sdoc, sentences, mentions, idx)
    _infobox_sides(f)
    for sent_i, sent in enumerate(sdoc.sents):
        parties = f.idx.in_tokens(sent, PARTIES)
        if len(parties) < 2:
            continue  # a relation needs two parties in its sentence
        # each pattern runs only where its cue words are (they scan the sentence's tokens)
        text = sent.text.lower()
        lemmas = {t.lemma_.lower() for t in sent}
        _gap_cues(f, sent, sent_i)
        if any(mentions[p].kind == "person" for p in parties):
            _titles(f, sent, sent_i)
        if lemmas & (COMPOSE | {"membre"}) or _LINKED.search(text):
            _membership(f, sent, sent_i)
        if lemmas & (COOPERATE | JOINT_ACTIVITY | {"alliance"}) or _JOINT.search(text) \
                or _ALLY.search(text) or _BESIDE.search(text):
            _alliance(f, sent, sent_i)
        if lemmas & (BACKED_PASSIVE | SUPPLY | {"soutien", "livraison", "fourniture",
                                                  "approvisionnement", "former"}):
            _backing(f, sent, sent_i)
        if any(mentions[p].origin == "unit" for p in parties) or _WING.search(text):
            _subunits(f, sent, sent_i)
        if "(" in text:
            _organs(f, sent, sent_i)
        if lemmas & HOSTILE or _FACING.search(text):
            _hostility(f, sent, sent_i, dated=bool(dates[sent_i].stated))
    # a signed pact or ceasefire: an agreement between its parties, valid until …
    for e in engagements:
        if e.type != "Agreement":
            continue
        parties = list(dict.fromkeys(e.agents + e.targets))
        sent_dates = dates[e.evidence.sentence].stated
        until = next((d.date for d in sent_dates if d.is_span_bound and "jusqu" in d.text.lower()), None)
        for a, b in combinations(parties, 2):
            f.add("agreement", a, b, e.evidence.sentence, start=e.date, end=until, confidence=0.7)
    return tuple(f.out)

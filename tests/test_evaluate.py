"""The scorer: gold items against the seeds' graph in the real store."""

from __future__ import annotations

from kg.evaluate import evaluate, report, score_document


def test_actor_type_share_counts_matched_actors_of_the_gold_type(seed_store) -> None:  # type: ignore[no-untyped-def]
    gold = {"document": "000_7bdecd0d9d0b88f6.txt", "actors": [
        {"id": "KIA", "type": "ArmedGroup", "mentions": ["KIA"]},
        {"id": "Tatmadaw", "type": "State", "mentions": ["Tatmadaw"]},  # wrong on purpose
        {"id": "Nobody", "type": "Militia", "mentions": ["Milice imaginaire du Nord"]},
    ]}
    score = score_document(seed_store, gold)
    assert (score.scores["actors"].hits, score.scores["actors"].gold) == (2, 3)
    assert (score.actor_type_matched, score.actor_type_correct) == (2, 1)
    docs, total = evaluate(seed_store, [gold])
    assert total.actor_type_matched == 2
    assert "actor type     0.50 of 2 matched" in report(docs, total, details=False)


def test_known_scores_on_a_small_gold_file(seed_store) -> None:  # type: ignore[no-untyped-def]
    """Seed 002's graph holds two relations (JNIM memberOf Al-Qaïda, Al-Zallaqa subunitOf
    JNIM) and two engagements (the Niafunké capture, and an "affrontements" of 2012)."""
    actors = [{"id": "JNIM", "type": "ArmedGroup", "mentions": ["JNIM"]},
              {"id": "AlQaida", "type": "ArmedGroup", "mentions": ["Al-Qaïda"]},
              {"id": "AlZallaqa", "type": "Other", "mentions": ["Al-Zallaqa Foundation"]},
              {"id": "MaliArmy", "type": "StateForce", "mentions": ["armée malienne"]},
              {"id": "Niafunke", "mentions": ["Niafounke", "camp de Niafounke"]}]
    gold = {"document": "002_ad34e4e326f002f7.txt", "actors": actors[:4], "places": actors[4:],
            "relations": [
                {"type": "memberOf", "subject": "JNIM", "object": "AlQaida", "evidence": "lié à"},
                {"type": "alliedWith", "subject": "AlQaida", "object": "JNIM", "evidence": "lié à"},  # not so
                {"type": "subunitOf", "subject": "AlZallaqa", "object": "JNIM", "evidence": "plateforme"}],
            "engagements": [
                {"type": "Capture", "date": "--11-24", "date_precision": "unknown", "place": "Niafunke",
                 "agents": ["JNIM"], "targets": ["MaliArmy"], "evidence": "camp de Niafounke"},
                {"type": "Attack", "date": "2011", "date_precision": "year", "agents": ["MaliArmy"],
                 "evidence": "a date no sentence gives"}]}
    s = score_document(seed_store, gold).scores
    rel, eng = s["relations"], s["engagements"]
    assert (rel.gold, rel.extracted, rel.hits, rel.correct) == (3, 2, 2, 2)
    assert (round(rel.precision, 3), round(rel.recall, 3), round(rel.f1, 3)) == (1.0, 0.667, 0.8)
    assert (eng.gold, eng.extracted, eng.hits, eng.correct) == (2, 2, 1, 1)
    assert round(eng.f1, 3) == 0.5
    assert [m.split(":")[0] for m in rel.misses] == ["alliedWith AlQaida -> JNIM"]


def test_the_best_matching_not_the_first_one() -> None:
    """Gold A matches extracted x and y, gold B only x. Pairing greedily in order takes
    (A, x) and leaves B out; the scorer finds (A, y) and (B, x)."""
    from kg.evaluate import _pairs

    gold = ["A", "B"]
    extracted = ["x", "y"]
    matches = {("A", "x"), ("A", "y"), ("B", "x")}
    hit_g, hit_e, pairs = _pairs(gold, extracted, lambda g, e: (g, e) in matches)
    assert pairs == [(0, 1), (1, 0)] and hit_g == {0, 1} and hit_e == {0, 1}
    # a preference picks among equally large matchings, never at the cost of a pair
    _, _, preferred = _pairs(["A"], ["x", "y"], lambda g, e: True, lambda g, e: e == "y")
    assert preferred == [(0, 1)]

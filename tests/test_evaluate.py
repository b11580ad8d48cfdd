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

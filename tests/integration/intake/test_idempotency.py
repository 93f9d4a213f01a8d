"""intake's Idempotency-Key store (storage/idempotency.py) on the real database: a batch's keys claimed at once
answer as each key claimed alone would."""

from services.intake.storage.idempotency import IdempotencyKeys, KeyReused
from shared.contracts import ProgressReport
from tests.support.samples import REPORT


async def test_a_batch_of_keys_gets_new_ids_for_new_keys_the_first_ids_for_taken_ones_and_refuses_a_changed_body(
        database):
    keys = IdempotencyKeys(database["idempotency_keys"])
    reports = {f"b#{i}": ProgressReport(**{**REPORT, "percent_complete": i}) for i in range(5)}
    alone = await keys.event_id_for("/v1/progress:batch", "b#1", reports["b#1"])

    first = await keys.event_ids_for("/v1/progress:batch", reports)
    assert first["b#1"] == alone and len(set(first.values())) == 5

    changed = {**reports, "b#2": reports["b#2"].model_copy(update={"percent_complete": 99}), "b#5": reports["b#0"]}
    again = await keys.event_ids_for("/v1/progress:batch", changed)
    assert isinstance(again.pop("b#2"), KeyReused)
    assert again == {**{key: first[key] for key in ("b#0", "b#1", "b#3", "b#4")}, "b#5": again["b#5"]}
    assert again["b#5"] not in first.values()
    assert await keys.event_ids_for("/v1/other", {"b#0": reports["b#0"]}) != {"b#0": first["b#0"]}  # by endpoint
    assert await database["idempotency_keys"].count_documents({}) == 7

"""Events of several types applied in their order, each run of one type as one batch of its use case."""

from datetime import UTC, datetime

from services.reporting.usecases.record import record
from shared.contracts import (
    AlertCleared,
    AlertRaised,
    AssignmentSigned,
    AssignmentUrged,
    CompletionReturned,
    ProgressWithdrawn,
)

AT = datetime(2026, 11, 1, tzinfo=UTC)
NOTICE = {"key": "lagging|m1|u1|", "episode": "ep1", "kind": "lagging", "severity": "warning", "measure_id": "m1",
          "unit": "u1", "unit_name": "u1", "region_code": "361002", "reason": "", "figures": {}, "opened_at": AT,
          "as_of": "2026-11-01"}
WITHDRAWAL = {"event_id": "e1", "measure_id": "m1", "unit": "u1", "region_code": "361002", "period": "2026",
              "reason": "误报", "by": "operator"}


class FakeStore:
    """Records what each storage call was given, in order."""

    def __init__(self):
        self.calls: list[tuple[str, list[str]]] = []

    async def open_alerts_of(self, alerts):
        self.calls.append(("open", [alert.episode for alert in alerts]))

    async def close_alerts(self, alerts):
        self.calls.append(("close", [alert.episode for alert in alerts]))

    async def mark_withdrawn(self, events):
        self.calls.append(("withdrawn", [event.id for event in events]))

    async def save_loop_events(self, events):
        self.calls.append(("loop", [event.id for event in events]))

    async def save_urges(self, events):
        self.calls.append(("urges", [event.id for event in events]))


async def test_runs_of_one_type_go_together_and_the_order_is_kept():
    store = FakeStore()
    raised = AlertRaised(id="r1", source="t", time=AT, data=NOTICE)
    cleared = AlertCleared(id="c1", source="t", time=AT, data={**NOTICE, "closed_at": AT})
    withdrawals = [ProgressWithdrawn(id=f"w{n}", source="t", time=AT, data=WITHDRAWAL) for n in (1, 2)]
    await record(store, [raised, *withdrawals, cleared, raised])
    assert store.calls == [("open", ["ep1"]), ("withdrawn", ["w1", "w2"]), ("close", ["ep1"]), ("open", ["ep1"])]


async def test_the_loops_steps_of_every_type_are_kept_for_the_timeline():
    store = FakeStore()
    who = {"measure_id": "m1", "unit": "u1", "region_code": "361002"}
    signed = [AssignmentSigned(id=f"s{n}", source="t", time=AT, data={**who, "by": "张三"}) for n in (1, 2)]
    returned = CompletionReturned(id="r1", source="t", time=AT, data={
        **who, "by": "李四", "verifier": "lead_unit", "verifier_unit": "lead", "reason": "佐证材料不全"})
    await record(store, [*signed, returned, raised := AlertRaised(id="a1", source="t", time=AT, data=NOTICE)])
    assert store.calls == [("loop", ["s1", "s2"]), ("loop", ["r1"]), ("open", [raised.data.episode])]


async def test_the_urges_are_kept_for_the_timeline():
    store = FakeStore()
    urge = {"alert_key": NOTICE["key"], "alert_kind": "lagging", "episode": "ep1", "measure_id": "m1", "unit": "u1",
            "region_code": "361002", "by": "市依法治市办", "comment": None, "urged_at": AT, "day": "2026-11-01",
            "queued": ["c1"], "already_notified": []}
    urged = [AssignmentUrged(id=f"u{n}", source="t", time=AT, data=urge) for n in (1, 2)]
    await record(store, [*urged, AlertRaised(id="a1", source="t", time=AT, data=NOTICE)])
    assert store.calls == [("urges", ["u1", "u2"]), ("open", ["ep1"])]

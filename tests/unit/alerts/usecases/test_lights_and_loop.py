"""The loop's alerts and the lights through the evaluation, on in-memory stores: assignment-updated alone raises
unsigned and awaiting-verification and clears them as the loop moves on; each change of an assignment's light is
published once, with a stable id, its previous light and reasons, and nothing when only its reasons change."""

import asyncio
from datetime import UTC, date, datetime

import pytest

from services.alerts.domain.rules import RulesBook
from services.alerts.usecases.evaluate import AlertsService
from services.alerts.usecases.record import record_assignments, record_measures
from shared.contracts import AssignmentState, AssignmentUpdated, Measure, MeasureCreated
from shared.domain.calendar import CHINA
from tests.unit.alerts.usecases.fakes import FakeAlertStore, FakeInputs
from tests.unit.alerts.usecases.test_evaluate import Published

# Issued on Friday 27 November 2026 (Beijing): signed for by Wednesday 2 December, or unsigned from Thursday. Due
# at the end of 2027, reporting from 1 December 2026: nothing else is judged in December.
MEASURE = Measure(measure_id="m-1", plan_id="p", region_code="361000", number=1, title="加强行政应诉工作",
                  lead_units=["市司法局"], start_date=date(2026, 12, 1),
                  deadlines=[{"text": "2027年底前", "date": "2027-12-31"}])
ISSUED = datetime(2026, 11, 27, 9, tzinfo=CHINA)
KEY = "m-1|361002.gov"
THURSDAY, NEXT_MONDAY = date(2026, 12, 3), date(2026, 12, 7)


def updated(revision: int, **state) -> AssignmentUpdated:
    values = {"measure_id": "m-1", "unit": "361002.gov", "unit_name": "临川区政府", "role": "responsible",
              "region_code": "361002", "revision": revision} | state
    return AssignmentUpdated.wrap(AssignmentState(**values), source="/test", event_id=f"{KEY}#{revision}")


SIGNED = {"loop_state": "signed", "signed_at": datetime(2026, 12, 3, 2, tzinfo=UTC)}
REQUESTED = {"loop_state": "completion_requested", "signed_at": SIGNED["signed_at"], "status": "completed",
             "percent_complete": 100, "reported_at": datetime(2026, 12, 4, 2, tzinfo=UTC),
             "completed_at": datetime(2026, 12, 4, 2, tzinfo=UTC), "period": "2026-Q4",
             "completion_requested_at": datetime(2026, 12, 4, 2, tzinfo=UTC)}


class World:
    def __init__(self):
        self.inputs, self.store, self.published = FakeInputs(), FakeAlertStore(), Published()
        self.day = THURSDAY
        self.service = self.service_on(self.published)

    def service_on(self, publish) -> AlertsService:
        return AlertsService(self.inputs, self.store, RulesBook(), publish, today=lambda: self.day)

    async def take_in(self, *events: AssignmentUpdated) -> None:
        await record_assignments(self.inputs, self.service, list(events))

    def lights(self) -> list[tuple[str, str | None, str, list[str]]]:
        return [(event.id, event.data.previous, event.data.light, event.data.reasons)
                for event in self.published.of("assignment-light-changed")]


@pytest.fixture
async def world() -> World:
    world = World()
    measure = MeasureCreated(id="measure-1", source="/test", time=ISSUED, data=MEASURE)
    await record_measures(world.inputs, world.service, [measure])
    return world


async def test_an_assignment_not_signed_for_in_time_turns_yellow_and_signing_clears_it_and_greens_it(world):
    world.day = date(2026, 12, 2)  # the limit's last day
    await world.take_in(updated(1))
    assert world.published.of("alert-raised") == []
    assert world.lights() == [(f"{KEY}#light-1", None, "green", [])]

    world.day = THURSDAY
    await world.service.sweep()
    [raised] = world.published.of("alert-raised")
    assert (raised.data.kind, raised.data.key, raised.data.figures["sign_by"]) == (
        "unsigned", "unsigned|m-1|361002.gov|", "2026-12-02")
    assert world.lights()[1:] == [(f"{KEY}#light-2", "green", "yellow", ["unsigned"])]
    [light] = world.published.of("assignment-light-changed")[1:]
    assert (light.data.judged_on, light.data.region_code, light.data.changed_at) == (
        THURSDAY, "361002", world.store.lights[KEY]["changed_at"])

    await world.take_in(updated(2, **SIGNED))
    [cleared] = world.published.of("alert-cleared")
    assert cleared.data.kind == "unsigned"
    assert world.lights()[2:] == [(f"{KEY}#light-3", "yellow", "green", [])]
    assert world.store.lights[KEY]["changes"] == 3 and world.store.lights[KEY]["outbox"] == []


async def test_a_request_waiting_past_five_working_days_alerts_the_verifier_and_closing_out_greens_it(world):
    await world.take_in(updated(1, **SIGNED), updated(2, **REQUESTED))  # requested Friday 4 December
    world.day = date(2026, 12, 11)  # the fifth working day: Monday 7 to Friday 11
    await world.service.sweep()
    assert world.published.of("alert-raised") == []
    world.day = date(2026, 12, 14)
    await world.service.sweep()
    [raised] = world.published.of("alert-raised")
    assert (raised.data.kind, raised.data.figures["verifier"], raised.data.figures["lead_units"]) == (
        "awaiting_verification", "lead_unit", ["市司法局"])
    assert "请牵头单位（市司法局）或本级督查部门核查" in raised.data.reason

    closed = {**REQUESTED, "loop_state": "closed_out", "closed_out_at": datetime(2026, 12, 14, 3, tzinfo=UTC)}
    await world.take_in(updated(3, **closed))
    assert [e.data.kind for e in world.published.of("alert-cleared")] == ["awaiting_verification"]
    assert [(light, reasons) for _, _, light, reasons in world.lights()] == [
        ("green", []), ("yellow", ["awaiting_verification"]), ("green", ["closed_out"])]


async def test_a_completion_returned_twice_is_red_with_nothing_else_open_and_once_is_not(world):
    returned = {**SIGNED, "loop_state": "in_progress", "reported_at": datetime(2026, 12, 2, 2, tzinfo=UTC),
                "period": "2026-Q4", "percent_complete": 60, "status": "in_progress"}
    await world.take_in(updated(1, **returned, returned_count=1))
    await world.take_in(updated(2, **returned, returned_count=2))
    assert world.published.of("alert-raised") == []
    assert world.lights() == [(f"{KEY}#light-1", None, "green", []),
                              (f"{KEY}#light-2", "green", "red", ["returned_twice"])]


async def test_reasons_changing_under_one_colour_publish_nothing(world):
    await world.take_in(updated(1))
    await world.service.sweep(THURSDAY)  # yellow: unsigned
    world.day = date(2027, 1, 11)  # still unsigned, and the fourth quarter not reported: yellow for two reasons
    await world.service.sweep()
    assert world.store.open.keys() == {"unsigned|m-1|361002.gov|", "silent|m-1|361002.gov|"}
    assert [light for _, _, light, _ in world.lights()] == ["yellow"]  # judged on THURSDAY before any green
    assert world.store.lights[KEY]["reasons"] == ["unsigned"]


async def test_two_evaluations_at_once_publish_each_change_of_light_once(world):
    other = world.service_on(world.published)
    await world.inputs.save_assignments([updated(1)])  # stored, not judged yet
    await asyncio.gather(world.service.sweep(), other.sweep())
    await world.inputs.save_assignments([updated(2, **SIGNED)])
    await asyncio.gather(world.service.sweep(), other.sweep())
    assert {event.id for event in world.published.of("assignment-light-changed")} == {
        f"{KEY}#light-1", f"{KEY}#light-2"}
    assert world.store.lights[KEY]["changes"] == 2


async def test_a_light_the_broker_refuses_stays_pending_and_goes_out_with_the_next_evaluation(world):
    async def refuse(event, key) -> None:
        raise ConnectionError("Kafka away")

    world.day = date(2026, 11, 30)
    await record_assignments(world.inputs, world.service_on(refuse), [updated(1)])
    assert [event["id"] for event in world.store.lights[KEY]["outbox"]] == [f"{KEY}#light-1"]
    await world.service.sweep()
    assert world.lights() == [(f"{KEY}#light-1", None, "green", [])] and world.store.lights[KEY]["outbox"] == []


async def test_an_assignment_of_a_measure_not_known_yet_is_not_lit(world):
    await world.take_in(updated(1, measure_id="m-2"))
    assert "m-2|361002.gov" not in world.store.lights


class HeldInputs:
    """The inputs, with the assignments read but handed over only once `gate` opens: an evaluation that read them
    before a newer state was stored, and writes after another evaluation judged that newer state."""

    def __init__(self, inputs: FakeInputs, gate: asyncio.Event):
        self.inputs, self.gate = inputs, gate

    async def measures(self, measure_ids=None) -> dict:
        return await self.inputs.measures(measure_ids)

    async def assignments(self, **query) -> list[dict]:
        found = await self.inputs.assignments(**query)
        await self.gate.wait()
        return found


async def test_an_evaluation_of_older_inputs_does_not_undo_a_newer_light(world):
    await world.take_in(updated(1))  # yellow: unsigned
    gate = asyncio.Event()
    stale = AlertsService(HeldInputs(world.inputs, gate), world.store, RulesBook(), world.published,
                          today=lambda: world.day)
    held = asyncio.create_task(stale.sweep())
    for _ in range(10):
        await asyncio.sleep(0)  # it has read the assignment, still unsigned
    await world.take_in(updated(2, **SIGNED))  # green, judged from the newer state
    gate.set()
    await held
    assert [(light, previous) for _, previous, light, _ in world.lights()] == [("yellow", None), ("green", "yellow")]
    assert (world.store.lights[KEY]["light"], world.store.lights[KEY]["changes"]) == ("green", 2)

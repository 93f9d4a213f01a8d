"""The evaluation and the taking-in of events, on in-memory stores: alerts judged from assignment-updated alone,
revisions superseding, and two evaluations at once giving one episode per key and one event per transition."""

import asyncio
from datetime import UTC, date, datetime, time

import pytest

from services.alerts.domain.rules import RulesBook
from services.alerts.usecases.evaluate import AlertsService
from services.alerts.usecases.record import record_assignments, record_measures
from services.reporting.domain.flags import Flag, flagged_on
from shared.contracts import AssignmentState, AssignmentUpdated, CloudEvent, Measure, MeasureCreated
from shared.domain.calendar import CHINA, today_in_china
from tests.unit.alerts.usecases.fakes import FakeAlertStore, FakeInputs

# Due 2026-06-30, reported on 2026-06-15 for Q2 at 40 %: on 2026-07-03 overdue by 3 days (warning), on 2026-08-05
# by 36 (critical, past the 30 days); never silent on those days (Q2 reported, Q3 not over), past the deadline so
# not judged as lagging.
MEASURE = Measure(measure_id="m-1", plan_id="p", region_code="361000", number=1, title="加强行政应诉工作",
                  lead_units=["市司法局"], start_date=date(2026, 6, 1),
                  deadlines=[{"text": "2026年6月底前", "date": "2026-06-30"}])
KEY = "overdue|m-1|361000.justice|"
WARNING_DAY, CRITICAL_DAY = date(2026, 7, 3), date(2026, 8, 5)


def updated(revision: int, **state) -> AssignmentUpdated:
    values = {"measure_id": "m-1", "unit": "361000.justice", "unit_name": "市司法局", "role": "lead",
              "region_code": "361000", "revision": revision, "status": "in_progress", "percent_complete": 40,
              "period": "2026-Q2", "reported_at": datetime(2026, 6, 15, 2, tzinfo=UTC)} | state
    key = f"m-1|{values['unit']}"
    return AssignmentUpdated.wrap(AssignmentState(**values), source="/test", event_id=f"{key}#{revision}")


COMPLETED = {"status": "completed", "percent_complete": 100, "completed_at": datetime(2026, 7, 2, tzinfo=UTC),
             "reported_at": datetime(2026, 7, 2, tzinfo=UTC), "period": "2026-Q3"}


class Published(list):
    async def __call__(self, event: CloudEvent, key: str) -> None:
        await asyncio.sleep(0)
        self.append(event)

    def of(self, event_type: str) -> list[CloudEvent]:
        return [event for event in self if event.type == event_type]


@pytest.fixture
def world():
    """Fake stores, the events published, and a service judging on WARNING_DAY unless told another day."""
    inputs, store, published = FakeInputs(), FakeAlertStore(), Published()
    return inputs, store, published, service_on(inputs, store, published)


def service_on(inputs, store, publish) -> AlertsService:
    return AlertsService(inputs, store, RulesBook(), publish, today=lambda: WARNING_DAY)


async def take_in(inputs, service, *events) -> None:
    await record_measures(inputs, service, [MeasureCreated.wrap(MEASURE, source="/test")])
    await record_assignments(inputs, service, list(events))


async def test_an_assignment_update_alone_raises_and_a_completed_revision_clears(world):
    inputs, store, published, service = world
    await take_in(inputs, service, updated(1))  # judged at once, without a sweep
    [raised] = published.of("alert-raised")
    assert (raised.data.key, raised.data.severity) == (KEY, "warning")
    assert (await service.sweep(WARNING_DAY)).published == 0  # nothing new: nothing published

    await record_assignments(inputs, service, [updated(2, **COMPLETED)])
    [cleared] = published.of("alert-cleared")
    assert (cleared.id, store.open) == (f"{raised.data.episode}.cleared", {})


async def test_an_assignment_update_judges_that_assignment_and_leaves_its_measures_others_as_they_are(world):
    inputs, store, published, service = world
    other = updated(1, unit="361000.finance", unit_name="市财政局", role="responsible")
    await take_in(inputs, service, updated(1), other)
    assert {event.data.key for event in published.of("alert-raised")} == {KEY, "overdue|m-1|361000.finance|"}
    published.clear()

    await record_assignments(inputs, service, [updated(2, **COMPLETED)])
    [cleared] = published.of("alert-cleared")
    assert cleared.data.key == KEY and set(store.open) == {"overdue|m-1|361000.finance|"}
    assert [lit.data.unit for lit in published.of("assignment-light-changed")] == ["361000.justice"]


async def test_the_highest_revision_wins_whatever_the_order_and_removed_forgets(world):
    inputs, _, _, service = world
    await take_in(inputs, service, updated(3, percent_complete=70), updated(2, percent_complete=50))
    await record_assignments(inputs, service, [updated(1, percent_complete=10)])  # late and lower: dropped
    [assignment] = await inputs.assignments()
    assert assignment["percent_complete"] == 70

    await record_assignments(inputs, service, [updated(4, removed=True, assigned=False)])
    await record_assignments(inputs, service, [updated(3, percent_complete=70)])  # a redelivery: stays removed
    assert await inputs.assignments() == []


async def test_two_evaluations_at_once_give_one_episode_and_one_event_per_transition(world):
    inputs, store, published, service = world
    other = service_on(inputs, store, published)
    await record_measures(inputs, service, [MeasureCreated.wrap(MEASURE, source="/test")])
    await inputs.save_assignments([updated(1)])  # stored, not judged yet: the two sweeps below find it new

    outcomes = await asyncio.gather(service.sweep(WARNING_DAY), other.sweep(WARNING_DAY))
    assert sum(o.raised for o in outcomes) == 2  # both judged it new …
    [episode] = {doc["episode"] for doc in store.open.values()}
    raised_ids = {e.id for e in published.of("alert-raised")}
    assert raised_ids == {f"{episode}.raised"}  # … one episode, one event (published once or twice: same id)

    await asyncio.gather(service.sweep(CRITICAL_DAY), other.sweep(CRITICAL_DAY))
    assert {e.id for e in published.of("alert-severity-changed")} == {f"{episode}.severity-1"}
    assert [c["to"] for c in store.open[KEY]["severity_changes"]] == ["critical"]

    await inputs.save_assignments([updated(2, **COMPLETED)])
    await asyncio.gather(service.sweep(CRITICAL_DAY), other.sweep(CRITICAL_DAY))
    assert {e.id for e in published.of("alert-cleared")} == {f"{episode}.cleared"}
    assert (list(store.history), store.open) == ([episode], {})
    assert all(not doc["outbox"] for doc in store.history.values())


async def test_an_event_the_broker_refuses_stays_pending_and_goes_out_with_the_next_evaluation(world):
    inputs, store, published, service = world
    refusing = service_on(inputs, store, refuse)
    await record_measures(inputs, refusing, [MeasureCreated.wrap(MEASURE, source="/test")])
    await record_assignments(inputs, refusing, [updated(1)])
    assert store.open[KEY]["outbox"] and store.lights["m-1|361000.justice"]["outbox"]
    assert (await service.sweep(WARNING_DAY)).published == 2  # the alert-raised, and the assignment's first light
    assert store.open[KEY]["outbox"] == [] == store.lights["m-1|361000.justice"]["outbox"]


async def refuse(event: CloudEvent, key: str) -> None:
    raise ConnectionError("Kafka away")


def last_second(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), CHINA)


async def test_episodes_judged_for_a_past_day_open_change_and_close_on_that_day_not_on_the_clocks(world):
    inputs, store, published, service = world
    await record_measures(inputs, service, [MeasureCreated.wrap(MEASURE, source="/test")])
    await inputs.save_assignments([updated(1)])  # stored, not judged yet
    await service.sweep(WARNING_DAY)
    [raised] = published.of("alert-raised")
    assert raised.data.opened_at == store.open[KEY]["opened_at"] == last_second(WARNING_DAY)
    assert raised.data.as_of == WARNING_DAY.isoformat()

    await service.sweep(CRITICAL_DAY)
    [changed] = published.of("alert-severity-changed")
    assert (changed.data.severity, changed.data.opened_at) == ("critical", last_second(WARNING_DAY))
    assert store.open[KEY]["severity_changes"][0]["at"] == last_second(CRITICAL_DAY)

    await inputs.save_assignments([updated(2, **COMPLETED)])
    cleared_on = date(2026, 9, 1)
    await service.sweep(cleared_on)
    [cleared] = published.of("alert-cleared")
    assert (cleared.data.opened_at, cleared.data.closed_at) == (last_second(WARNING_DAY), last_second(cleared_on))
    assert store.history[raised.data.episode]["closed_at"] == last_second(cleared_on)
    # Reporting counts the episode on the days it was open at their end: from WARNING_DAY up to the day before.
    flag = Flag("overdue", "m-1", "361000.justice", cleared.data.opened_at, cleared.data.closed_at)
    assert [bool(flagged_on([flag], day).overdue) for day in (
        date(2026, 7, 2), WARNING_DAY, date(2026, 8, 31), cleared_on)] == [False, True, True, False]


async def test_a_judgement_of_today_takes_the_clock_and_a_past_day_never_closes_an_episode_before_it_opened(world):
    inputs, store, published, service = world
    await record_measures(inputs, service, [MeasureCreated.wrap(MEASURE, source="/test")])
    await inputs.save_assignments([updated(1)])
    before = datetime.now(UTC)
    await service.sweep(today_in_china())
    [raised] = [event for event in published.of("alert-raised") if event.data.key == KEY]
    assert before <= raised.data.opened_at <= datetime.now(UTC)

    await inputs.save_assignments([updated(2, **COMPLETED)])
    await service.sweep(WARNING_DAY)  # an operator judging a past day after the episode opened today
    [cleared] = [event for event in published.of("alert-cleared") if event.data.key == KEY]
    assert cleared.data.closed_at == cleared.data.opened_at == raised.data.opened_at


async def test_one_service_publishing_twice_at_once_sends_each_event_once_even_while_the_outbox_empties(world):
    inputs, store, published, service = world
    await record_measures(inputs, service, [MeasureCreated.wrap(MEASURE, source="/test")])
    await inputs.save_assignments([updated(1)])
    emptying = store.published

    async def slowly(sent, whole) -> None:  # the outbox is emptied a moment after Kafka took the events
        await asyncio.sleep(0.05)
        await emptying(sent, whole)

    async def refusing(event: CloudEvent, key: str) -> None:
        raise ConnectionError("Kafka away")

    service.publish = refusing
    await service.sweep(WARNING_DAY)  # judged and written, every event left pending
    service.publish, store.published = published, slowly

    async def later() -> int:  # reads the outbox after the first pass sent its events, before it empties it
        await asyncio.sleep(0.02)
        return await service.publish_pending()

    await asyncio.gather(service.publish_pending(), later())
    ids = [event.id for event in published]
    assert ids and len(ids) == len(set(ids)) and await store.pending(10) == []

"""The tracker on the real broker and database, fed what should not count: a time outside the reporting window,
a unit the registry does not know, an event id reused with other content, and a report an operator withdraws.
Each is kept out of the figures with a trace (dead letter, unresolved-units, report_conflicts, history), and a
rebuild from the topics agrees with the live state."""

from datetime import UTC, datetime, timedelta

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.rebuild import rebuild, report
from shared.contracts import ProgressReported, ProgressWithdrawal, ProgressWithdrawn, RegistryPublished
from shared.kafka.broker import publish_event
from tests.integration.tracker import test_rebuild, test_tracker
from tests.integration.tracker.test_tracker import MEASURE, assignment, publish_measure, publish_reports
from tests.support.kafka import headers, read_topic
from tests.support.waiting import eventually

tracker = test_tracker.tracker
rebuilt = test_rebuild.rebuilt


def reported(percent: float, at: datetime, unit: str = "临川区政府") -> ProgressReported:
    return ProgressReported.wrap(test_tracker.report(unit=unit, percent=percent).model_copy(
        update={"reported_at": at}), source="/test")


async def current_percent(tracker, unit: str, percent: float) -> bool:
    state = await assignment(tracker, unit)
    return state is not None and state["percent_complete"] == percent


async def test_times_outside_the_window_are_dead_lettered_and_later_reports_still_become_current(
        tracker, publisher, topics, settings_values):
    await publish_measure(publisher, topics)
    future = reported(99, datetime(9999, 12, 31, tzinfo=UTC))
    ancient = reported(98, datetime(1, 1, 1, tzinfo=UTC))
    now = datetime.now(UTC) - timedelta(minutes=1)
    await publish_reports(publisher, topics, [future, ancient, reported(40, now)])

    dead = await read_topic(settings_values["kafka_bootstrap_servers"], topics.dead_letter, expected=2)
    assert {"晚于当前时间", "早于方案开始时间"} <= {
        phrase for r in dead for phrase in ("晚于当前时间", "早于方案开始时间")
        if phrase in headers(r)["dlq-reason"]}
    await eventually(lambda: current_percent(tracker, "临川区政府", 40))
    await publish_reports(publisher, topics, [reported(45, datetime.now(UTC))])
    await eventually(lambda: current_percent(tracker, "临川区政府", 45))


async def test_unknown_units_conflicts_and_withdrawals_stay_out_of_the_figures_and_a_rebuild_agrees(
        tracker, publisher, topics, database, rebuilt, settings_values):
    await publish_event(publisher, topics.registry_published,
                        RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test"), "registry")
    await publish_measure(publisher, topics)
    now = datetime.now(UTC) - timedelta(hours=1)
    older, newer = reported(30, now), reported(60, now + timedelta(minutes=5))
    typo = reported(90, now, unit="临川区政付")
    reused = newer.model_copy(update={"data": newer.data.model_copy(update={"percent_complete": 61.0})})
    await publish_reports(publisher, topics, [older, newer, typo])

    async def applied():
        return await database["progress_reports"].count_documents({}) == 3

    await eventually(applied)
    await publish_reports(publisher, topics, [reused])
    unit = "361002.government"
    await eventually(lambda: current_percent(tracker, unit, 60))
    state = (await tracker.get(f"/v1/measures/{MEASURE.measure_id}")).json()
    assert "临川区政付" not in {a["unit"] for a in state["assignments"]}  # no phantom assignment
    unresolved = (await tracker.get("/v1/unresolved-units")).json()
    assert {"name": "临川区政付", "measures": [MEASURE.measure_id], "reports": 1} in unresolved

    async def conflict_recorded():
        return await database["report_conflicts"].count_documents({"event_id": newer.id}) == 1

    await eventually(conflict_recorded)
    assert (await tracker.get("/health")).json()["report_conflicts"] == 1
    assert (await assignment(tracker, unit))["percent_complete"] == 60  # the first content is kept

    withdrawal = ProgressWithdrawn.wrap(ProgressWithdrawal(
        event_id=newer.id, measure_id=MEASURE.measure_id, unit="临川区政府", region_code="361002",
        period=newer.data.period, reason="wrong figure", by="test"), source="/test")
    # Authorised for the region it names: naming another region than the report's, it is refused.
    elsewhere = ProgressWithdrawn.wrap(withdrawal.data.model_copy(update={"region_code": "361003"}), source="/test")
    for event in (elsewhere, withdrawal):
        await publish_event(publisher, topics.progress_withdrawn, event, event.data.assignment_key)

    await eventually(lambda: current_percent(tracker, unit, 30))
    history = (await tracker.get(f"/v1/measures/{MEASURE.measure_id}/units/{unit}/reports")).json()
    assert [(r["percent_complete"], r.get("withdrawn", {}).get("reason")) for r in history] == [
        (30, None), (60, "wrong figure")]

    [dead] = await read_topic(settings_values["kafka_bootstrap_servers"], topics.dead_letter, expected=1)
    assert "not on fuzhou-2022-17, 361003" in headers(dead)["dlq-reason"]

    result = await rebuild(TrackerSettings(**settings_values), into=rebuilt.name)
    assert result.identical, "\n".join(report(result))

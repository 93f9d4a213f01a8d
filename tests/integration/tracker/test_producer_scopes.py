"""Events published straight to Kafka held to their producers' scopes, on the real broker and database: with a
clients file, the tracker applies a report from a source its county's credential lists and one intake published for a
client of that county and one an open intake published before the clients file (intake's source naming no client),
and dead-letters, with the reason, a report from another county's source, one from a source no credential lists
and a measure from a reporter's source; alerts and
reporting dead-letter the same measure, and reporting and the tracker the same withdrawal from another county's
source, so no service applies what another refused. No group commits past a record it neither applied nor
dead-lettered (the accounting of tests/integration/test_hostile_records.py)."""

from datetime import UTC, datetime
from functools import partial

from services.alerts.main import create_app as create_alerts
from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.rebuild import rebuild
from services.tracker.usecases.rebuild import report as rebuild_report
from shared.contracts import (
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    ProgressWithdrawal,
    ProgressWithdrawn,
    RegistryPublished,
)
from shared.settings import ServiceSettings
from shared.web.clients import ClientEntry, Role, client_source, new_token, token_hash, write_entries
from tests.integration.test_hostile_records import STRUCTURED, Accounts, Record, end_offsets, publish, structured
from tests.integration.tracker.test_tracker import MEASURE
from tests.support import rebuilding
from tests.support.apps import alerts_settings, running
from tests.support.waiting import eventually

CITY_PLANS, LINCHUAN, DONGXIANG = "/external/fuzhou-plans", "/external/linchuan-zwfw", "/external/dongxiang-zwfw"
INTAKE_FOR_LINCHUAN = client_source("/duban/intake", "linchuan-office")
KEY = f"{MEASURE.measure_id}|临川区政府".encode()
rebuilt = rebuilding.rebuilt  # the database a rebuild goes into


def credentials(path) -> str:
    def key(client_id: str, region: str, role: Role, sources: list[str] | None = None) -> ClientEntry:
        return ClientEntry(id=client_id, name=client_id, region_code=region, token_sha256=token_hash(new_token()),
                           roles=[role], kafka_sources=sources)

    write_entries(path, [key("fuzhou-plans", "361000", Role.planner, [CITY_PLANS]),
                         key("linchuan-zwfw", "361002", Role.reporter, [LINCHUAN]),
                         key("dongxiang-zwfw", "361003", Role.reporter, [DONGXIANG]),
                         key("linchuan-office", "361002", Role.reporter)])  # publishes through intake only
    return str(path)


def report(source: str, percent: float, kind: str, applies: bool) -> Record:
    event = ProgressReported.wrap(ProgressReport(
        measure_id=MEASURE.measure_id, unit="临川区政府", region_code="361002", period="2026-Q3",
        percent_complete=percent, status="in_progress", reported_at=datetime(2026, 10, 1, 9, tzinfo=UTC)),
        source=source)
    return Record(kind, structured(event.model_dump(mode="json")), [STRUCTURED], KEY, applies, event.id)


def withdrawal(of: Record, source: str, kind: str, applies: bool) -> Record:
    event = ProgressWithdrawn.wrap(ProgressWithdrawal(
        event_id=of.event_id, measure_id=MEASURE.measure_id, unit="临川区政府", region_code="361002",
        period="2026-Q3", reason="填错了", by=source), source=source)
    return Record(kind, structured(event.model_dump(mode="json")), [STRUCTURED], KEY, applies, event.id)


async def test_only_events_within_their_sources_scope_are_applied_the_rest_dead_lettered_with_the_reason(
        settings_values, topics, database, rebuilt, monkeypatch, tmp_path):
    settings = ServiceSettings(**settings_values)
    accounts = Accounts(monkeypatch, settings)
    tracker_group = settings_values["consumer_group"]
    registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source=CITY_PLANS)
    measure = MeasureCreated.wrap(MEASURE, source=CITY_PLANS)
    county_measure = MeasureCreated.wrap(Measure(
        measure_id="linchuan-2026-1", plan_id="linchuan-2026", region_code="361002", number=1, title="措施",
        lead_units=["临川区司法局"]), source=LINCHUAN)
    own, through_intake = report(LINCHUAN, 30, "the county's own system", True), report(
        INTAKE_FOR_LINCHUAN, 40, "intake, for a client of the county", True)
    before_keys = report("/duban/intake", 70, "an open intake's, from before the clients file", True)
    mixes = {
        topics.registry_published: [Record("the city's registry", structured(registry.model_dump(mode="json")),
                                           [STRUCTURED], b"registry", True, registry.id)],
        topics.measure_created: [
            Record("the city's measure", structured(measure.model_dump(mode="json")), [STRUCTURED], b"m", True,
                   measure.id),
            Record("a measure from a reporter's source", structured(county_measure.model_dump(mode="json")),
                   [STRUCTURED], b"c", False, county_measure.id)],
        topics.progress_reported: [
            own, through_intake,
            report(DONGXIANG, 50, "another county's system", False),
            report("/external/unknown", 60, "a source no credential lists", False),
            before_keys],
        topics.progress_withdrawn: [  # published once the reports they withdraw are in
            withdrawal(through_intake, LINCHUAN, "the county withdrawing its report", True),
            withdrawal(own, DONGXIANG, "another county withdrawing it", False)],
    }
    clients = credentials(tmp_path / "clients.yaml")
    alerts = alerts_settings(settings_values, clients_file=clients)
    reporting = ReportingSettings(**settings_values, clients_file=clients, retry_backoff_seconds=0.05,
                                  reporting_consumer_group=f"{settings_values['topic_prefix']}reporting")
    alerts_group, reporting_group = alerts.alerts_consumer_group, reporting.reporting_consumer_group
    groups = {tracker_group: list(mixes),
              alerts_group: [topics.registry_published, topics.measure_created],
              reporting_group: [topics.registry_published, topics.measure_created, topics.progress_withdrawn]}
    tracker = create_tracker(TrackerSettings(**settings_values, clients_file=clients, retry_backoff_seconds=0.05))
    async with running(tracker), running(create_alerts(alerts)), running(create_reporting(reporting)):
        for topic, records in mixes.items():  # the registry and measures before the reports on them
            if topic == topics.progress_withdrawn:
                await eventually(lambda: reports_stored(database, {own.event_id, through_intake.event_id}))
            await publish(settings.kafka_bootstrap_servers, topic, records)
        published = {record.source: record for records in mixes.values() for record in records}
        ends = await end_offsets(settings.kafka_bootstrap_servers, list(mixes))

        await eventually(partial(accounts.none_committed_past_unaccounted, groups, published, ends), timeout=90,
                         interval=0.5)

    dead_letters = await accounts.dead_lettered()
    for group, its_topics in groups.items():
        dead = dead_letters[group]
        assert {published[source].kind for source in dead} == {
            record.kind for record in published.values() if record.source[0] in its_topics and not record.applies}
        assert not set(dead) & accounts.read[group], group  # nothing both applied and dead-lettered
        assert all(letter.value == published[source].value for source, letter in dead.items())  # replayable
    reasons = {published[source].kind: letter.reason for source, letter in dead_letters[tracker_group].items()}
    assert reasons["another county's system"] == (
        f"out of scope: source '{DONGXIANG}' is credential 'dongxiang-zwfw' (region 361003), which acts for region "
        "361003 and below: progress-reported for region 361002 is outside it")
    assert reasons["a source no credential lists"].startswith(
        "out of scope: source '/external/unknown' names no credential of the clients file")
    assert reasons["a measure from a reporter's source"].endswith(
        "which holds reporter: measure-created for region 361002 needs the planner role")
    assert reasons["another county withdrawing it"].endswith("progress-withdrawn for region 361002 is outside it")

    stored = {d["event_id"]: d async for d in database["progress_reports"].find()}
    assert {event_id: d["percent_complete"] for event_id, d in stored.items()} == {
        own.event_id: 30, through_intake.event_id: 40, before_keys.event_id: 70}
    assert "withdrawn" in stored[through_intake.event_id] and "withdrawn" not in stored[own.event_id]
    assert {d["_id"] async for d in database["measures"].find()} == {MEASURE.measure_id}
    assert (await database["registry"].find_one({"_id": "current"}))["event_id"] == registry.id

    # A rebuild under the same clients file skips what the live tracker dead-lettered, and comes out the same.
    result = await rebuild(TrackerSettings(**settings_values, clients_file=clients), into=rebuilt.name)
    assert result.identical, "\n".join(rebuild_report(result))
    assert sorted(skipped.reason for skipped in result.skipped) == sorted(reasons.values())


async def reports_stored(database, event_ids: set[str]) -> bool:
    return {d["event_id"] async for d in database["progress_reports"].find({}, {"event_id": 1})} >= event_ids

"""Reporting's figures follow the events it consumes, on a database of its own (no tracker's or alerts' collection
exists anywhere): the city's registry, measures and assignment-updated, then a changed assignment, a withdrawal
and an alert's transitions, through the real broker; a record no contract reads is dead-lettered; the
collections rebuilt from the topics equal the live ones, and `duban reporting rebuild` says so or names a difference."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from cli.main import main
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import NAMES
from services.reporting.usecases.rebuild import rebuild, report
from shared.contracts import (
    AlertCleared,
    AlertRaised,
    AssignmentUpdated,
    MeasureCreated,
    ProgressWithdrawn,
    RegistryPublished,
)
from shared.domain.calendar import today_in_china
from shared.kafka.broker import publish_event
from tests.support.apps import running
from tests.support.kafka import headers, read_topic
from tests.support.waiting import eventually
from tests.unit.reporting.generated import generate_city

TODAY = today_in_china()
CITY = generate_city(townships=6, measures=4, assignments=120, departments=(3, 2, 1), seed=5, today=TODAY)


def key_of(event) -> str:
    if isinstance(event, AssignmentUpdated):
        return event.data.key
    if isinstance(event, MeasureCreated):
        return event.data.measure_id
    if isinstance(event, RegistryPublished):
        return "registry"
    if isinstance(event, ProgressWithdrawn):
        return event.data.assignment_key
    return event.data.key


def topic_of(topics, event) -> str:
    return {"measure-created": topics.measure_created, "registry-published": topics.registry_published,
            "assignment-updated": topics.assignment_updated, "progress-withdrawn": topics.progress_withdrawn,
            "alert-raised": topics.alert_raised, "alert-cleared": topics.alert_cleared}[event.type]


@pytest.fixture
def own(settings_values) -> dict:
    """Reporting's settings on a database of its own name, with a consumer group of the test's own."""
    return {**settings_values, "mongodb_database": f"{settings_values['mongodb_database']}-reporting",
            "reporting_consumer_group": f"{settings_values['topic_prefix']}reporting"}


@pytest.fixture
async def reporting_database(own):
    client = AsyncMongoClient(own["mongodb_url"], tz_aware=True)
    yield client[own["mongodb_database"]]
    for name in (own["mongodb_database"], f"{own['mongodb_database']}-rebuilt"):
        await client.drop_database(name)
    await client.close()


async def publish(publisher, topics, events) -> None:
    for event in events:
        await publish_event(publisher, topic_of(topics, event), event, key_of(event))


def alert_notice(assignment: dict, kind: str, episode: str, opened_at: datetime, closed_at=None) -> dict:
    return {"key": f"{kind}|{assignment['_id']}|", "episode": episode, "kind": kind, "severity": "warning",
            "measure_id": assignment["measure_id"], "unit": assignment["unit"], "unit_name": assignment["unit_name"],
            "region_code": assignment["region_code"], "reason": "当前进度低于序时进度", "figures": {},
            "opened_at": opened_at, "closed_at": closed_at, "as_of": TODAY.isoformat()}


async def test_figures_follow_the_events_on_reportings_own_database(own, reporting_database, publisher, topics,
                                                                    capsys):
    settings = ReportingSettings(**own, snapshot_max_age_seconds=0, history_max_age_seconds=0)
    async with running(create_app(settings)) as http:
        async def city() -> dict:
            return (await http.get("/v1/reports/regions/361000")).json()

        await publish(publisher, topics, CITY.events())
        figures = await eventually(lambda: _when(city, lambda f: f.get("assignments") == 120), timeout=60)
        # Completed: closed out (销号) only; a completion claimed and not verified waits apart.
        assert figures["completed"] == sum(v["loop_state"] == "closed_out" for v in CITY.views())
        assert figures["awaiting_verification"] == sum(v["loop_state"] == "completion_requested" for v in CITY.views())

        # The tracker publishes a changed assignment (revision 2, closed out) and the alerts a lagging alert on
        # another, later cleared; an older revision arriving late changes nothing.
        completed = {p["_id"] for p in CITY.progress if p["status"] == "completed"}
        first, second = [a for a in CITY.assignments if a["_id"] not in completed][:2]
        now = datetime.now(UTC)
        done = {**{k: first[k] for k in ("measure_id", "unit", "unit_name", "role", "region_code")},
                "status": "completed", "percent_complete": 100, "period": f"{TODAY.year}", "reported_at": now,
                "completed_at": now, "report_event_id": "r-done", "periods_reported": [f"{TODAY.year}"],
                "loop_state": "closed_out", "completion_requested_at": now, "closed_out_at": now}
        raised = alert_notice(second, "lagging", "ep-1", now - timedelta(hours=1))
        await publish(publisher, topics, [
            AssignmentUpdated(id=f"{first['_id']}#2", source="test", time=now, data={**done, "revision": 2}),
            AssignmentUpdated(id=f"{first['_id']}#1b", source="test", time=datetime.now(UTC), data={
                **done, "status": "blocked", "revision": 1}),
            AlertRaised(id="ep-1.raised", source="test", time=datetime.now(UTC), data=raised)])
        changed = await eventually(lambda: _when(city, lambda f: f["completed"] == figures["completed"] + 1
                                                 and f["lagging"] == 1), timeout=60)
        assert changed["blocked"] == figures["blocked"]
        alerts = (await http.get("/v1/reports/regions/361000/alerts")).json()
        assert [row["key"] for row in alerts["rows"]] == [raised["key"]] and alerts["rows"][0]["reason"]

        await publish(publisher, topics, [
            AlertCleared(id="ep-1.cleared", source="test", time=now, data={**raised, "closed_at": datetime.now(UTC)}),
            ProgressWithdrawn(id="w-1", source="test", time=datetime.now(UTC), data={
                "event_id": "r-done", "measure_id": first["measure_id"], "unit": first["unit"],
                "region_code": first["region_code"], "period": f"{TODAY.year}", "reason": "误报", "by": "operator"})])
        await eventually(lambda: _when(city, lambda f: f["lagging"] == 0), timeout=60)
        await publisher.publish(b"not an event", topics.assignment_updated, key=b"x")
        letters = await read_topic(own["kafka_bootstrap_servers"], topics.dead_letter, expected=1)
        assert [headers(r)["dlq-consumer-group"] for r in letters] == [own["reporting_consumer_group"]]
        assert letters[0].value == b"not an event"

        revisions = reporting_database["reporting_revisions"]
        await eventually(lambda: revisions.find_one({"_id": "r-done", "withdrawn": True}), timeout=60)
        names = await reporting_database.list_collection_names()
        assert names and all(name.startswith("reporting_") for name in names), names

    rebuilt = f"{own['mongodb_database']}-rebuilt"
    result = await rebuild(ReportingSettings(**own), into=rebuilt)
    assert result.identical, "\n".join(report(result))
    assert result.applied[topics.assignment_updated] == 122 and result.skipped_in(topics.assignment_updated) == 1
    assert [c.name for c in result.comparison] == [f"reporting_{name}" for name in NAMES]

    # The command says so; with a live document the topics do not hold, it names it and exits with status 1.
    command = ["reporting", "rebuild", "--into", rebuilt, "--bootstrap", own["kafka_bootstrap_servers"],
               "--topic-prefix", own["topic_prefix"], "--mongodb-url", own["mongodb_url"],
               "--database", own["mongodb_database"]]
    await asyncio.to_thread(main, command)
    out = capsys.readouterr().out
    assert "IDENTICAL: the rebuilt collections equal the live ones" in out, out
    assert f"DUBAN_MONGODB_DATABASE={rebuilt}" in out
    await reporting_database["reporting_measures"].insert_one({"_id": "m-nowhere", "title": "无此事件"})
    with pytest.raises(SystemExit) as exited:
        await asyncio.to_thread(main, command)
    out = capsys.readouterr().out
    assert exited.value.code == 1 and "DIFFERENT" in out, out
    measures = next(line for line in out.splitlines() if line.startswith("  reporting_measures:"))
    assert measures.endswith("DIFFERENT") and "    only live (1): m-nowhere" in out, out


async def _when(read, condition):
    figures = await read()
    return figures if condition(figures) else None

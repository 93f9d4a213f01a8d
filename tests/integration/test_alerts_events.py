"""Alerts raised, changed and cleared through Kafka: the tracker and the alerts service in this process, events in
through the broker, alert-raised / alert-severity-changed / alert-cleared read back from their topics, exactly one
per transition."""

from datetime import UTC, datetime, timedelta

import pytest

from services.alerts.main import create_app as create_alerts
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.broker import publish_event
from shared.calendar import today_in_china
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported
from tests.support.apps import alerts_settings, running
from tests.support.kafka import body, read_topic

TODAY = today_in_china()
# Three days past its deadline: overdue (warning). Started nine days ago, after the end of the last period whose
# report is due (its end plus ten days' grace has passed), so never silent; past the deadline, so not judged as
# lagging; nothing due soon. The one alert is the overdue one.
MEASURE = Measure(
    measure_id="late-1", plan_id="late", region_code="361000", number=1, title="加强行政应诉工作",
    lead_units=["市司法局"], start_date=TODAY - timedelta(days=9),
    deadlines=[{"text": "限期完成", "date": (TODAY - timedelta(days=3)).isoformat()}],
)
KEY = "overdue|late-1|市司法局|"


def report(percent: float, status: str, seconds: int = 0) -> ProgressReported:
    now = datetime.now(UTC) + timedelta(seconds=seconds)
    return ProgressReported.wrap(ProgressReport(
        measure_id=MEASURE.measure_id, unit="市司法局", region_code="361000",
        period=f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}", percent_complete=percent, status=status,
        reported_at=now), source="/test")


@pytest.fixture
async def services(settings_values, database):
    tracker = create_tracker(TrackerSettings(**settings_values, retry_backoff_seconds=0.05))
    alerts = create_alerts(alerts_settings(settings_values))
    async with running(tracker), running(alerts) as client:
        yield alerts, client


async def events_on(settings_values, topic: str, at_least: int, quiet_ms: int = 3_000) -> list[dict]:
    """Every event on the topic, once `at_least` arrived and nothing more came for `quiet_ms`."""
    records = await read_topic(settings_values["kafka_bootstrap_servers"], topic, expected=at_least)
    assert len(records) >= at_least, f"{topic}: {len(records)} events, expected {at_least}"
    return [body(r) for r in await read_topic(settings_values["kafka_bootstrap_servers"], topic,
                                               expected=at_least + 1, timeout_ms=quiet_ms)]


async def sweep(client, as_of=None) -> dict:
    response = await client.post("/v1/alerts:sweep", params={"as_of": as_of.isoformat()} if as_of else {})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_late_assignment_raises_one_alert_and_a_catch_up_report_clears_it_once(
    services, publisher, topics, settings_values
):
    _, client = services
    await publish_event(publisher, topics.measure_created, MeasureCreated.wrap(MEASURE, source="/test"),
                        MEASURE.measure_id)
    progress = report(50, "in_progress")
    await publish_event(publisher, topics.progress_reported, progress, progress.data.assignment_key)

    # Raised by the event-driven evaluation, without any sweep.
    [raised] = await events_on(settings_values, topics.alert_raised, 1)
    assert (raised["type"], raised["subject"], raised["data"]["key"]) == ("alert-raised", KEY, KEY)
    assert (raised["data"]["kind"], raised["data"]["severity"], raised["data"]["figures"]["days_overdue"]) == (
        "overdue", "warning", 3)
    assert (await sweep(client))["published"] == 0  # nothing changed: nothing published

    response = await client.post(f"/v1/alerts/{KEY}:acknowledge", json={"comment": "已督促", "by": "市司法局"})
    assert response.status_code == 200, response.text
    [shown] = (await client.get("/v1/alerts", params={"unit": "市司法局"})).json()["items"]
    assert (shown["status"], shown["acknowledgements"][0]["comment"]) == ("open", "已督促")

    done = report(100, "completed", seconds=1)
    await publish_event(publisher, topics.progress_reported, done, done.data.assignment_key)
    [cleared] = await events_on(settings_values, topics.alert_cleared, 1)
    assert (cleared["type"], cleared["data"]["key"], cleared["data"]["episode"]) == (
        "alert-cleared", KEY, raised["data"]["episode"])
    assert cleared["data"]["closed_at"] is not None

    outcome = await sweep(client)
    assert (outcome["open"], outcome["raised"], outcome["cleared"], outcome["published"]) == (0, 0, 0, 0)
    assert len(await events_on(settings_values, topics.alert_raised, 1)) == 1
    assert len(await events_on(settings_values, topics.alert_cleared, 1)) == 1

    assert (await client.get("/v1/alerts")).json()["total"] == 0
    closed = (await client.get("/v1/alerts", params={"status": "closed", "region_code": "361000"})).json()
    [entry] = closed["items"]
    assert (entry["key"], entry["status"], entry["acknowledgements"][0]["comment"]) == (KEY, "closed", "已督促")
    assert entry["opened_at"] < entry["closed_at"]
    assert (await client.get("/v1/alerts", params={"status": "all"})).json()["total"] == 1
    assert (await client.get("/v1/alerts", params={"status": "closed", "region_code": "361002"})).json()[
        "total"] == 0


async def store_late_measure(database) -> None:
    """The late measure and its one assignment, as the tracker stores them (no report)."""
    await database["measures"].insert_one({"_id": MEASURE.measure_id, **MEASURE.model_dump(mode="json")})
    await database["assignments"].insert_one({"_id": f"{MEASURE.measure_id}|市司法局", "measure_id": MEASURE.measure_id,
                                              "unit": "市司法局", "unit_name": "市司法局", "role": "lead",
                                              "region_code": "361000"})


async def test_a_severity_change_of_an_open_alert_is_announced_once_each_way(services, topics, settings_values,
                                                                             database):
    _, client = services
    await store_late_measure(database)
    assert (await sweep(client))["raised"] == 1  # three days overdue: a warning
    a_month_on = TODAY + timedelta(days=30)  # 33 days overdue: past overdue_critical_days (30), critical
    assert [(o["changed"], o["published"]) for o in [await sweep(client, a_month_on), await sweep(client, a_month_on)]
            ] == [(1, 1), (0, 0)]
    [escalated] = await events_on(settings_values, topics.alert_severity_changed, 1)
    [raised] = await events_on(settings_values, topics.alert_raised, 1)
    data = escalated["data"]
    assert (escalated["type"], escalated["subject"], data["severity"], data["previous_severity"]) == (
        "alert-severity-changed", KEY, "critical", "warning")
    assert (data["episode"], data["figures"]["days_overdue"], data["as_of"]) == (
        raised["data"]["episode"], 33, a_month_on.isoformat())
    assert escalated["id"] == f"{raised['data']['episode']}.severity-1"

    assert (await sweep(client))["changed"] == 1  # judged on today again: back to a warning, its own event
    changes = await events_on(settings_values, topics.alert_severity_changed, 2)
    assert [(e["id"].rsplit(".", 1)[1], e["data"]["severity"]) for e in changes] == [
        ("severity-1", "critical"), ("severity-2", "warning")]
    [shown] = (await client.get("/v1/alerts", params={"unit": "市司法局"})).json()["items"]
    assert [(c["from"], c["to"]) for c in shown["severity_changes"]] == [("warning", "critical"),
                                                                        ("critical", "warning")]


async def test_a_transition_written_but_not_published_is_published_by_the_next_sweep(
    services, publisher, topics, settings_values, database
):
    app, client = services
    service = app.state.alerts_service
    await store_late_measure(database)
    publish = service.publish

    async def broker_gone(event, key):
        raise ConnectionError("Kafka is away")

    service.publish = broker_gone  # the process 'dies' between writing the transition and publishing it
    outcome = await sweep(client)
    assert (outcome["raised"], outcome["published"]) == (1, 0)
    service.publish = publish
    outcome = await sweep(client)
    assert (outcome["raised"], outcome["published"]) == (0, 1)
    assert (await sweep(client))["published"] == 0
    [raised] = await events_on(settings_values, topics.alert_raised, 1)
    assert raised["data"]["key"] == KEY


async def test_an_unknown_alert_cannot_be_acknowledged(services):
    _, client = services
    response = await client.post("/v1/alerts/overdue|nothing|nobody|:acknowledge", json={"comment": "x"})
    assert response.status_code == 404
    assert (await client.post(f"/v1/alerts/{KEY}:acknowledge", json={})).status_code == 422

"""Alerts raised, changed and cleared through Kafka: the alerts service alone (no tracker runs), measure-created and
assignment-updated published as the intake and the tracker would, alert-raised / alert-severity-changed /
alert-cleared read back from their topics, exactly one per transition; two alerts services on one database."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.alerts.domain.rules import RulesBook
from services.alerts.main import create_app as create_alerts
from services.alerts.storage.inputs import Inputs
from services.alerts.storage.repository import AlertStore
from services.alerts.usecases.evaluate import AlertsService
from shared.contracts import AssignmentUpdated, Measure, MeasureCreated
from shared.domain.calendar import today_in_china
from shared.kafka.broker import publish_event
from tests.support.alerts_inputs import assignment_updated, seed_inputs
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


def state(revision: int, percent: float, status: str, **values) -> AssignmentUpdated:
    """The tracker's state of the late measure's one assignment after a report."""
    now = datetime.now(UTC)
    return assignment_updated(MEASURE, "市司法局", revision, percent_complete=percent, status=status, reported_at=now,
                              period=f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}",
                              completed_at=now if status == "completed" else None, **values)


async def publish(publisher, topics, *events) -> None:
    for event in events:
        if isinstance(event, MeasureCreated):
            await publish_event(publisher, topics.measure_created, event, event.data.measure_id)
        else:
            await publish_event(publisher, topics.assignment_updated, event, event.data.key)


@pytest.fixture
async def services(settings_values, database):
    alerts = create_alerts(alerts_settings(settings_values))
    async with running(alerts) as client:
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


async def test_a_late_assignment_raises_one_alert_and_a_completed_revision_clears_it_once(
    services, publisher, topics, settings_values
):
    _, client = services
    await publish(publisher, topics, MeasureCreated.wrap(MEASURE, source="/test"), state(1, 50, "in_progress"))

    # Raised by the event-driven evaluation, without any sweep (and without any tracker running).
    [raised] = await events_on(settings_values, topics.alert_raised, 1)
    assert (raised["type"], raised["subject"], raised["data"]["key"]) == ("alert-raised", KEY, KEY)
    assert (raised["data"]["kind"], raised["data"]["severity"], raised["data"]["figures"]["days_overdue"]) == (
        "overdue", "warning", 3)
    assert (await sweep(client))["published"] == 0  # nothing changed: nothing published

    response = await client.post(f"/v1/alerts/{KEY}:acknowledge", json={"comment": "已督促", "by": "市司法局"})
    assert response.status_code == 200, response.text
    [shown] = (await client.get("/v1/alerts", params={"unit": "市司法局"})).json()["items"]
    assert (shown["status"], shown["acknowledgements"][0]["comment"]) == ("open", "已督促")

    await publish(publisher, topics, state(2, 100, "completed"))
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
    """The late measure and its one assignment (signed for, so a month on it is not unsigned; no report), in alerts'
    own inputs."""
    await seed_inputs(database, measures=[MEASURE], assignments=[assignment_updated(
        MEASURE, "市司法局", loop_state="signed", signed_at=datetime.now(UTC))])


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
    assert (outcome["raised"], outcome["published"]) == (0, 2)  # the alert-raised, and the assignment's red light
    assert (await sweep(client))["published"] == 0
    [raised] = await events_on(settings_values, topics.alert_raised, 1)
    assert raised["data"]["key"] == KEY


async def test_an_unknown_alert_cannot_be_acknowledged(services):
    _, client = services
    response = await client.post("/v1/alerts/overdue|nothing|nobody|:acknowledge", json={"comment": "x"})
    assert response.status_code == 404
    assert (await client.post(f"/v1/alerts/{KEY}:acknowledge", json={})).status_code == 422


async def test_a_higher_revision_supersedes_and_a_lower_one_is_dropped(services, publisher, topics, settings_values,
                                                                      database):
    _, client = services
    # Revision 2 (completed) before revision 1 (late, in progress): 1 is older, dropped, so nothing is raised.
    await publish(publisher, topics, MeasureCreated.wrap(MEASURE, source="/test"), state(2, 100, "completed"),
                  state(1, 50, "in_progress"))
    stored = database["alerts_assignments"]

    async def revision() -> int | None:
        for _ in range(100):
            found = await stored.find_one({"_id": f"{MEASURE.measure_id}|市司法局"})
            if found and found["revision"] >= 2:
                return found
            await asyncio.sleep(0.1)

    found = await revision()
    assert (found["revision"], found["status"]) == (2, "completed")
    await asyncio.sleep(1)  # revision 1 follows on the same partition: give it time to be (not) applied
    assert (await stored.find_one({"_id": found["_id"]}))["revision"] == 2
    assert (await sweep(client))["open"] == 0

    await publish(publisher, topics, state(3, 60, "in_progress"))  # a withdrawal: in progress again, and late
    [raised] = await events_on(settings_values, topics.alert_raised, 1)
    assert raised["data"]["key"] == KEY
    await publish(publisher, topics, state(4, 60, "in_progress", removed=True, assigned=False))
    [cleared] = await events_on(settings_values, topics.alert_cleared, 1)  # forgotten: its alert closes
    assert cleared["data"]["episode"] == raised["data"]["episode"]
    assert (await client.get("/v1/alerts")).json()["total"] == 0


async def test_two_alerts_services_sweeping_at_once_give_one_episode_per_key_and_each_event_once(database):
    """Two AlertsService on one database (as two processes would be), sweeping concurrently through a raise, a
    severity change and a clear of many keys: one open alert per key, and each transition's event once in the
    outboxes (their publication refused, so the outboxes keep them all to be counted)."""
    measures = [MEASURE.model_copy(update={"measure_id": f"late-{n}"}) for n in range(20)]
    await seed_inputs(database, measures=measures, assignments=[assignment_updated(m, "市司法局") for m in measures])

    async def refused(event, key):
        raise ConnectionError("Kafka away")

    one, other = (AlertsService(Inputs(database), AlertStore(database), RulesBook(), refused) for _ in range(2))
    store = AlertStore(database)

    async def outboxes() -> list[str]:  # the overdue alerts' (a month on, a quarter's report may be missed too)
        return sorted(event["id"] for doc in await store.pending(1000) for event in doc.outbox
                      if event["subject"].startswith("overdue|"))

    await asyncio.gather(one.sweep(TODAY), other.sweep(TODAY))
    episodes = {doc["_id"]: doc["episode"] for doc in await database["open_alerts"].find({"kind": "overdue"}).to_list()}
    assert len(episodes) == 20
    assert await outboxes() == sorted(f"{e}.raised" for e in episodes.values())

    a_month_on = TODAY + timedelta(days=30)  # critical
    await asyncio.gather(one.sweep(a_month_on), other.sweep(a_month_on))
    assert await outboxes() == sorted([f"{e}.raised" for e in episodes.values()]
                                      + [f"{e}.severity-1" for e in episodes.values()])

    await Inputs(database).save_assignments([assignment_updated(m, "市司法局", 2, removed=True, assigned=False)
                                             for m in measures])
    await asyncio.gather(one.sweep(a_month_on), other.sweep(a_month_on))
    assert await database["open_alerts"].count_documents({}) == 0
    assert sorted([doc["_id"] async for doc in database["alert_history"].find({"kind": "overdue"})]) == sorted(
        episodes.values())
    assert await outboxes() == sorted(f"{e}.{name}" for e in episodes.values()
                                      for name in ("raised", "severity-1", "cleared"))

    published: list[str] = []

    async def kafka(event, key):
        published.append(event.id)

    one.publish = other.publish = kafka
    expected = await outboxes()
    await asyncio.gather(one.publish_pending(), other.publish_pending())
    assert set(expected) <= set(published)  # at least once: an event both published has the same id
    assert await outboxes() == []

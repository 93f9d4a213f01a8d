"""亮灯 through Kafka: the alerts service alone (no tracker runs), measure-created and the tracker's assignment-updated
published as they would be, one assignment taken through its loop (unsigned, signed, returned twice, closed out),
and each change of its light read back from assignment-light-changed: once each, in order on the assignment's
partition, with stable ids, and the lights route agreeing."""

from datetime import UTC, datetime, timedelta

import pytest

from services.alerts.main import create_app as create_alerts
from shared.contracts import Measure, MeasureCreated
from shared.domain.calendar import today_in_china
from shared.kafka.broker import publish_event
from tests.support.alerts_inputs import assignment_updated
from tests.support.apps import alerts_settings, running
from tests.support.kafka import body, read_topic

TODAY = today_in_china()
# Issued thirty days ago, so past any limit to sign (3 working days); started five days ago and due in 200 days, so
# never silent (no report due since its start), lagging (5 of 205 days gone) or due soon: its only possible alerts
# are the loop's.
MEASURE = Measure(
    measure_id="loop-1", plan_id="loop", region_code="361000", number=1, title="推进行政复议规范化建设",
    lead_units=["市司法局"], responsible_units=["临川区政府"], start_date=TODAY - timedelta(days=5),
    deadlines=[{"text": "限期完成", "date": (TODAY + timedelta(days=200)).isoformat()}],
)
ISSUED = datetime.now(UTC) - timedelta(days=30)
KEY = "loop-1|361002.government"


def state(revision: int, **values):
    return assignment_updated(MEASURE, "361002.government", revision, unit_name="临川区政府", role="responsible",
                              region_code="361002", **values)


@pytest.fixture
async def alerts(settings_values, database):
    async with running(create_alerts(alerts_settings(settings_values))) as client:
        yield client


async def lights_after(settings_values, topics, count: int) -> list:
    """The records on assignment-light-changed once `count` arrived, and whatever else came within 3 s."""
    bootstrap = settings_values["kafka_bootstrap_servers"]
    records = await read_topic(bootstrap, topics.assignment_light_changed, expected=count)
    assert len(records) >= count, f"{len(records)} light changes, expected {count}"
    return await read_topic(bootstrap, topics.assignment_light_changed, expected=count + 1, timeout_ms=3_000)


async def test_each_change_of_an_assignments_light_is_published_once_in_order(alerts, publisher, topics,
                                                                               settings_values):
    measure = MeasureCreated(id="loop-1@issued", source="/test", time=ISSUED, data=MEASURE)
    await publish_event(publisher, topics.measure_created, measure, MEASURE.measure_id)
    signed_at = datetime.now(UTC) - timedelta(days=20)
    steps = [
        {},  # assigned, never signed for: unsigned (yellow)
        {"loop_state": "signed", "signed_at": signed_at},  # green
        {"loop_state": "in_progress", "signed_at": signed_at, "returned_count": 2, "status": "in_progress",
         "percent_complete": 80, "reported_at": signed_at, "period": f"{TODAY.year}"},  # returned twice: red
        {"loop_state": "closed_out", "signed_at": signed_at, "returned_count": 2, "status": "completed",
         "percent_complete": 100, "reported_at": signed_at, "completed_at": signed_at, "period": f"{TODAY.year}",
         "completion_requested_at": signed_at, "closed_out_at": datetime.now(UTC)},  # closed out: green
    ]
    for revision, values in enumerate(steps, start=1):
        event = state(revision, **values)
        await publish_event(publisher, topics.assignment_updated, event, event.data.key)
        await lights_after(settings_values, topics, revision)  # each step judged before the next is sent

    response = await alerts.post("/v1/alerts:sweep")
    assert response.status_code == 200, response.text
    assert (response.json()["lights_changed"], response.json()["published"]) == (0, 0)  # nothing changed since

    records = await lights_after(settings_values, topics, 4)
    events = [body(record) for record in records]
    assert [(e["id"], e["data"]["previous"], e["data"]["light"], e["data"]["reasons"]) for e in events] == [
        (f"{KEY}#light-1", None, "yellow", ["unsigned"]),
        (f"{KEY}#light-2", "yellow", "green", []),
        (f"{KEY}#light-3", "green", "red", ["returned_twice"]),
        (f"{KEY}#light-4", "red", "green", ["closed_out"]),
    ]
    assert {(record.key.decode(), record.partition) for record in records} == {(KEY, records[0].partition)}
    assert all(e["type"] == "assignment-light-changed" and e["subject"] == KEY for e in events)
    assert {(e["data"]["measure_id"], e["data"]["unit"], e["data"]["region_code"], e["data"]["judged_on"])
            for e in events} == {("loop-1", "361002.government", "361002", TODAY.isoformat())}

    # The unsigned alert was raised and cleared with the signing, on the alerts' own topics.
    [raised] = [body(r) for r in await read_topic(settings_values["kafka_bootstrap_servers"], topics.alert_raised, 1)]
    [cleared] = [body(r) for r in await read_topic(settings_values["kafka_bootstrap_servers"], topics.alert_cleared,
                                                   1)]
    assert (raised["data"]["kind"], cleared["data"]["episode"]) == ("unsigned", raised["data"]["episode"])

    page = (await alerts.get("/v1/lights", params={"region_code": "361002"})).json()
    [item] = page["items"]
    assert (item["light"], item["reasons"], item["unit_name"], page["counts"]) == (
        "green", ["closed_out"], "临川区政府", {"green": 1, "yellow": 0, "red": 0})
    # the stored instant (MongoDB keeps milliseconds) of the last change
    since, changed_at = (datetime.fromisoformat(t) for t in (item["since"], events[-1]["data"]["changed_at"]))
    assert abs(since - changed_at) < timedelta(milliseconds=1)

"""An urge sent by hand (督办催办) reaches an item's timeline, through the real broker and database: the alerts service
sweeps a generated city and accepts `POST /v1/alerts/{key}:urge`, records it with its assignment-urged event and
publishes it, keyed by its assignment; a retried request is the same urge; reporting, running beside it, consumes the
alert and the urge and shows the urge after the alert it urges, with who and the comment; the same urge delivered again
with other content is kept once, as first read, and an urge that breaks the contract is dead-lettered by reporting's
group with the reason; reporting's collections rebuilt from the topics equal the live ones, the urge included."""

import json

from services.alerts.main import create_app as create_alerts
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.rebuild import rebuild, report
from shared.contracts import AssignmentUrged
from shared.domain.calendar import today_in_china
from shared.kafka.broker import publish_event
from tests.integration.test_reporting_timeline import publish
from tests.support.alerts_inputs import seed_city
from tests.support.apps import alerts_settings, running
from tests.support.kafka import headers, read_topic
from tests.support.waiting import eventually
from tests.unit.reporting.generated import generate_city

TODAY = today_in_china()
CITY = generate_city(townships=2, measures=2, assignments=20, departments=(2, 1, 1), seed=4, today=TODAY)
URGE = {"by": "市依法治市办", "comment": "请本周内报送整改情况"}


async def test_an_urge_is_published_once_and_shown_in_the_items_timeline_after_its_alert(settings_values, database,
                                                                                       publisher, topics):
    await seed_city(database, CITY)  # what alerts judges from, as its consumers would have written it
    await publish(publisher, topics, CITY.events())  # what reporting learns the city from
    own = ReportingSettings(**settings_values, snapshot_max_age_seconds=0,
                            reporting_consumer_group=f"{settings_values['topic_prefix']}reporting")
    async with running(create_alerts(alerts_settings(settings_values))) as alerts, \
            running(create_reporting(own)) as reporting:
        assert (await alerts.post("/v1/alerts:sweep")).json()["open"] > 0
        [alert] = (await alerts.get("/v1/alerts", params={"limit": 1})).json()["items"]
        first = await alerts.post(f"/v1/alerts/{alert['key']}:urge", json=URGE)
        assert first.status_code == 202, first.text
        assert (first.json()["by"], first.json()["comment"], first.json()["queued"]) == (*URGE.values(), [])
        again = await alerts.post(f"/v1/alerts/{alert['key']}:urge", json=URGE)  # a retried request
        assert again.status_code == 202 and again.json() == first.json()
        assert [u["id"] for u in (await alerts.get(f"/v1/alerts/{alert['key']}/urges")).json()] == [first.json()["id"]]
        recorded = await database["alert_urges"].find_one({"_id": first.json()["id"]})
        assert recorded["outbox"] == [] and "pending" not in recorded  # published before the answer

        path = f"/v1/measures/{alert['measure_id']}/units/{alert['unit']}/timeline"

        async def urged():
            answer = await reporting.get(path)
            entries = answer.json()["entries"] if answer.status_code == 200 else []
            return entries if any(e["type"] == "urged" for e in entries) else None

        entries = await eventually(urged, timeout=60)
        types = [e["type"] for e in entries]
        [urge] = [e for e in entries if e["type"] == "urged"]
        raised = next(i for i, e in enumerate(entries) if e["type"] == "alert-raised" and e["kind"] == alert["kind"])
        assert raised < types.index("urged")
        assert (urge["id"], urge["by"], urge["comment"], urge["kind"], urge["queued"]) == (
            first.json()["id"], *URGE.values(), alert["kind"], [])
        assert urge["at"][:23] == first.json()["at"][:23]  # to the millisecond, as stored

        bootstrap, key = settings_values["kafka_bootstrap_servers"], f"{alert['measure_id']}|{alert['unit']}"
        [record] = await read_topic(bootstrap, topics.assignment_urged, expected=1)
        published = AssignmentUrged.model_validate_json(record.value)
        assert (record.key.decode(), published.id, published.data.alert_key) == (key, urge["id"], alert["key"])
        # The same urge again with other words, then one without its alert's key, on the same partition in order.
        forged = published.model_copy(update={"data": published.data.model_copy(update={"by": "冒名者"})})
        await publish_event(publisher, topics.assignment_urged, forged, key)
        broken = {**published.model_dump(mode="json"), "id": "broken-urge"}
        del broken["data"]["alert_key"]
        await publisher.publish(json.dumps(broken).encode(), topics.assignment_urged, key=key.encode())
        [letter] = await read_topic(bootstrap, topics.dead_letter, expected=1)
        said = headers(letter)
        assert (said["dlq-consumer-group"], said["dlq-source-topic"]) == (own.reporting_consumer_group,
                                                                            topics.assignment_urged)
        assert "alert_key" in said["dlq-reason"]
        entries = (await reporting.get(path)).json()["entries"]
        assert [(e["id"], e["by"]) for e in entries if e["type"] == "urged"] == [(urge["id"], URGE["by"])]

    rebuilt = f"{settings_values['mongodb_database']}-urges-rebuilt"
    try:
        result = await rebuild(ReportingSettings(**own.model_dump()), into=rebuilt)
        assert result.identical, "\n".join(report(result))
        # the urge and its repeat (which changes nothing), the broken one skipped as the live group dead-lettered it
        assert (result.read[topics.assignment_urged], result.applied[topics.assignment_urged]) == (3, 2)
        assert await database.client[rebuilt]["reporting_urges"].count_documents({}) == 1
    finally:
        await database.client.drop_database(rebuilt)

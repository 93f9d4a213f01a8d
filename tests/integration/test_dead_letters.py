"""Dead letters listed and replayed against the real broker, with the tracker running in this process."""

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from cli.dead_letter_listing import list_dead_letters
from cli.dead_letter_replay import replay
from cli.main import main
from services.alerts.main import create_app as create_alerts
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.contracts import ProgressReported
from shared.settings import ServiceSettings
from tests.integration.tracker import test_tracker as tracker_tests
from tests.integration.tracker.test_tracker import publish_measure, publish_reports, report
from tests.support.apps import alerts_settings, running
from tests.support.kafka import headers, read_topic
from tests.support.waiting import eventually

# The tracker test's fixture: the tracker app in this process (database, publisher and topics are conftest's).
tracker = tracker_tests.tracker


async def dead_letter_count(settings: ServiceSettings, count: int):
    async def arrived():
        letters = await list_dead_letters(settings)
        return letters if len(letters) == count else None

    arrived.__name__ = f"{count}_dead_letters"
    return await eventually(arrived)


def cli(*arguments: str, settings: ServiceSettings) -> asyncio.Future:
    """The `duban` command in a thread (it runs its own event loop), against this test's topics."""
    return asyncio.to_thread(main, [*arguments, "--bootstrap", settings.kafka_bootstrap_servers,
                                    "--topic-prefix", settings.topic_prefix])


async def test_dead_letters_are_listed_and_a_replay_goes_through_the_tracker_again_once(
    tracker, publisher, topics, database, settings_values, capsys
):
    settings = ServiceSettings(**settings_values)
    # A header that is not UTF-8 (a binary trace context) must neither stall the partition (FastStream alone
    # fails the batch on it, again on every redelivery) nor lose its bytes: they come back on replay.
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(topics.progress_reported, b'{"not": "a cloudevent"}', key=b"x",
                                     headers=[("origin", b"test"), ("binary-trace", b"\xff\x00\xfe")])
    finally:
        await producer.stop()
    orphan = ProgressReported.wrap(report(percent=60), source="/test")  # its measure is not created yet
    await publish_reports(publisher, topics, [orphan])

    letters = await dead_letter_count(settings, 2)
    by_type = {letter["event_type"]: letter for letter in letters}
    malformed, unknown = by_type[None], by_type["progress-reported"]
    assert malformed["reason"].startswith("contract violation (ProgressReported)")
    assert (malformed["event_id"], malformed["key"], malformed["replayed"]) == (None, "x", None)
    assert unknown["reason"].startswith("failed after 5 attempts") and "no measure" in unknown["reason"]
    assert (unknown["event_id"], unknown["source_topic"], unknown["key"], unknown["replayed"]) == (
        orphan.id, topics.progress_reported, orphan.data.assignment_key, None)

    await cli("dlq", "list", settings=settings)
    listing = capsys.readouterr().out
    assert f"{unknown['address']:>8}  {topics.progress_reported}" in listing and "(not a CloudEvent)" in listing
    assert listing.rstrip().endswith("2 dead letters, 0 replayed")

    dry = await replay(settings, [unknown["address"]], dry_run=True)
    assert [letter.address for letter, _ in dry.replayed] == [unknown["address"]]
    assert not any(letter["replayed"] for letter in await list_dead_letters(settings))

    await publish_measure(publisher, topics)
    await eventually(lambda: database["measures"].count_documents({}))
    outcome = await replay(settings, [unknown["address"]])
    assert [letter.address for letter, _ in outcome.replayed] == [unknown["address"]]

    async def orphan_applied():
        return await database["assignment_progress"].count_documents({"event_id": orphan.id})

    await eventually(orphan_applied)
    republished = [r for r in await read_topic(settings.kafka_bootstrap_servers, topics.progress_reported, 3)
                   if "dlq-replayed-from" in dict(r.headers)]
    assert len(republished) == 1 and republished[0].key == orphan.data.assignment_key.encode()
    assert headers(republished[0])["dlq-replayed-from"] == unknown["address"]
    assert not [name for name in headers(republished[0]) if name.startswith("dlq-") and name != "dlq-replayed-from"]
    assert headers(republished[0])["content-type"].startswith("application/cloudevents+json")

    # --all: only the malformed one, which fails again as a new dead letter that --all then leaves alone.
    await cli("dlq", "replay", "--all", settings=settings)
    first = capsys.readouterr().out
    assert first.rstrip().endswith("1 replayed, 1 skipped") and f"replayed {malformed['address']} to" in first
    letters = await dead_letter_count(settings, 3)
    again = next(letter for letter in letters if letter["replay_of"])
    assert again["replay_of"] == malformed["address"] and again["reason"].startswith("contract violation")
    replayed_malformed = next(r for r in await read_topic(settings.kafka_bootstrap_servers, topics.progress_reported, 4)
                              if dict(r.headers).get("dlq-replayed-from") == malformed["address"].encode())
    assert [(n, v) for n, v in replayed_malformed.headers if n in ("origin", "binary-trace")] == [
        ("origin", b"test"), ("binary-trace", b"\xff\x00\xfe")]
    await cli("dlq", "replay", "--all", settings=settings)
    second = capsys.readouterr().out
    assert second.rstrip().endswith("0 replayed, 3 skipped"), second
    assert f"skipped {again['address']}: failed again after its replay from {malformed['address']}" in second

    replayed = {letter["address"]: letter["replayed"] for letter in await list_dead_letters(settings)}
    assert replayed[unknown["address"]]["topic"] == topics.progress_reported
    assert replayed[malformed["address"]] and replayed[again["address"]] is None


@pytest.fixture
async def tracker_and_alerts(settings_values, database):
    tracker_app = create_tracker(TrackerSettings(**settings_values, retry_backoff_seconds=0.05))
    async with running(tracker_app) as client, running(create_alerts(alerts_settings(settings_values))):
        yield client


async def test_each_group_dead_letters_for_itself_and_a_replay_of_one_group_s_dead_letter_leaves_the_other_be(
    tracker_and_alerts, publisher, topics, database, settings_values
):
    settings = ServiceSettings(**settings_values)
    tracker_group, alerts_group = settings_values["consumer_group"], f"{settings.topic_prefix}alerts"
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:  # broken for both groups (measure-created: both consume it); a null header value that the replay must give
        # back as null
        await producer.send_and_wait(topics.measure_created, b"[]", key=b"x", headers=[("traceparent", None)])
    finally:
        await producer.stop()
    orphan = ProgressReported.wrap(report(percent=70), source="/test")  # only the tracker cannot apply it yet
    await publish_reports(publisher, topics, [orphan])

    letters = await dead_letter_count(settings, 3)
    groups = sorted((letter["consumer_group"], letter["event_id"] or "") for letter in letters)
    assert groups == sorted([(tracker_group, ""), (alerts_group, ""), (tracker_group, orphan.id)])

    await publish_measure(publisher, topics)
    await eventually(lambda: database["measures"].count_documents({}))
    outcome = await replay(settings, None)  # the broken record once for both groups, the orphan once
    assert len(outcome.replayed) == 3 and len(
        {(target["topic"], target["partition"], target["offset"]) for _, target in outcome.replayed}) == 2
    await eventually(lambda: database["assignment_progress"].count_documents({"event_id": orphan.id}))

    # The broken record fails again in both groups; the orphan, alerts never reads (it consumes no report).
    letters = await dead_letter_count(settings, 5)
    again = [letter for letter in letters if letter["replay_of"]]
    assert sorted(letter["consumer_group"] for letter in again) == sorted([tracker_group, alerts_group])
    replayed = next(r for r in await read_topic(settings.kafka_bootstrap_servers, topics.measure_created, 3)
                    if r.value == b"[]" and "dlq-replayed-from" in dict(r.headers))
    assert [(name, value) for name, value in replayed.headers if name != "dlq-replayed-from"] == [("traceparent", None)]
    assert all(letter["replayed"] for letter in letters if not letter["replay_of"])

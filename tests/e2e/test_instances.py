"""Two tracker and two alerts processes in one consumer group each (issue 11 §3): they split the partitions, one of
each is killed with SIGKILL halfway through the stream, and the state stays exact.

20,000 progress events over a generated registry (a city and four counties) and 24 measures (several units each,
four quarters), fed straight onto Kafka: times drawn at random, so they arrive out of order and now and then tie
(the event id decides); 2% sent twice (the same event again); the registry published a second time mid-stream, so
both trackers re-resolve while reports flow. Once both groups have no lag:
- the tracker (its API, GET /v1/measures/{id}) shows per assignment the report with the latest reported_at (ties:
  the highest event id), the one computed here from the events; its own database holds the same per period and
  per assignment, and every distinct report once in its history;
- the alerts service (after a sweep) has at most one open episode per alert key: its published alert events, per
  key, alternate raised → cleared without overlapping episodes, and the keys left open are the alerts it lists.

Each service runs on its own database (tests/support/stacks.py) unless DUBAN_TEST_ONE_DATABASE is set.
"""

import asyncio
import os
import random
import signal
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import httpx
import pytest
from pymongo import AsyncMongoClient

from deploy.local.stack import LocalStack
from shared.contracts import (
    Deadline,
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    Region,
    Registry,
    RegistryPublished,
    Topics,
    Unit,
)
from tests.support.kafka import body, consumer_lag, read_topic
from tests.support.stacks import database_names
from tests.support.streams import expected_state, produce, stored_state
from tests.support.waiting import eventually

EVENTS = 20_000
DUPLICATES = 0.02
MEASURES = 24
SEED = 11
COUNTIES = {"361002": "临川区", "361003": "东乡区", "361021": "南城县", "361022": "黎川县"}
CITY_DEPARTMENTS = ["司法局", "发改委", "公安局", "财政局", "审计局", "教育局"]


def generated_registry() -> Registry:
    city = Region(code="361000", name="抚州市", level="city", units=[
        Unit(unit_id=f"361000.d{number}", name=f"市{name}", kind="department")
        for number, name in enumerate(CITY_DEPARTMENTS)])
    counties = [Region(code=code, name=name, level="county", parent_code="361000", units=[
        Unit(unit_id=f"{code}.government", name=f"{name}政府", kind="government"),
        Unit(unit_id=f"{code}.justice", name=f"{name}司法局", kind="department")]) for code, name in COUNTIES.items()]
    return Registry(regions=[city, *counties])


def generated_measures(registry: Registry, rng: random.Random) -> list[Measure]:
    """Measures led by a city department, with three to five other units; half due mid-2026 (past: overdue alerts
    for the unfinished), half due mid-2027."""
    city, *counties = registry.regions
    county_units = [unit.name for region in counties for unit in region.units]
    return [Measure(
        measure_id=f"scale-{number}", plan_id="scale", region_code="361000", number=number, title=f"措施{number}",
        lead_units=[city.units[number % len(city.units)].name],
        responsible_units=rng.sample(county_units, rng.randint(3, 5)),
        start_date=date(2026, 1, 1),
        deadlines=[Deadline(text="限期完成", date=date(2026, 6, 30) if number % 2 else date(2027, 6, 30))],
    ) for number in range(1, MEASURES + 1)]


def generated_reports(measures: list[Measure], regions: dict[str, str], rng: random.Random) -> list[ProgressReported]:
    """EVENTS distinct reports on random assignments and quarters, each with a narrative of its own (so the API's
    view tells which report is current), at whole hours from 2026-01-01 to yesterday (so about one report in a
    hundred ties with another of its assignment), plus duplicates."""
    assignments = [(m.measure_id, unit) for m in measures for unit in [*m.lead_units, *m.responsible_units]]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    hours = int((datetime.now(UTC) - timedelta(days=1) - start).total_seconds() // 3600)
    events = []
    for number in range(EVENTS):
        measure_id, unit = rng.choice(assignments)
        events.append(ProgressReported.wrap(ProgressReport(
            measure_id=measure_id, unit=unit, region_code=regions[unit], period=f"2026-Q{rng.randint(1, 4)}",
            percent_complete=float(rng.randint(0, 100)), status=rng.choice(["in_progress", "completed", "blocked"]),
            reported_at=start + timedelta(hours=rng.randrange(hours)),
            narrative=f"第{number}份报告",
        ), source="/test"))
    # Each duplicate goes somewhere after its original (inserting from the back keeps the earlier positions valid).
    again = sorted(((rng.randrange(original, EVENTS + 1), events[original])
                    for original in rng.sample(range(EVENTS), int(EVENTS * DUPLICATES))), key=lambda p: -p[0])
    for position, duplicate in again:
        events.insert(position, duplicate)
    return events


def in_registry_terms(events: list[ProgressReported], unit_ids: dict[str, str]) -> list[ProgressReported]:
    """The events as the tracker keys them: the unit's registry id for its name."""
    return [e.model_copy(update={"data": e.data.model_copy(update={"unit": unit_ids[e.data.unit]})}) for e in events]


def phase(what: str, since: float) -> None:
    """Where the test is, on the terminal with -s: its figures are what issue 11's report quotes."""
    print(f"[{time.monotonic() - since:6.1f} s] {what}", flush=True)


def view_of(report: ProgressReport) -> tuple:
    return (report.status.value, report.percent_complete, report.period, report.narrative)


class Instances:
    """Two processes each of the tracker and the alerts service, with one consumer group per service (LocalStack
    records one process per service name, so each process gets a stack record of its own)."""

    def __init__(self, infrastructure, tmp_path_factory, namespace: str):
        self.infrastructure = infrastructure
        self.databases = database_names(namespace)
        self.settings = {
            "topic_prefix": f"{namespace}.", "consumer_group": f"{namespace}-tracker",
            "alerts_consumer_group": f"{namespace}-alerts",
            # Both alerts processes sweep every 10 s, so their sweeps overlap and race the events.
            "alerts_sweep_interval_seconds": "10"}
        self.stacks = {(name, n): LocalStack(tmp_path_factory.mktemp(f"{name}{n}"), default_ports=False,
                                             tie_to_parent=True) for name in ("tracker", "alerts") for n in (0, 1)}
        self.urls: dict[tuple[str, int], str] = {}

    def start(self) -> None:
        started = {key: stack.start_service(key[0], self.infrastructure, mongodb_database=self.databases[key[0]],
                                            **self.settings) for key, stack in self.stacks.items()}
        for key, (process, url) in started.items():
            LocalStack.wait_healthy(process, url)
            self.urls[key] = url

    def kill(self, name: str, n: int) -> None:
        process = self.stacks[name, n].processes()[name]
        os.killpg(process.pid, signal.SIGKILL)
        self.urls.pop((name, n))

    def url(self, name: str) -> str:
        return next(url for (service, _), url in self.urls.items() if service == name)

    def stop(self) -> None:
        for stack in self.stacks.values():
            stack.stop()


@dataclass(frozen=True)
class Streamed:
    """What was streamed through the instances, once the trackers' group has no lag left."""

    instances: Instances
    topics: Topics
    measures: list[Measure]
    unit_ids: dict[str, str]
    events: list[ProgressReported]  # as sent, duplicates included
    fed: float  # time.monotonic() when the reports began to flow


async def stream(instances: Instances) -> Streamed:
    """The registry and measures, then the reports: one tracker and one alerts process killed with SIGKILL once
    the trackers have applied a quarter of them, the registry published again, the second half; returns once the
    trackers' group has committed everything."""
    started = time.monotonic()
    bootstrap, topics = instances.infrastructure.kafka_bootstrap_servers, Topics(instances.settings["topic_prefix"])
    rng = random.Random(SEED)
    registry = generated_registry()
    unit_ids = {unit.name: unit.unit_id for region in registry.regions for unit in region.units}
    regions = {unit.name: region.code for region in registry.regions for unit in region.units}
    measures = generated_measures(registry, rng)
    events = generated_reports(measures, regions, rng)
    first, second = events[: len(events) // 2], events[len(events) // 2:]

    def publish_registry():
        return produce(bootstrap, topics.registry_published, [RegistryPublished.wrap(registry, source="/test")],
                       lambda e: "registry")

    await publish_registry()
    await produce(bootstrap, topics.measure_created, [MeasureCreated.wrap(m, source="/test") for m in measures],
                  lambda e: e.data.measure_id)
    async with httpx.AsyncClient(timeout=30) as http:
        async def measures_resolved():
            for measure in measures:
                answer = await http.get(f"{instances.url('tracker')}/v1/measures/{measure.measure_id}")
                if answer.status_code != 200 or not all(a["unit"] in unit_ids.values()
                                                        for a in answer.json()["assignments"]):
                    return False
            return True

        await eventually(measures_resolved, timeout=60)
    fed = time.monotonic()
    phase("measures resolved", started)
    group = instances.settings["consumer_group"]
    await produce(bootstrap, topics.progress_reported, first, lambda e: e.data.assignment_key)

    async def tracker_halfway():
        lag = await consumer_lag(bootstrap, group, [topics.progress_reported])
        return lag is not None and lag <= len(first) // 2

    await eventually(tracker_halfway, timeout=120, interval=0.05)
    phase("half of the first half applied: killing tracker 0 and alerts 0", fed)
    instances.kill("tracker", 0)
    instances.kill("alerts", 0)
    await publish_registry()  # the survivors re-resolve every assignment while the second half flows
    await produce(bootstrap, topics.progress_reported, second, lambda e: e.data.assignment_key)
    phase("second half sent", fed)

    async def tracker_drained():
        tracker_topics = [topics.registry_published, topics.measure_created, topics.progress_reported]
        return await consumer_lag(bootstrap, group, tracker_topics) == 0

    await eventually(tracker_drained, timeout=180, interval=1)
    phase("no lag in the trackers' group", fed)
    return Streamed(instances, topics, measures, unit_ids, events, fed)


@pytest.fixture(scope="module")
def streamed(infrastructure, tmp_path_factory):
    instances = Instances(infrastructure, tmp_path_factory, f"t{uuid.uuid4().hex[:10]}")
    try:
        instances.start()
        yield asyncio.run(stream(instances))
    finally:
        instances.stop()


async def test_two_trackers_one_killed_halfway_hold_each_assignments_latest_report(streamed):
    """Per assignment the report with the latest reported_at (ties: the highest event id), through the API; per
    period and per assignment in the tracker's database; every distinct report once in its history; and the same
    in the assignment-updated events it published (highest revision per key)."""
    distinct = list({e.id: e for e in streamed.events}.values())
    expected = expected_state(in_registry_terms(distinct, streamed.unit_ids))
    by_id = {e.id: e for e in distinct}
    current = {key: view_of(by_id[event_id].data) for key, event_id in expected["assignment_progress"].items()}
    views = {}
    async with httpx.AsyncClient(timeout=30) as http:
        for measure in streamed.measures:
            answer = (await http.get(f"{streamed.instances.url('tracker')}/v1/measures/{measure.measure_id}")).json()
            views |= {f"{a['measure_id']}|{a['unit']}": (a["status"], a["percent_complete"], a["period"],
                                                         a["narrative"]) for a in answer["assignments"]
                      if a["reported_at"]}
    assert views == current
    client = AsyncMongoClient(streamed.instances.infrastructure.mongodb_url, tz_aware=True)
    try:
        tracker_database = client[streamed.instances.databases["tracker"]]
        assert await stored_state(tracker_database) == expected
        assert await tracker_database["progress_reports"].count_documents({}) == len(distinct)
    finally:
        await client.close()
    # What it published (assignment-updated, through its outbox): per key, the highest revision names the same
    # current report and every period reported, once the outbox has drained.
    periods = defaultdict(set)
    for key in expected["period_progress"]:
        measure_id, unit, period = key.split("|")
        periods[f"{measure_id}|{unit}"].add(period)

    async def published_states():
        records = await read_topic(bootstrap, streamed.topics.assignment_updated, 1, 3_000)
        latest = {}
        for record in map(body, records):
            state = record["data"]
            if state["revision"] > latest.get(f"{state['measure_id']}|{state['unit']}", {"revision": 0})["revision"]:
                latest[f"{state['measure_id']}|{state['unit']}"] = state
        found = {key: (state["report_event_id"], sorted(state["periods_reported"]))
                 for key, state in latest.items() if state["report_event_id"]}
        wanted = {key: (event_id, sorted(periods[key])) for key, event_id in expected["assignment_progress"].items()}
        return (found, wanted) if found == wanted else None

    bootstrap = streamed.instances.infrastructure.kafka_bootstrap_servers
    await eventually(published_states, timeout=60, interval=1)
    print(f"\n{len(streamed.events)} records ({len(distinct)} distinct) over {len(current)} assignments applied "
          f"{time.monotonic() - streamed.fed:.1f} s after the first was sent")


async def test_two_alerts_one_killed_halfway_keep_one_episode_per_alert_key(streamed):
    """Once the alerts' group has no lag and one sweep ran: the open alerts it lists have distinct keys and were
    recorded; its published events, per key, alternate raised → cleared without overlapping episodes, and the keys
    left open are the ones it lists, with the same episode."""
    instances, topics = streamed.instances, streamed.topics
    bootstrap = instances.infrastructure.kafka_bootstrap_servers

    async def alerts_drained():
        return await consumer_lag(bootstrap, instances.settings["alerts_consumer_group"]) == 0

    await eventually(alerts_drained, timeout=120, interval=1)
    phase("no lag in the alerts' group", streamed.fed)
    async with httpx.AsyncClient(timeout=60) as http:
        assert (await http.post(f"{instances.url('alerts')}/v1/alerts:sweep")).status_code == 200
        listed = []
        while len(listed) < (total := (page := (await http.get(f"{instances.url('alerts')}/v1/alerts", params={
                "status": "open", "limit": 1000, "offset": len(listed)})).json())["total"]):
            listed += page["items"]
    assert len(listed) == total > 0
    assert len({a["key"] for a in listed}) == len(listed)
    assert all(a.get("opened_at") for a in listed), "a listed alert the sweep did not record"

    published = {}
    for topic in (topics.alert_raised, topics.alert_severity_changed, topics.alert_cleared):
        published |= {(record := body(r))["id"]: record for r in await read_topic(bootstrap, topic, 1, 5_000)}
    episodes = defaultdict(lambda: defaultdict(dict))
    for event in published.values():
        notice, kind = event["data"], event["type"].removeprefix("alert-")
        if kind != "severity-changed":  # an episode's severity may change any number of times
            assert kind not in episodes[notice["key"]][notice["episode"]], f"a second {kind} event: {notice}"
            episodes[notice["key"]][notice["episode"]][kind] = notice
    still_open = {}
    for key, lives in episodes.items():
        assert all("raised" in life for life in lives.values()), f"{key}: an episode never raised"
        ordered = sorted(lives.values(), key=lambda life: datetime.fromisoformat(life["raised"]["opened_at"]))
        assert all("cleared" in life for life in ordered[:-1]), f"{key}: an episode opened before the last closed"
        assert all(datetime.fromisoformat(a["cleared"]["closed_at"]) <= datetime.fromisoformat(b["raised"]["opened_at"])
                   for a, b in pairwise(ordered))
        if "cleared" not in ordered[-1]:
            still_open[key] = ordered[-1]["raised"]["episode"]
    assert still_open == {a["key"]: a["episode"] for a in listed}
    phase(f"{len(listed)} open alerts, {len(published)} alert events checked", streamed.fed)


def test_the_generated_stream_has_ties_duplicates_and_reports_out_of_order():
    """Guards the test above: what it streams exercises the tie-break, redelivery and out-of-order arrival."""
    rng = random.Random(SEED)
    registry = generated_registry()
    regions = {unit.name: region.code for region in registry.regions for unit in region.units}
    events = generated_reports(generated_measures(registry, rng), regions, rng)
    per_assignment = defaultdict(list)
    for event in {e.id: e for e in events}.values():
        per_assignment[event.data.assignment_key].append(event.data.reported_at)
    assert len(events) - len({e.id for e in events}) == int(EVENTS * DUPLICATES)
    assert sum(len(times) - len(set(times)) for times in per_assignment.values()) > 10
    assert all(times != sorted(times) for times in per_assignment.values())
    assert len({e.data.period for e in events}) == 4 and len(per_assignment) > 90

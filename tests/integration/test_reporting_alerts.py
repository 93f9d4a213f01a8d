"""Lagging and silent in the reports are the alerts service's judgement, learnt from its alert events: its sweep
over a generated city, the alert events through the real broker, then the reporting API, today and on past days."""

from datetime import UTC, datetime, timedelta

import pytest

from services.alerts.main import create_app as create_alerts
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.record import record
from shared.contracts import AlertCleared, AlertRaised, AssignmentUpdated, MeasureCreated
from shared.domain.calendar import today_in_china
from shared.domain.regions import within
from shared.kafka.broker import publish_event
from tests.support.apps import alerts_settings, running
from tests.support.kafka import consumer_lag
from tests.support.waiting import eventually
from tests.unit.reporting.generated import generate_city

TODAY = today_in_china()  # the sweep judges today, and stamps the alerts it opens with the time now
CITY = generate_city(townships=13, measures=12, assignments=500, departments=(6, 3, 1), seed=10, today=TODAY)
REGIONS = ("361000", "361002", "361002101")
REPORTED_KINDS = ["overdue", "due_soon", "lagging", "silent"]


@pytest.fixture
async def city(database, publisher, topics):
    """The city's events on the broker, what reporting and the alerts service learn it from; the test database,
    which reporting's collections are in."""
    for event in CITY.events():
        topic, key = ((topics.assignment_updated, event.data.key) if isinstance(event, AssignmentUpdated) else
                      (topics.measure_created, event.data.measure_id) if isinstance(event, MeasureCreated) else
                      (topics.registry_published, "registry"))
        await publish_event(publisher, topic, event, key)
    return database


@pytest.fixture
async def reporting(settings_values, city):
    settings = ReportingSettings(**settings_values, snapshot_max_age_seconds=0, history_max_age_seconds=0,
                                 reporting_consumer_group=f"{settings_values['topic_prefix']}reporting")
    async with running(create_reporting(settings)) as client:
        await eventually(lambda: assignments_known(client), timeout=60)
        yield client


async def assignments_known(client) -> bool:
    return (await client.get("/v1/reports/regions/361000")).json().get("assignments") == len(CITY.assignments)


async def get(client, path: str, **params) -> dict:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_reports_count_the_assignments_the_alerts_sweep_flagged_and_list_its_alerts(
        settings_values, reporting, topics):
    async with running(create_alerts(alerts_settings(settings_values))) as alerts:
        # The sweep judges what alerts has learnt from the city's events: every one of them, before it sweeps.
        async def city_learnt() -> bool:
            return await consumer_lag(settings_values["kafka_bootstrap_servers"],
                                      f"{settings_values['topic_prefix']}alerts",
                                      (topics.registry_published, topics.measure_created,
                                       topics.assignment_updated)) == 0

        await eventually(city_learnt, timeout=120, interval=0.5)
        # Alerts judges each assignment as its events arrive; the sweep judges the whole city on top of that.
        outcome = (await alerts.post("/v1/alerts:sweep")).json()
        assert outcome["assignments"] == len(CITY.assignments) and outcome["open"] > 0

        async def every_alert_heard() -> bool:
            return (await get(reporting, "/v1/reports/regions/361000/alerts", limit=1))["total"] == outcome["open"]

        await eventually(every_alert_heard, timeout=60)
        for code in REGIONS:
            report = await get(reporting, f"/v1/reports/regions/{code}")
            for kind in ("overdue", "lagging", "silent"):
                flagged = await get(alerts, "/v1/alerts", region_code=code, kind=kind, limit=1000)
                assert flagged["total"] < 1000
                assert report[kind] == len({(a["measure_id"], a["unit"]) for a in flagged["items"]}), (code, kind)
            # The kinds judged from reports (the city's hundreds of assignments nobody signed for are unsigned too:
            # with them the city's list would pass the lists' 1,000 rows).
            listed = await get(reporting, f"/v1/reports/regions/{code}/alerts", kind=REPORTED_KINDS, limit=1000)
            every = await get(alerts, "/v1/alerts", region_code=code, kind=REPORTED_KINDS, limit=1000)
            assert sorted(a["key"] for a in listed["rows"]) == sorted(a["key"] for a in every["items"])
            assert listed["total"] == every["total"]
        city = await get(reporting, "/v1/reports/regions/361000")
        assert city["overdue"] > 0 and city["lagging"] > 0 and city["silent"] > 0
        assert city["lagging"] == city["own_units"]["lagging"] + sum(c["lagging"] for c in city["children"])
        # Yesterday, before the alerts service's first judgement, the flags are unknown, not 0 (domain/flags.judged).
        yesterday = await get(reporting, f"/v1/reports/regions/361000/as-of/{TODAY - timedelta(days=1)}")
        assert (yesterday["lagging"], yesterday["silent"]) == (None, None)


async def test_a_past_day_counts_the_alerts_open_at_its_end_from_the_alerts_history(city, reporting):
    assignment = next(a for a in CITY.assignments if within(a["region_code"], "361002"))
    opened, closed = datetime(2026, 3, 10, 2, tzinfo=UTC), datetime(2026, 4, 20, 2, tzinfo=UTC)
    notice = {"key": f"lagging|{assignment['_id']}|progress", "episode": "episode-1", "kind": "lagging",
              "severity": "warning", "subject": "progress", "measure_id": assignment["measure_id"],
              "unit": assignment["unit"], "unit_name": assignment["unit_name"],
              "region_code": assignment["region_code"], "reason": "当前进度低于序时进度", "figures": {},
              "opened_at": opened, "as_of": "2026-03-10"}
    await record(ReportingStore(city), [
        AlertRaised(id="episode-1.raised", source="test", time=opened, data=notice),
        AlertCleared(id="episode-1.cleared", source="test", time=closed, data={**notice, "closed_at": closed})])

    async def lagging(day: str, code: str = "361000") -> int:
        return (await get(reporting, f"/v1/reports/regions/{code}/as-of/{day}"))["lagging"]

    # 03-09 is before the first judgement (unknown); after the episode closed, a known 0.
    assert [await lagging(day) for day in ("2026-03-09", "2026-03-10", "2026-04-19", "2026-04-20")] == [None, 1, 1, 0]
    assert await lagging("2026-03-31", "361003") == 0  # another county
    series = await get(reporting, "/v1/reports/regions/361002/history", since="2026-01-01", as_of="2026-06-30")
    assert [month["lagging"] for month in series["series"]] == [None, None, 1, 0, 0, 0]  # none judged before March
    assert (await get(reporting, "/v1/reports/regions/361000"))["lagging"] == 0  # closed: not open today


async def test_a_batch_of_raises_and_clears_opens_the_latest_episode_and_closes_the_ones_cleared(city):
    store = ReportingStore(city)
    at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    assignments = [a for a in CITY.assignments if within(a["region_code"], "361002")][:3]

    def notice(assignment: dict, episode: str, opened: datetime) -> dict:
        return {"key": f"lagging|{assignment['_id']}|progress", "episode": episode, "kind": "lagging",
                "severity": "warning", "subject": "progress", "measure_id": assignment["measure_id"],
                "unit": assignment["unit"], "unit_name": assignment["unit_name"],
                "region_code": assignment["region_code"], "reason": "当前进度低于序时进度", "figures": {},
                "opened_at": opened, "as_of": "2026-03-10"}

    first, second, third = assignments
    episodes = {"a1": notice(first, "a1", at), "a2": notice(first, "a2", at + timedelta(days=1)),
                "b1": notice(second, "b1", at), "c1": notice(third, "c1", at)}
    # The clear of c1 is recorded before its raise comes (two topics, two consumers): the raise opens nothing.
    def cleared(episode: str) -> AlertCleared:
        return AlertCleared(id=f"{episode}.cleared", source="test", time=at,
                            data={**episodes[episode], "closed_at": at})

    await record(store, [cleared("c1")])
    await record(store, [AlertRaised(id=f"{e}.raised", source="test", time=at, data=episodes[e])
                         for e in ("a1", "b1", "a2", "c1")])
    await record(store, [cleared("b1"),
                         AlertRaised(id="a1.raised", source="test", time=at, data=episodes["a1"])])  # a redelivery

    open_alerts = {d["_id"]: d["episode"] async for d in city["reporting_open_alerts"].find()}
    assert open_alerts == {episodes["a2"]["key"]: "a2"}
    assert {d["_id"] async for d in city["reporting_alert_episodes"].find()} == {"b1", "c1"}

"""The supervision loop and 亮灯 in reporting, through the real broker into the running service and its own database:
assignment-updated with loop states and assignment-light-changed events become the figures (completed only once
closed out, claims awaiting verification apart, the red/yellow/green counts and the region's light), the light at
each month end, a unit's inbox and the region's verification queue; a completion requested then verified moves the
figures step by step; the collections rebuilt from the topics equal the live ones, the light changes among them."""

from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.rebuild import rebuild, report
from shared.contracts import AssignmentLightChanged, AssignmentUpdated, MeasureCreated, RegistryPublished
from shared.domain.calendar import CHINA, today_in_china
from shared.domain.regions import within
from shared.kafka.broker import publish_event
from tests.support.apps import running
from tests.support.waiting import eventually
from tests.unit.reporting.generated import generate_city

TODAY = today_in_china()
LAST_MONTH_END = TODAY - timedelta(days=TODAY.day)
CITY = generate_city(townships=6, measures=4, assignments=150, departments=(3, 2, 1), seed=9, today=TODAY)


@pytest.fixture
def own(settings_values) -> dict:
    return {**settings_values, "reporting_consumer_group": f"{settings_values['topic_prefix']}reporting"}


async def publish(publisher, topics, events) -> None:
    for event in events:
        if isinstance(event, AssignmentUpdated | AssignmentLightChanged):
            topic, key = {AssignmentUpdated: topics.assignment_updated,
                          AssignmentLightChanged: topics.assignment_light_changed}[type(event)], event.data.key
        elif isinstance(event, MeasureCreated):
            topic, key = topics.measure_created, event.data.measure_id
        else:
            assert isinstance(event, RegistryPublished)
            topic, key = topics.registry_published, "registry"
        await publish_event(publisher, topic, event, key)


def latest_lights(events: list[AssignmentLightChanged], code: str) -> dict[str, int]:
    """Red, yellow and green among the assignments in `code` and below, each at its last change."""
    last = {event.data.key: event.data.light for event in events if within(event.data.region_code, code)}
    return {light: sum(value == light for value in last.values()) for light in ("red", "yellow", "green")}


def light_of(counts: dict[str, int]) -> str | None:
    """The documented rule (services/reporting/domain/lights.py), in its own words: red from one in five red, yellow
    from any red or one in five red or yellow, else green; none when nothing is lit."""
    lit = sum(counts.values())
    if not lit:
        return None
    if 5 * counts["red"] >= lit:
        return "red"
    return "yellow" if counts["red"] or 5 * (counts["red"] + counts["yellow"]) >= lit else "green"


async def until(read, condition, timeout=60):
    async def once():
        answer = await read()
        return answer if condition(answer) else None
    return await eventually(once, timeout=timeout)


async def test_loop_states_and_lights_become_the_figures_the_history_and_the_work_lists(own, database, publisher,
                                                                                        topics):
    lights = CITY.light_events([LAST_MONTH_END, TODAY])
    views = CITY.views()
    settings = ReportingSettings(**own, snapshot_max_age_seconds=0)
    async with running(create_app(settings)) as http:
        async def city() -> dict:
            return (await http.get("/v1/reports/regions/361000")).json()

        await publish(publisher, topics, [*CITY.events(), *lights])
        figures = await until(city, lambda f: f.get("assignments") == 150 and sum(
            f[f"lights_{light}"] for light in ("red", "yellow", "green")) == 150)
        closed = sum(v["loop_state"] == "closed_out" for v in views)
        waiting = sum(v["loop_state"] == "completion_requested" for v in views)
        assert 0 < figures["completed"] == closed and 0 < figures["awaiting_verification"] == waiting
        assert figures["completion_rate"] == round(100 * closed / 150, 1)
        counts = latest_lights(lights, "361000")
        assert {light: figures[f"lights_{light}"] for light in counts} == counts
        assert figures["light"] == light_of(counts)
        for child in figures["children"]:
            assert child["light"] == light_of(latest_lights(lights, child["region_code"])), child["region_code"]
        units = (await http.get("/v1/reports/regions/361000/units")).json()
        assert sum(u["lights_red"] for u in units) == counts["red"] and all("light" in u for u in units)

        # The light at each month end: last month's from the lights judged on its last day, this month's today's.
        history = (await http.get("/v1/reports/regions/361000/lights", params={"year": TODAY.year})).json()
        now = history["lights"][TODAY.month - 1]
        assert (now["light"], now["lights_red"], now["lights_yellow"], now["lights_green"]) == (
            figures["light"], counts["red"], counts["yellow"], counts["green"])
        if LAST_MONTH_END.year == TODAY.year:
            before = latest_lights([e for e in lights if e.data.judged_on == LAST_MONTH_END], "361000")
            assert {light: history["lights"][TODAY.month - 2][f"lights_{light}"] for light in before} == before
        assert all(month["light"] is None for month in history["lights"][TODAY.month:])
        assert len(history["assignments"]) == 150 and len(history["children"]) == len(figures["children"])

        # The verification queue: every completion request waiting, the oldest first.
        queue = (await http.get("/v1/regions/361000/verification-queue")).json()
        assert queue["total"] == waiting
        requested = [row["completion_requested_at"] for row in queue["rows"]]
        assert [datetime.fromisoformat(t) for t in requested] == sorted(datetime.fromisoformat(t) for t in requested)
        assert all(row["days_waiting"] >= 0 for row in queue["rows"])

        # A unit with an assignment nobody reported on has it to sign for.
        unsigned = next(v for v in views if v["loop_state"] is None and v["role"] is not None)
        inbox = (await http.get(f"/v1/units/{unsigned['unit']}/inbox")).json()
        assert unsigned["measure_id"] in [row["measure_id"] for row in inbox["to_sign"]]
        assert (await http.get("/v1/units/nobody-at-all/inbox")).status_code == 404

        # The unit requests completion (revision 2), then the lead unit verifies it (revision 3), lit green.
        at = datetime.now(UTC)
        base = {**{k: unsigned[k] for k in ("measure_id", "unit", "unit_name", "role", "region_code")},
                "status": "completed", "percent_complete": 100, "period": f"{TODAY.year}", "reported_at": at,
                "completed_at": at, "report_event_id": "r-loop", "periods_reported": [f"{TODAY.year}"],
                "signed_at": at, "completion_requested_at": at}
        key = f"{unsigned['measure_id']}|{unsigned['unit']}"
        await publish(publisher, topics, [AssignmentUpdated(id=f"{key}#2", source="test", time=at, data={
            **base, "revision": 2, "loop_state": "completion_requested"})])
        requested_now = await until(city, lambda f: f["awaiting_verification"] == waiting + 1)
        assert requested_now["completed"] == closed
        queue = (await http.get("/v1/regions/361000/verification-queue")).json()
        mine = [row for row in queue["rows"] if (row["measure_id"], row["unit"]) == (
            unsigned["measure_id"], unsigned["unit"])]
        assert queue["total"] == waiting + 1 and len(mine) == 1 and mine[0]["days_waiting"] == 0

        previous = next(e.data.light for e in reversed(lights) if e.data.key == key)
        turned = "green" if previous != "green" else "red"
        await publish(publisher, topics, [
            AssignmentUpdated(id=f"{key}#3", source="test", time=at, data={
                **base, "revision": 3, "loop_state": "closed_out", "closed_out_at": at}),
            AssignmentLightChanged(id=f"{key}#light-9", source="test", time=at, data={
                "measure_id": unsigned["measure_id"], "unit": unsigned["unit"], "region_code": unsigned["region_code"],
                "light": turned, "previous": previous, "reasons": ["closed_out"],
                "judged_on": TODAY, "changed_at": at.astimezone(CHINA)})])
        # The closing out and the light change come on two topics, consumed in parallel: wait for both.
        lit = {light: counts[light] + (light == turned) - (light == previous) for light in counts}
        verified = await until(city, lambda f: f["completed"] == closed + 1 and {
            light: f[f"lights_{light}"] for light in counts} == lit)
        assert verified["awaiting_verification"] == waiting

    rebuilt = f"{own['mongodb_database']}-rebuilt"
    try:
        result = await rebuild(ReportingSettings(**own), into=rebuilt)
        assert result.identical, "\n".join(report(result))
        assert result.applied[topics.assignment_light_changed] == len(lights) + 1
    finally:
        await database.client.drop_database(rebuilt)

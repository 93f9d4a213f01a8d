"""The supervision loop (督办闭环) end to end, over HTTP and Kafka, on the four services as processes: a measure is
assigned (交办) to a responsible unit with a lead unit; the unit signs for it (签收), reports progress, asks to close
it with an evidence file (办结申请), the lead unit returns it (退回), the unit asks again and the supervising office
verifies it (核查销号). At each step: the event on its topic, the tracker's state and timeline, the alerts service's
light and the loop's alerts (unsigned, awaiting verification) on the days they fall due, reporting's counts, the
unit's inbox and the verification queue, and the unit's 考核 score. Steps the loop does not allow (asking to close
before signing, signing twice, the unit verifying itself) are refused with problem documents and publish nothing.

Time is controlled through the services, not slept through: the alerts service runs without its periodic sweep,
and the test sweeps (`POST /v1/alerts:sweep?as_of=`) the first day each loop alert is due, computed with the
documented working-day calendar (services/alerts/domain/workdays.py).
"""

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import httpx
import pytest

from services.alerts.domain.workdays import working_days_after
from shared.domain.calendar import local_date, today_in_china
from tests.support.kafka import consumer_lag, events_on
from tests.support.stacks import Stack, services_running
from tests.support.waiting import eventually

TODAY = today_in_china()
MEASURE_ID, PLAN_ID = "loop-e2e-1", "loop-e2e"
UNIT, LEAD, OFFICE = "361002.government", "361000.justice", "361000.rule-of-law-office"
COUNTY = "361002"
STEPS = f"/v1/measures/{MEASURE_ID}/units/{UNIT}"
REGISTRY = {"regions": [
    {"code": "361000", "name": "抚州市", "level": "city", "units": [
        {"unit_id": "361000.government", "name": "市政府", "kind": "government"},
        {"unit_id": LEAD, "name": "市司法局", "kind": "department"},
        {"unit_id": OFFICE, "name": "市委依法治市办", "kind": "organ"}]},
    {"code": COUNTY, "name": "临川区", "level": "county", "parent_code": "361000", "units": [
        {"unit_id": UNIT, "name": "临川区政府", "kind": "government"}]}]}
MEASURE = {"measure_id": MEASURE_ID, "plan_id": PLAN_ID, "region_code": "361000", "number": 1,
           "title": "加强行政应诉工作", "text": "落实行政机关负责人出庭应诉制度。", "lead_units": ["市司法局"],
           "responsible_units": ["临川区政府"], "start_date": TODAY.isoformat(),
           "deadlines": [{"text": f"{TODAY.year + 1}年底前", "date": f"{TODAY.year + 1}-12-31"}]}
# intake's route for each step -> the step's event type (its topic is named after it)
STEP_EVENTS = {"sign": "assignment-signed", "request-completion": "completion-requested",
               "return": "completion-returned", "verify": "completion-verified"}
PERIOD = f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"
SIGNER = {"region_code": COUNTY, "by": "张三"}
BY_LEAD = {"region_code": COUNTY, "by": "李四", "verifier": "lead_unit", "verifier_unit": LEAD}
BY_OFFICE = {"region_code": COUNTY, "by": "王五", "verifier": "supervising_office", "verifier_unit": OFFICE}
ALERTS_GROUP = f"loop-e2e-alerts-{uuid.uuid4().hex[:8]}"  # its lag tells when alerts has judged every state


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory) -> Iterator[Stack]:
    # No periodic sweep: the test sweeps the days it looks at, and a sweep of today in between would clear what the
    # sweep of a later day raised before the test saw it. The scores are computed for every request, so each step's
    # score is seen as soon as reporting has its events.
    with services_running(infrastructure, tmp_path_factory, alerts_sweep_interval_seconds="0",
                          alerts_consumer_group=ALERTS_GROUP, scores_max_age_seconds="0") as running:
        yield running


class Loop:
    """The assignment under test, read through every service's public interface."""

    def __init__(self, stack: Stack, http: httpx.AsyncClient):
        self.stack, self.http = stack, http

    def url(self, service: str, path: str) -> str:
        return f"{self.stack.urls[service]}{path}"

    async def get(self, service: str, path: str, **params) -> dict:
        response = await self.http.get(self.url(service, path), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def step(self, action: str, body: dict) -> dict:
        """Take a loop step at intake: 202, and the event on its topic as intake answered it (its event id)."""
        response = await self.http.post(self.url("intake", f"{STEPS}:{action}"), json=body)
        assert response.status_code == 202, response.text
        accepted = response.json()
        assert (accepted["type"], accepted["topic"]) == (STEP_EVENTS[action], self.step_topic(action))
        (event,) = [e for e in await self.events(accepted["topic"]) if e["id"] == accepted["event_id"]]
        assert (event["data"]["measure_id"], event["data"]["unit"]) == (MEASURE_ID, UNIT)
        return event

    async def refused(self, action: str, body: dict, status: int, slug: str) -> str:
        """A step intake refuses: the problem document's detail; nothing more on the step's topic, nothing more in
        the timeline."""
        before = await self.timeline()
        published = {e["id"] for e in await self.events(self.step_topic(action))}
        response = await self.http.post(self.url("intake", f"{STEPS}:{action}"), json=body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == f"/problems/{slug}"
        assert {e["id"] for e in await self.events(self.step_topic(action))} == published
        assert await self.timeline() == before
        return response.json()["detail"]

    def step_topic(self, action: str) -> str:
        return self.stack.topics.for_loop_event(STEP_EVENTS[action])

    async def events(self, topic: str, unit: str = UNIT) -> list[dict]:
        """The CloudEvents of our measure's assignment on `topic`, from its start to its end now."""
        return [e for e in await events_on(self.stack.bootstrap, topic)
                if e["data"].get("measure_id") == MEASURE_ID and e["data"].get("unit") in (unit, None)]

    async def timeline(self) -> dict:
        return await self.get("tracker", f"{STEPS}/timeline")

    async def reaches(self, loop_state: str, returned: int = 0) -> dict:
        """The tracker's timeline once the assignment stands there, and its published state agreeing."""
        async def there():
            answer = await self.http.get(self.url("tracker", f"{STEPS}/timeline"))  # 404 until it is assigned
            found = answer.json() if answer.status_code == 200 else {}
            return found if (found.get("loop_state"), found.get("returned_count")) == (loop_state, returned) else None

        found = await eventually(there)

        async def published():
            states = [e["data"] for e in await self.events(self.stack.topics.assignment_updated)]
            latest = max(states, key=lambda state: state["revision"], default={})
            return latest if latest.get("loop_state") == loop_state else None

        state = await eventually(published)
        assert state["returned_count"] == found["returned_count"]
        for field in ("signed_at", "completion_requested_at", "closed_out_at"):
            assert instant(state[field]) == instant(found[field]), field
        return found

    async def light(self, as_of: date = TODAY) -> tuple[str, list[str]]:
        lights = await self.get("alerts", "/v1/lights", unit=UNIT, measure_id=MEASURE_ID, as_of=as_of.isoformat())
        (lit,) = lights["items"]
        return lit["light"], lit["reasons"]

    async def alerts(self, kind: str, as_of: date = TODAY) -> list[dict]:
        found = await self.get("alerts", "/v1/alerts", unit=UNIT, kind=kind, as_of=as_of.isoformat())
        return [a for a in found["items"] if a["measure_id"] == MEASURE_ID]

    async def sweep(self, day: date) -> dict:
        """Judge `day` and record it, once alerts has judged (today) every state the tracker published: a state
        judged after the sweep would be judged today again and undo what the sweep raised."""
        async def settled():
            return await consumer_lag(self.stack.bootstrap, ALERTS_GROUP, [self.stack.topics.assignment_updated]) == 0

        await eventually(settled)
        response = await self.http.post(self.url("alerts", "/v1/alerts:sweep"), params={"as_of": day.isoformat()})
        assert response.status_code == 200, response.text
        return response.json()

    async def alert_events(self, event_type: str, kind: str) -> list[dict]:
        return [e["data"] for e in await self.events(self.stack.topics.for_alert_event(event_type))
                if e["data"]["kind"] == kind]

    async def figures(self, as_of: date | None = None, **expected) -> dict:
        """The county's figures (the unit's only assignment) on `as_of` (default today) once they say `expected`."""
        params = {"as_of": as_of.isoformat()} if as_of else {}

        async def counted():
            found = await self.get("reporting", f"/v1/reports/regions/{COUNTY}", **params)
            return found if {name: found[name] for name in expected} == expected else None

        return await eventually(counted)

    async def inbox(self) -> dict:
        found = await self.get("reporting", f"/v1/units/{UNIT}/inbox")
        return {name: [row["measure_id"] for row in rows] for name, rows in found.items() if name in (
            "to_sign", "to_report", "returned")}

    async def queue(self) -> list[dict]:
        found = await self.get("reporting", "/v1/regions/361000/verification-queue")
        return [row for row in found["rows"] if (row["measure_id"], row["unit"]) == (MEASURE_ID, UNIT)]

    async def score(self, total: float) -> dict:
        async def scored():
            found = await self.get("reporting", f"/v1/scores/units/{UNIT}")
            return found if found["total"] == total else None

        return await eventually(scored)


def instant(text: str | None) -> datetime | None:
    return text and datetime.fromisoformat(text)


def first_late_day(start: date, working_days: int) -> date:
    """The first day a limit of `working_days` working days after `start` is passed (the rule's own calendar)."""
    return working_days_after(start, working_days) + timedelta(days=1)


async def test_an_assignment_goes_through_the_whole_loop_with_a_return_and_a_second_request(stack):
    async with httpx.AsyncClient(timeout=30) as http:
        loop = Loop(stack, http)
        await assign(loop)
        await sign_late(loop)
        await report(loop)
        evidence = await request_and_wait_too_long(loop)
        await return_by_the_lead_unit(loop)
        await request_again_and_be_verified(loop, evidence)


async def assign(loop: Loop) -> None:
    """交办: the registry, then the measure: assigned to the unit, to sign for, lit green, scored at the base."""
    assert (await loop.http.post(loop.url("intake", "/v1/registry"), json=REGISTRY)).status_code == 202

    async def registry_everywhere():
        answers = [await loop.http.get(loop.url("tracker", f"/v1/regions/{COUNTY}")),
                   await loop.http.get(loop.url("reporting", f"/v1/reports/regions/{COUNTY}")),
                   await loop.http.get(loop.url("alerts", "/v1/lights"), params={"region_code": COUNTY})]
        return all(answer.status_code == 200 for answer in answers)

    await eventually(registry_everywhere, timeout=60)
    created = await loop.http.post(loop.url("intake", "/v1/measures"), json=MEASURE)
    assert created.status_code == 202, created.text
    (event,) = [e for e in await loop.events(loop.stack.topics.measure_created) if e["id"] == created.json()[
        "event_id"]]
    assert event["data"]["lead_units"] == ["市司法局"] and event["data"]["responsible_units"] == ["临川区政府"]

    assigned = await loop.reaches("assigned")
    assert assigned["steps"] == [] and assigned["signed_at"] is None
    await loop.figures(assignments=1, not_started=1, completed=0, awaiting_verification=0, lights_green=1)
    assert await loop.light() == ("green", [])
    assert await loop.inbox() == {"to_sign": [MEASURE_ID], "to_report": [], "returned": []}
    assert (await loop.score(100))["lines"] == []

    # Asking to close before signing: 409, nothing published.
    assert "尚未签收" in await loop.refused("request-completion", {
        **SIGNER, "narrative": "已完成"}, 409, "loop-conflict")


async def sign_late(loop: Loop) -> None:
    """Unsigned on the first day past 3 working days from the measure's issue (its measure-created's day): an alert
    and a yellow light, which signing clears."""
    (created,) = await loop.events(loop.stack.topics.measure_created)
    issued = local_date(created["time"])
    late = first_late_day(issued, 3)
    assert await loop.alerts("unsigned", late - timedelta(days=1)) == []  # the limit's last day is still on time
    swept = await loop.sweep(late)
    assert swept["as_of"] == late.isoformat() and swept["raised"] >= 1
    (raised,) = await eventually(lambda: loop.alert_events("alert-raised", "unsigned"))
    assert raised["as_of"] == late.isoformat() and raised["figures"]["assigned_on"] == issued.isoformat()
    assert raised["figures"]["days_late"] == 1 and raised["severity"] == "warning"
    (open_alert,) = await loop.alerts("unsigned", late)
    assert open_alert["key"] == raised["key"]
    assert await loop.light(late) == ("yellow", ["unsigned"])
    changes = await eventually(lambda: _lights_changed(loop, 2))
    assert [(c["light"], c["previous"], c["judged_on"]) for c in changes] == [
        ("green", None, TODAY.isoformat()), ("yellow", "green", late.isoformat())]
    await loop.figures(late, lights_yellow=1, lights_green=0, light="yellow")

    signed = await loop.step("sign", SIGNER)
    assert signed["data"]["by"] == "张三"
    state = await loop.reaches("signed")
    assert [(s["type"], s["event_id"], s["by"], s["counted"]) for s in state["steps"]] == [
        ("assignment-signed", signed["id"], "张三", True)]
    assert state["signed_at"] is not None
    # The signed state, judged on its arrival, clears the alert and turns the light green again.
    (cleared,) = await eventually(lambda: loop.alert_events("alert-cleared", "unsigned"))
    assert cleared["episode"] == raised["episode"]
    assert await loop.alerts("unsigned", late) == []
    assert await loop.light(late) == ("green", [])
    changes = await eventually(lambda: _lights_changed(loop, 3))
    assert (changes[-1]["light"], changes[-1]["previous"]) == ("green", "yellow")
    await loop.figures(not_started=1, lights_green=1, lights_yellow=0, light="green")

    async def to_report():
        return await loop.inbox() == {"to_sign": [], "to_report": [MEASURE_ID], "returned": []}

    await eventually(to_report)
    assert "签收，不能重复签收" in await loop.refused("sign", SIGNER, 409, "loop-conflict")


async def report(loop: Loop) -> None:
    """办理: a progress report takes the work up (in progress)."""
    accepted = await loop.http.post(loop.url("intake", "/v1/progress"), json={
        "measure_id": MEASURE_ID, "unit": "临川区政府", "region_code": COUNTY, "period": PERIOD,
        "percent_complete": 60, "status": "in_progress", "narrative": "已制定出庭应诉工作方案"})
    assert accepted.status_code == 202, accepted.text
    (event,) = [e for e in await loop.events(loop.stack.topics.progress_reported, unit="临川区政府")
                if e["id"] == accepted.json()["event_id"]]
    assert event["data"]["percent_complete"] == 60
    await loop.reaches("in_progress")
    await loop.figures(in_progress=1, not_started=0, completed=0, awaiting_verification=0)
    inbox = await loop.get("reporting", f"/v1/units/{UNIT}/inbox")
    (row,) = inbox["to_report"]
    assert row["reported_in_period"] is True and row["loop_state"] == "in_progress"


async def request_and_wait_too_long(loop: Loop) -> dict:
    """办结申请 with an evidence file: awaiting verification (counted apart, in the queue, out of the inbox); the unit
    may not verify itself; unchecked past 5 working days it is an alert to the lead unit, lit yellow."""
    file = ("出庭应诉台账.txt", "2026年出庭应诉 12 件，负责人出庭 12 件。".encode(), "text/plain")
    uploaded = await loop.http.post(loop.url("intake", "/v1/evidence"), files={"file": file}, data={
        "region_code": COUNTY, "measure_id": MEASURE_ID, "unit": UNIT})
    assert uploaded.status_code == 201, uploaded.text
    evidence = uploaded.json()
    reference = {key: evidence[key] for key in ("id", "name", "sha256", "content_type", "size")}

    requested = await loop.step("request-completion", {
        **SIGNER, "narrative": "出庭应诉率达100%，已完成", "evidence": ["负责人出庭应诉登记表"],
        "evidence_ids": [evidence["id"]]})
    assert requested["data"]["evidence_files"] == [reference]
    state = await loop.reaches("completion_requested")
    assert state["steps"][-1]["type"] == "completion-requested" and state["steps"][-1]["evidence_files"] == [
        reference]
    published = [e["data"] for e in await loop.events(loop.stack.topics.assignment_updated)]
    assert max(published, key=lambda s: s["revision"])["evidence_files"] == [reference]

    await loop.figures(awaiting_verification=1, completed=0, in_progress=0, completion_rate=0.0)
    (waiting,) = await eventually(loop.queue)
    assert waiting["days_waiting"] == 0 and [u["unit"] for u in waiting["lead_units"]] == [LEAD]
    assert await loop.inbox() == {"to_sign": [], "to_report": [], "returned": []}
    assert await loop.light() == ("green", [])

    assert "不能核查本单位的办结" in await loop.refused("verify", {
        **BY_OFFICE, "verifier_unit": UNIT}, 422, "loop-not-allowed")

    late = first_late_day(local_date(state["completion_requested_at"]), 5)
    assert await loop.alerts("awaiting_verification", late - timedelta(days=1)) == []
    await loop.sweep(late)
    (raised,) = await eventually(lambda: loop.alert_events("alert-raised", "awaiting_verification"))
    assert raised["as_of"] == late.isoformat() and raised["figures"]["verifier"] == "lead_unit"
    assert "请牵头单位" in raised["reason"]
    assert await loop.light(late) == ("yellow", ["awaiting_verification"])
    changes = await eventually(lambda: _lights_changed(loop, 4))
    assert (changes[-1]["light"], changes[-1]["judged_on"]) == ("yellow", late.isoformat())
    # The score has not moved: nothing was returned or closed out yet.
    assert (await loop.score(100))["lines"] == []
    return reference


async def return_by_the_lead_unit(loop: Loop) -> None:
    """退回 by the lead unit with the reason: back in progress, returned once, in the unit's inbox, out of the queue;
    the alert to the verifier cleared; one point off the score."""
    returned = await loop.step("return", {**BY_LEAD, "reason": "佐证材料不全：缺少出庭应诉登记表"})
    assert (returned["data"]["verifier"], returned["data"]["verifier_unit"]) == ("lead_unit", LEAD)
    state = await loop.reaches("in_progress", returned=1)
    assert state["completion_requested_at"] is None
    assert state["steps"][-1]["reason"] == "佐证材料不全：缺少出庭应诉登记表"

    (cleared,) = await eventually(lambda: loop.alert_events("alert-cleared", "awaiting_verification"))
    assert cleared["key"].startswith("awaiting_verification")
    assert await loop.light() == ("green", [])  # returned once: not red (twice would be)
    await eventually(lambda: _lights_changed(loop, 5))
    await loop.figures(awaiting_verification=0, completed=0, in_progress=1)

    async def returned_to_the_unit():
        return await loop.inbox() == {"to_sign": [], "to_report": [], "returned": [MEASURE_ID]}

    await eventually(returned_to_the_unit)
    assert await loop.queue() == []
    scored = await loop.score(99)
    (line,) = scored["lines"]
    assert (line["rule"], line["measure_id"], line["count"], line["points"]) == (
        "returned_completion", MEASURE_ID, 1, -1)
    await _traced_to_assignment_updates(loop, line, returned_count=1)


async def request_again_and_be_verified(loop: Loop, evidence: dict) -> None:
    """The second request, unchecked past its limit (a new alert episode), then verified by the supervising office:
    closed out, counted completed, lit green, and scored on time; the file the first request cited is still the
    assignment's evidence (the second cited none)."""
    second = await loop.step("request-completion", {
        **SIGNER, "narrative": "已补充出庭应诉登记表", "evidence": ["负责人出庭应诉登记表（补充）"]})
    state = await loop.reaches("completion_requested", returned=1)
    await loop.figures(awaiting_verification=1, completed=0, in_progress=0)
    (waiting,) = await eventually(loop.queue)
    assert waiting["completion_requested_at"] is not None
    assert await loop.inbox() == {"to_sign": [], "to_report": [], "returned": []}

    late = first_late_day(local_date(state["completion_requested_at"]), 5)
    await loop.sweep(late)
    raised = await eventually(lambda: _several(loop.alert_events("alert-raised", "awaiting_verification"), 2))
    assert raised[0]["episode"] != raised[1]["episode"]
    assert await loop.light(late) == ("yellow", ["awaiting_verification"])

    verified = await loop.step("verify", {**BY_OFFICE, "remark": "材料齐全，同意销号"})
    assert verified["data"]["remark"] == "材料齐全，同意销号"
    closed = await loop.reaches("closed_out", returned=1)
    assert [(s["type"], s["counted"]) for s in closed["steps"]] == [
        ("assignment-signed", True), ("completion-requested", True), ("completion-returned", True),
        ("completion-requested", True), ("completion-verified", True)]
    assert closed["steps"][3]["event_id"] == second["id"] and closed["steps"][4]["by"] == "王五"

    await eventually(lambda: _several(loop.alert_events("alert-cleared", "awaiting_verification"), 2))
    assert await loop.alerts("awaiting_verification", late) == []
    assert await loop.light(late) == ("green", ["closed_out"])
    changes = await eventually(lambda: _lights_changed(loop, 7))
    assert [c["light"] for c in changes] == ["green", "yellow", "green", "yellow", "green", "yellow", "green"]
    assert changes[-1]["reasons"] == ["closed_out"]
    # Closed out raises nothing, whatever day is judged (the lead unit's own assignment, never signed for, may).
    raised_before = {e["id"] for e in await loop.events(loop.stack.topics.alert_raised)}
    await loop.sweep(late)
    assert {e["id"] for e in await loop.events(loop.stack.topics.alert_raised)} == raised_before
    assert (await loop.get("alerts", "/v1/alerts", unit=UNIT, as_of=late.isoformat()))["total"] == 0

    await loop.figures(completed=1, awaiting_verification=0, in_progress=0, completion_rate=100.0, lights_green=1)
    assert await loop.queue() == []
    assert await loop.inbox() == {"to_sign": [], "to_report": [], "returned": []}
    scored = await loop.score(101)
    lines = {line["rule"]: line for line in scored["lines"]}
    assert {rule: line["points"] for rule, line in lines.items()} == {
        "closed_out_on_time": 2, "returned_completion": -1}
    await _traced_to_assignment_updates(loop, lines["closed_out_on_time"], loop_state="closed_out")

    page = await loop.get("reporting", f"/v1/reports/measures/{MEASURE_ID}", region_code=COUNTY)
    (row,) = page["rows"]
    assert [file["id"] for file in row["evidence_files"]] == [evidence["id"]]
    assert row["evidence_files"][0]["download_url"].endswith(f"/v1/evidence/{evidence['id']}")
    annual = await loop.get("reporting", "/v1/reports/annual", region_code=COUNTY, year=TODAY.year)
    (measure,) = [m for m in annual["measures"] if m["measure_id"] == MEASURE_ID]
    assert [file["id"] for file in measure["evidence_files"]] == [evidence["id"]]


async def _lights_changed(loop: Loop, count: int) -> list[dict] | None:
    """The assignment's assignment-light-changed events in order, once there are `count`."""
    found = await loop.events(loop.stack.topics.assignment_light_changed)
    # Each change's id is `<key>#light-<n>`, n counting the assignment's changes.
    ordered = [e["data"] for e in sorted(found, key=lambda e: int(e["id"].rsplit("-", 1)[1]))]
    return ordered if len(ordered) >= count else None


async def _several(events, count: int) -> list[dict] | None:
    found = await events
    return found if len(found) >= count else None


async def _traced_to_assignment_updates(loop: Loop, line: dict, **state) -> None:
    """Every event a score line names is one of the assignment's assignment-updated carrying `state`."""
    published = {e["id"]: e["data"] for e in await loop.events(loop.stack.topics.assignment_updated)}
    assert line["events"] and all(event in published for event in line["events"])
    assert all({name: published[event][name] for name in state} == state for event in line["events"])

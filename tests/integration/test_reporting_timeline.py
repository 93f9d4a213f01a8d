"""An item's timeline in reporting, through the real broker into the running service and its own database: the
supervision loop's steps on their five topics (a request with evidence, a return with its reason, a second request,
the verification), a report, an alert raised and cleared and a light change become the timeline in the order they
happened, with who and what; a step delivered again (even with other content) is kept once; the collection rebuilt
from the topics equals the live one."""

from datetime import UTC, datetime, timedelta

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.rebuild import rebuild, report
from shared.contracts import (
    AlertCleared,
    AlertRaised,
    AssignmentLightChanged,
    AssignmentSigned,
    AssignmentUpdated,
    CompletionRequested,
    CompletionReturned,
    CompletionVerified,
    MeasureCreated,
    RegistryPublished,
)
from shared.domain.calendar import today_in_china
from shared.kafka.broker import publish_event
from tests.support.apps import running
from tests.support.waiting import eventually
from tests.unit.reporting.generated import generate_city

TODAY = today_in_china()
CITY = generate_city(townships=2, measures=2, assignments=20, departments=(2, 1, 1), seed=4, today=TODAY)
FILE = {"id": "6650c0ffee0000000000abcd", "name": "制度文件.pdf", "sha256": "b" * 64,
        "content_type": "application/pdf", "size": 4096}


def topic_and_key(topics, event) -> tuple[str, str]:
    if isinstance(event, MeasureCreated):
        return topics.measure_created, event.data.measure_id
    if isinstance(event, RegistryPublished):
        return topics.registry_published, "registry"
    if isinstance(event, AssignmentUpdated | AssignmentLightChanged):
        return ({AssignmentUpdated: topics.assignment_updated,
                 AssignmentLightChanged: topics.assignment_light_changed}[type(event)], event.data.key)
    if isinstance(event, AlertRaised | AlertCleared):
        return topics.for_alert_event(event.type), event.data.key
    return topics.for_loop_event(event.type), event.data.assignment_key


async def publish(publisher, topics, events) -> None:
    for event in events:
        topic, key = topic_and_key(topics, event)
        await publish_event(publisher, topic, event, key)


def loop_of(view: dict, lead: str, start: datetime) -> list:
    """The loop of one assignment, a day between steps: signed, requested (with evidence), returned by the lead
    unit, requested again, verified by the supervising office."""
    who = {k: view[k] for k in ("measure_id", "unit", "region_code")}
    day = [start + timedelta(days=n) for n in range(6)]
    return [
        AssignmentSigned(id="step-sign", source="test", time=day[0], data={**who, "by": "张三", "signed_at": day[0]}),
        CompletionRequested(id="step-request-1", source="test", time=day[1], data={
            **who, "by": "张三", "requested_at": day[1], "narrative": "制度已印发", "evidence": ["印发通知.docx"],
            "evidence_files": [FILE]}),
        CompletionReturned(id="step-return", source="test", time=day[2], data={
            **who, "by": "李四", "returned_at": day[2], "verifier": "lead_unit", "verifier_unit": lead,
            "reason": "佐证材料不全"}),
        CompletionRequested(id="step-request-2", source="test", time=day[3], data={
            **who, "by": "张三", "requested_at": day[3], "narrative": "补充执法记录"}),
        CompletionVerified(id="step-verify", source="test", time=day[5], data={
            **who, "by": "王五", "verified_at": day[5], "verifier": "supervising_office",
            "verifier_unit": "361000.office", "remark": "佐证齐全,同意销号"}),
    ]


async def test_the_loop_steps_reports_alerts_and_lights_of_an_item_become_its_timeline(settings_values, database,
                                                                                       publisher, topics):
    own = {**settings_values, "reporting_consumer_group": f"{settings_values['topic_prefix']}reporting"}
    view = next(v for v in CITY.views() if v["role"] == "responsible" and v["loop_state"] is None)
    lead = next(v["unit"] for v in CITY.views() if v["measure_id"] == view["measure_id"] and v["role"] == "lead")
    key, start = f"{view['measure_id']}|{view['unit']}", datetime.now(UTC) - timedelta(days=10)
    steps = loop_of(view, lead, start)
    notice = {"key": f"awaiting_verification|{key}|", "episode": "episode-1", "kind": "awaiting_verification",
              "severity": "warning", "measure_id": view["measure_id"], "unit": view["unit"],
              "unit_name": view["unit_name"], "region_code": view["region_code"],
              "reason": "办结申请等待核查已超过 5 个工作日", "figures": {}, "opened_at": start + timedelta(days=4),
              "as_of": TODAY.isoformat()}
    closed = start + timedelta(days=5)
    others = [
        AlertRaised(id="episode-1.raised", source="test", time=notice["opened_at"], data=notice),
        AlertCleared(id="episode-1.cleared", source="test", time=closed, data={**notice, "closed_at": closed}),
        AssignmentLightChanged(id=f"{key}#light-1", source="test", time=closed, data={
            **{k: view[k] for k in ("measure_id", "unit", "region_code")}, "light": "green", "previous": "yellow",
            "reasons": ["closed_out"], "judged_on": closed.date(), "changed_at": closed}),
        AssignmentUpdated(id=f"{key}#2", source="test", time=closed, data={
            **{k: view[k] for k in ("measure_id", "unit", "unit_name", "role", "region_code")}, "revision": 2,
            "status": "completed", "percent_complete": 100, "period": f"{TODAY.year}",
            "reported_at": start + timedelta(hours=12), "completed_at": start + timedelta(hours=12),
            "narrative": "已完成", "report_event_id": "report-1", "periods_reported": [f"{TODAY.year}"],
            "loop_state": "closed_out", "signed_at": start, "completion_requested_at": start + timedelta(days=3),
            "closed_out_at": closed, "returned_count": 1})]
    # The signing delivered again with other content: the first content is kept.
    again = AssignmentSigned(id="step-sign", source="test", time=start, data={
        **{k: view[k] for k in ("measure_id", "unit", "region_code")}, "by": "冒名者", "signed_at": start})

    async with running(create_app(ReportingSettings(**own, snapshot_max_age_seconds=0))) as http:
        await publish(publisher, topics, [*CITY.events(), *steps, *others, again])
        path = f"/v1/measures/{view['measure_id']}/units/{view['unit']}/timeline"

        async def complete():
            answer = await http.get(path)
            item = answer.json() if answer.status_code == 200 else {}
            types = [e["type"] for e in item.get("entries", ())]
            done = item.get("loop_state") == "closed_out" and types.count("completion-requested") == 2 and \
                "completion-verified" in types and "alert-cleared" in types and "light-changed" in types
            return item if done else None

        item = await eventually(complete, timeout=60)
        assert [e["type"] for e in item["entries"]] == [
            "assigned", "assignment-signed", "progress-reported", "completion-requested", "completion-returned",
            "completion-requested", "alert-raised", "completion-verified", "alert-cleared", "light-changed"]
        by_type = {}
        for entry in item["entries"]:
            by_type.setdefault(entry["type"], []).append(entry)
        assert by_type["assignment-signed"][0]["by"] == "张三"
        first = by_type["completion-requested"][0]
        assert first["narrative"] == "制度已印发" and first["evidence"] == ["印发通知.docx"]
        assert first["evidence_files"][0]["download_url"].endswith(f"/v1/evidence/{FILE['id']}")
        assert first["evidence_files"][0]["preview_url"].endswith("/preview")
        returned = by_type["completion-returned"][0]
        assert (returned["reason"], returned["verifier"], returned["verifier_unit"]) == (
            "佐证材料不全", "lead_unit", lead)
        assert returned["verifier_unit_name"] != lead  # named from the registry
        assert by_type["completion-verified"][0]["remark"] == "佐证齐全,同意销号"
        assert by_type["alert-raised"][0]["reason"] == "办结申请等待核查已超过 5 个工作日"
        assert (item["returned_count"], item["unit_name"], item["trail"][-1]["region_code"]) == (
            1, view["unit_name"], view["region_code"])

        assert (await http.get(f"/v1/measures/{view['measure_id']}/units/nobody/timeline")).status_code == 404

    rebuilt = f"{own['mongodb_database']}-rebuilt"
    try:
        result = await rebuild(ReportingSettings(**own), into=rebuilt)
        assert result.identical, "\n".join(report(result))
        assert sum(result.applied[topic] for topic in topics.loop()) == len(steps) + 1
        assert await database.client[rebuilt]["reporting_loop_events"].count_documents({}) == len(steps)
    finally:
        await database.client.drop_database(rebuilt)

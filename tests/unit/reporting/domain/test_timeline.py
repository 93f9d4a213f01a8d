"""An item's timeline assembled from what reporting keeps of one assignment: the measure's issue, the loop's steps with
who and what, the reports, the alerts raised and cleared, the urges sent by hand, the light's changes, in the order
they happened."""

from datetime import UTC, date, datetime

from services.reporting.domain.lights import LightChange
from services.reporting.domain.snapshot import Snapshot
from services.reporting.domain.timeline import entries, timeline

TODAY = date(2026, 11, 22)
REGIONS = {"361000": {"code": "361000", "name": "抚州市", "level": "city", "parent_code": None,
                      "units": [{"unit_id": "office", "name": "市委依法治市办"}]},
           "361002": {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000",
                      "units": [{"unit_id": "u", "name": "临川区司法局"}, {"unit_id": "lead", "name": "临川区政府办"}]}}
MEASURE = {"number": 3, "title": "推行行政执法三项制度", "deadlines": [], "targets": [], "lead_units": ["临川区政府办"],
           "published_at": datetime(2026, 1, 5, 1, tzinfo=UTC), "event_id": "measure-m1"}
FILE = {"id": "f1", "name": "制度文件.pdf", "sha256": "a" * 64, "content_type": "application/pdf", "size": 10}


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def step(event_id: str, kind: str, when: datetime, **data) -> dict:
    return {"_id": event_id, "type": kind, "measure_id": "m1", "unit": "u", "region_code": "361002", "at": when,
            "step": {"measure_id": "m1", "unit": "u", "region_code": "361002", **data}}


FOUND = {
    "loop_events": [
        step("s-verify", "completion-verified", at(12), by="王五", verifier="supervising_office",
             verifier_unit="office", remark="佐证齐全"),
        step("s-sign", "assignment-signed", at(2), by="张三"),
        step("s-req1", "completion-requested", at(5), by="张三", narrative="已建立制度", evidence=["制度.docx"],
             evidence_files=[FILE]),
        step("s-ret", "completion-returned", at(6), by="李四", verifier="lead_unit", verifier_unit="lead",
             reason="佐证材料不全"),
        step("s-req2", "completion-requested", at(10), by="张三", narrative="补充了执法记录", evidence=[],
             evidence_files=[]),
    ],
    "revisions": [{"_id": "r1", "measure_id": "m1", "unit": "u", "reported_at": at(3), "period": "2026-Q4",
                   "status": "in_progress", "percent_complete": 60.0, "narrative": "推进中", "evidence": [],
                   "evidence_files": [FILE]},
                  {"_id": "r0", "measure_id": "m1", "unit": "u", "reported_at": at(1), "period": "2026-Q4",
                   "status": "in_progress", "percent_complete": 10.0, "narrative": "误报", "evidence": [],
                   "evidence_files": [], "withdrawn": True, "withdrawn_by": "operator"}],
    "alert_episodes": [{"_id": "ep1", "key": "awaiting|m1|u", "kind": "awaiting_verification", "measure_id": "m1",
                        "unit": "u", "opened_at": at(8), "closed_at": at(12), "severity": "warning",
                        "reason": "办结申请已等待 5 个工作日"}],
    "open_alerts": [
        {"_id": "overdue|m1|u", "episode": "ep2", "kind": "overdue", "severity": "critical", "measure_id": "m1",
         "unit": "u", "opened_at": at(15), "alert": {"reason": "已逾期 3 天"}},
        # read open, then closed (the collections are read one after the other): once, closed
        {"_id": "awaiting|m1|u", "episode": "ep1", "kind": "awaiting_verification", "severity": "warning",
         "measure_id": "m1", "unit": "u", "opened_at": at(8), "alert": {"reason": "办结申请已等待 5 个工作日"}}],
    "light_changes": [{"_id": "m1|u#light-1", "measure_id": "m1", "unit": "u", "light": "yellow", "previous": None,
                       "reasons": ["awaiting_verification"], "judged_on": "2026-11-08", "changed_at": at(8)},
                      {"_id": "m1|u#light-2", "measure_id": "m1", "unit": "u", "light": "green", "previous": "yellow",
                       "reasons": ["closed_out"], "judged_on": "2026-11-12", "changed_at": at(12)}],
    # as storage/collections.py keeps assignment-urged: its data, `urged_at` an instant
    "urges": [{"_id": "ep2.urge-2026-11-16-b", "alert_key": "overdue|m1|u", "alert_kind": "overdue",
               "episode": "ep2", "measure_id": "m1", "unit": "u", "region_code": "361002", "by": None,
               "comment": None, "urged_at": at(16), "day": "2026-11-16", "queued": [], "already_notified": ["c1"]},
              {"_id": "ep2.urge-2026-11-15-a", "alert_key": "overdue|m1|u", "alert_kind": "overdue",
               "episode": "ep2", "measure_id": "m1", "unit": "u", "region_code": "361002", "by": "市依法治市办",
               "comment": "请本周内报送", "urged_at": at(15), "day": "2026-11-15", "queued": ["c1"],
               "already_notified": []}],
}


def test_every_step_report_alert_and_light_change_in_the_order_they_happened():
    made = entries(MEASURE, FOUND, {"office": "市委依法治市办", "lead": "临川区政府办"})
    assert [(e["type"], e["id"]) for e in made] == [
        ("assigned", "measure-m1"), ("progress-reported", "r0"), ("assignment-signed", "s-sign"),
        ("progress-reported", "r1"), ("completion-requested", "s-req1"), ("completion-returned", "s-ret"),
        ("alert-raised", "ep1.raised"), ("light-changed", "m1|u#light-1"), ("completion-requested", "s-req2"),
        # one instant: the verification, then the alert it closed, then the light it turned
        ("completion-verified", "s-verify"), ("alert-cleared", "ep1.cleared"), ("light-changed", "m1|u#light-2"),
        # one instant: the alert, then the urge of it
        ("alert-raised", "ep2.raised"), ("urged", "ep2.urge-2026-11-15-a"), ("urged", "ep2.urge-2026-11-16-b")]
    by_id = {e["id"]: e for e in made}
    assert by_id["s-sign"]["by"] == "张三" and by_id["s-sign"]["at"] == at(2)
    assert by_id["s-req1"]["narrative"] == "已建立制度" and by_id["s-req1"]["evidence"] == ["制度.docx"]
    assert by_id["s-req1"]["evidence_files"] == [FILE]
    assert (by_id["s-ret"]["reason"], by_id["s-ret"]["verifier"], by_id["s-ret"]["verifier_unit_name"]) == (
        "佐证材料不全", "lead_unit", "临川区政府办")
    assert (by_id["s-verify"]["remark"], by_id["s-verify"]["verifier_unit_name"]) == ("佐证齐全", "市委依法治市办")
    assert by_id["r0"]["withdrawn"] and by_id["r0"]["withdrawn_by"] == "operator" and not by_id["r1"]["withdrawn"]
    assert (by_id["ep1.raised"]["kind"], by_id["ep1.raised"]["reason"]) == ("awaiting_verification",
                                                                            "办结申请已等待 5 个工作日")
    assert (by_id["ep2.raised"]["severity"], by_id["ep2.raised"]["reason"]) == ("critical", "已逾期 3 天")
    assert (by_id["m1|u#light-2"]["light"], by_id["m1|u#light-2"]["previous"]) == ("green", "yellow")
    assert by_id["ep2.urge-2026-11-15-a"] == {
        "type": "urged", "id": "ep2.urge-2026-11-15-a", "at": at(15), "by": "市依法治市办", "comment": "请本周内报送",
        "kind": "overdue", "queued": ["c1"], "already_notified": []}
    assert (by_id["ep2.urge-2026-11-16-b"]["by"], by_id["ep2.urge-2026-11-16-b"]["comment"]) == (None, None)


def test_evidence_files_are_linked_and_a_verifier_the_registry_lacks_keeps_its_id():
    made = entries(MEASURE, FOUND, {}, link=lambda files: [{**f, "download_url": f"/e/{f['id']}"} for f in files])
    by_id = {e["id"]: e for e in made}
    assert by_id["s-req1"]["evidence_files"] == [{**FILE, "download_url": "/e/f1"}]
    assert by_id["r1"]["evidence_files"][0]["download_url"] == "/e/f1"
    assert by_id["s-req2"]["evidence_files"] == []
    assert by_id["s-verify"]["verifier_unit_name"] == "office"


def test_an_item_with_nothing_kept_but_its_state_has_its_issue_alone():
    assert entries(MEASURE, {}, {}) == [{"type": "assigned", "id": "measure-m1", "at": MEASURE["published_at"],
                                         "by": None}]
    assert entries({}, {}, {}) == []  # a measure reporting has not heard of: no issue time to show


def test_the_head_says_where_the_loop_stands_as_the_tracker_published_it_with_the_light_and_the_trail():
    view = {"measure_id": "m1", "unit": "u", "unit_name": "临川区司法局", "role": "responsible",
            "region_code": "361002", "status": "completed", "percent_complete": 100, "loop_state": "closed_out",
            "signed_at": at(2), "completion_requested_at": at(10), "closed_out_at": at(12), "returned_count": 1,
            "periods_reported": ["2026-Q4"], "reported_at": at(3), "completed_at": at(10)}
    lead = {**view, "unit": "lead", "unit_name": "临川区政府办", "role": "lead", "loop_state": "signed"}
    lit = [LightChange("m1|u#light-2", "m1", "u", "361002", "green", date(2026, 11, 12), at(12))]
    snapshot = Snapshot([view, lead], {"m1": MEASURE}, REGIONS, light_changes=lit)
    item = timeline(snapshot, view, FOUND, TODAY)
    assert (item["number"], item["title"], item["unit_name"], item["region_name"]) == (
        3, "推行行政执法三项制度", "临川区司法局", "临川区")
    assert (item["loop_state"], item["standing"], item["returned_count"], item["light"], item["as_of"]) == (
        "closed_out", "completed", 1, "green", "2026-11-22")
    # A report saying completed, its request waiting: awaiting verification, as the figures count it.
    waiting = {**view, "loop_state": "completion_requested", "closed_out_at": None}
    assert timeline(Snapshot([waiting], {"m1": MEASURE}, REGIONS), waiting, {}, TODAY)["standing"] == \
        "awaiting_verification"
    assert [r["name"] for r in item["trail"]] == ["抚州市", "临川区"]
    assert item["lead_units"] == [{"unit": "lead", "unit_name": "临川区政府办"}]
    assert item["closed_out_at"] == at(12) and len(item["entries"]) == 15

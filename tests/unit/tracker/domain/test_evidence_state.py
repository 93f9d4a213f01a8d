"""An assignment's evidence files on its published state: the current report's and those of every counted completion
request, each once; a state or report without files is, as JSON, what it was before the field existed."""

import hashlib
from datetime import UTC, datetime

from services.tracker.domain.assignments import Assignment
from services.tracker.domain.loop import loop_of, step_of
from services.tracker.domain.reports import content_digest
from services.tracker.domain.states import CurrentReport, next_state, state_of
from shared.contracts import (
    AssignmentSigned,
    CompletionRequested,
    CompletionReturned,
    ProgressReport,
    ProgressReported,
)
from shared.contracts.evidence import EvidenceReference

UNIT = "361002.government"
KEY = f"m-1|{UNIT}"
ASSIGNED = Assignment("m-1", UNIT, "临川区政府", "responsible", "361000", True)
AT = datetime(2026, 10, 1, 9, tzinfo=UTC)


def reference(name: str, digit: str) -> EvidenceReference:
    return EvidenceReference(id=f"id-{name}", name=name, sha256=digit * 64, content_type="application/pdf", size=3)


PHOTO, MINUTES, LEDGER = reference("照片.pdf", "a"), reference("纪要.pdf", "b"), reference("台账.pdf", "c")


def report(*files: EvidenceReference) -> ProgressReport:
    return ProgressReport(measure_id="m-1", unit=UNIT, region_code="361002", period="2026-Q3", percent_complete=100,
                          status="completed", reported_at=AT, evidence_files=list(files))


def request(hour: int, *files: EvidenceReference) -> CompletionRequested:
    return CompletionRequested.wrap({"measure_id": "m-1", "unit": UNIT, "region_code": "361002", "by": "张三",
                                     "requested_at": AT.replace(hour=hour), "narrative": "已完成",
                                     "evidence_files": [f.model_dump() for f in files]}, source="/t")


def signed() -> AssignmentSigned:
    return AssignmentSigned.wrap({"measure_id": "m-1", "unit": UNIT, "region_code": "361002", "by": "张三",
                                  "signed_at": AT}, source="/t")


def requested(*files: EvidenceReference):
    return loop_of([step_of(step) for step in (signed(), request(10, *files))], UNIT, ["361000.sfj"])


def test_the_state_lists_the_reports_files_then_the_requests_each_once():
    state = state_of(KEY, ASSIGNED, CurrentReport(report(PHOTO, MINUTES), "e1"), ["2026-Q3"],
                     requested(MINUTES, LEDGER))
    assert [file["name"] for file in state["evidence_files"]] == ["照片.pdf", "纪要.pdf", "台账.pdf"]
    assert state["evidence_files"][0] == PHOTO.model_dump(mode="json")


def test_a_request_before_any_report_brings_its_files():
    state = state_of(KEY, ASSIGNED, None, [], requested(LEDGER))
    assert [file["id"] for file in state["evidence_files"]] == ["id-台账.pdf"]


def test_a_state_or_report_without_files_is_what_it_was_before_the_field_existed():
    state = state_of(KEY, ASSIGNED, CurrentReport(report(), "e1"), ["2026-Q3"])
    assert "evidence_files" not in state  # a stored state compares equal, nothing is published again for it
    assert next_state(state, ASSIGNED, CurrentReport(report(), "e1"), ["2026-Q3"], key=KEY) is None
    changed = next_state(state, ASSIGNED, CurrentReport(report(PHOTO), "e1"), ["2026-Q3"], key=KEY)
    assert changed["evidence_files"] == [PHOTO.model_dump(mode="json")]
    event = ProgressReported.wrap(report(), source="/t", event_id="e1")
    assert '"evidence_files"' not in event.model_dump_json()  # consumers built before it still read it
    assert content_digest(event) == hashlib.sha256(event.data.model_dump_json().encode()).hexdigest()
    with_files = ProgressReported.wrap(report(PHOTO), source="/t", event_id="e1")
    assert content_digest(with_files) != content_digest(event)


def test_a_returned_requests_files_stay_when_the_next_request_cites_none_or_others():
    returned = CompletionReturned.wrap({"measure_id": "m-1", "unit": UNIT, "region_code": "361002", "by": "李四",
                                        "verifier": "lead_unit", "verifier_unit": "361000.sfj",
                                        "returned_at": AT.replace(hour=11), "reason": "材料不全"}, source="/t")
    again = [signed(), request(10, MINUTES, LEDGER), returned, request(12)]
    loop = loop_of([step_of(step) for step in again], UNIT, ["361000.sfj"])
    assert [file["name"] for file in state_of(KEY, ASSIGNED, None, [], loop)["evidence_files"]] == [
        "纪要.pdf", "台账.pdf"]
    supplemented = loop_of([step_of(step) for step in [*again[:3], request(12, PHOTO, LEDGER)]], UNIT,
                           ["361000.sfj"])
    assert [file["name"] for file in state_of(KEY, ASSIGNED, None, [], supplemented)["evidence_files"]] == [
        "纪要.pdf", "台账.pdf", "照片.pdf"]

"""Figures as of past days, rebuilt from the reports reporting keeps as revisions, in the real database; a withdrawn
report leaves the history."""

from datetime import UTC, date, datetime

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.record import record
from shared.contracts import AssignmentUpdated, ProgressWithdrawn
from tests.support.apps import running
from tests.support.cities import record_city
from tests.unit.reporting.generated import generate_city

CITY = generate_city(townships=4, measures=3, assignments=60, departments=(2, 1, 1), seed=3, today=date(2026, 11, 22))
FIRST, SECOND = CITY.assignments[0], CITY.assignments[1]


def revision(event_id: str, assignment: dict, number: int, day: date, percent: float, status: str,
             periods: list[str], evidence_files: tuple[dict, ...] = ()) -> AssignmentUpdated:
    """The tracker's assignment-updated when report `event_id` became the assignment's current one."""
    at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    key = assignment["_id"]
    return AssignmentUpdated(id=f"{key}#{number}", source="test", time=at, data={
        **{name: assignment[name] for name in ("measure_id", "unit", "unit_name", "role", "region_code")},
        "revision": number, "status": status, "percent_complete": percent, "period": f"{day.year}",
        "reported_at": at, "completed_at": at if status == "completed" else None, "report_event_id": event_id,
        "periods_reported": periods, "narrative": f"{event_id}的进展", "evidence_files": list(evidence_files),
        # A completion is requested with its report and verified (closed out) the same day.
        **({"loop_state": "closed_out", "completion_requested_at": at, "closed_out_at": at}
           if status == "completed" else {"loop_state": "in_progress"})})


HISTORY = [
    revision("e1", FIRST, 2, date(2026, 3, 10), 30, "in_progress", ["2026"]),
    revision("e2", FIRST, 3, date(2026, 9, 10), 100, "completed", ["2026"]),
    revision("e3", SECOND, 2, date(2026, 9, 12), 50, "in_progress", ["2026"]),
]


@pytest.fixture
async def store(database):
    await record_city(database, CITY, reports=[])  # every assignment assigned, none reported yet
    store = ReportingStore(database)
    await record(store, HISTORY)
    return store


@pytest.fixture
async def reporting(settings_values, store):
    settings = ReportingSettings(**settings_values, snapshot_max_age_seconds=0, history_max_age_seconds=0,
                                 evidence_url="https://intake.example.gov.cn/")
    async with running(create_app(settings)) as client:
        yield client


async def test_figures_as_of_a_past_day_are_the_state_as_it_stood_then(reporting):
    march = (await reporting.get("/v1/reports/regions/361000/as-of/2026-03-31")).json()
    september = (await reporting.get("/v1/reports/regions/361000/as-of/2026-09-30")).json()

    assert (march["completed"], march["in_progress"], march["assignments"]) == (0, 1, len(CITY.assignments))
    assert (september["completed"], september["in_progress"]) == (1, 1)


async def test_the_monthly_series_follows_the_reports_month_by_month(reporting):
    answer = (await reporting.get("/v1/reports/regions/361000/history",
                                  params={"since": "2026-01-01", "as_of": "2026-10-15"})).json()
    series = [(point["as_of"], point["completed"], point["in_progress"]) for point in answer["series"]]
    assert [day for day, _, _ in series] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
        "2026-08-31", "2026-09-30", "2026-10-15"]
    assert [(completed, in_progress) for _, completed, in_progress in series] == [
        (0, 0), (0, 0), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (1, 1), (1, 1)]


async def test_a_withdrawn_report_leaves_the_history_and_the_measures_reports(store, reporting):
    withdrawal = ProgressWithdrawn(id="w-e2", source="test", time=datetime(2026, 10, 1, tzinfo=UTC), data={
        "event_id": "e2", "measure_id": FIRST["measure_id"], "unit": FIRST["unit"],
        "region_code": FIRST["region_code"], "period": "2026", "reason": "误报", "by": "operator"})
    # The tracker makes e1 current again, in a new revision, and withdraws e2.
    await record(store, [withdrawal, revision("e1", FIRST, 4, date(2026, 3, 10), 30, "in_progress", ["2026"])])
    september = (await reporting.get("/v1/reports/regions/361000/as-of/2026-09-30")).json()
    assert (september["completed"], september["in_progress"]) == (0, 2)
    today = (await reporting.get("/v1/reports/regions/361000")).json()
    assert (today["completed"], today["in_progress"]) == (0, 2)
    detail = (await reporting.get(f"/v1/reports/measures/{FIRST['measure_id']}",
                                  params={"region_code": "361000"})).json()
    narratives = [row["narrative"] for row in detail["history"] if row["unit"] == FIRST["unit"]]
    assert narratives == ["e1的进展"]
    stored = await store.revisions.find_one({"_id": "e2"})
    assert stored["withdrawn"] is True and stored["status"] == "completed"  # kept, marked, not counted


async def test_the_measure_lists_each_assignments_evidence_files_with_download_and_preview_links(store, reporting):
    photo = {"id": "66aa", "name": "出庭照片.jpg", "sha256": "a" * 64, "content_type": "image/jpeg", "size": 5}
    ledger = {"id": "66bb", "name": "台账.xlsx", "sha256": "b" * 64, "size": 9,
              "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    await record(store, [revision("e4", SECOND, 3, date(2026, 10, 12), 80, "in_progress", ["2026"],
                                  evidence_files=(photo, ledger))])
    detail = (await reporting.get(f"/v1/reports/measures/{SECOND['measure_id']}",
                                  params={"region_code": "361000"})).json()
    [row] = [row for row in detail["rows"] if row["unit"] == SECOND["unit"]]
    assert row["evidence_files"] == [
        {**photo, "download_url": "https://intake.example.gov.cn/v1/evidence/66aa",
         "preview_url": "https://intake.example.gov.cn/v1/evidence/66aa/preview"},
        {**ledger, "download_url": "https://intake.example.gov.cn/v1/evidence/66bb", "preview_url": None}]
    [report] = [r for r in detail["history"] if r["unit"] == SECOND["unit"] and r["narrative"] == "e4的进展"]
    assert [file["name"] for file in report["evidence_files"]] == ["出庭照片.jpg", "台账.xlsx"]
    others = [row for row in detail["rows"] if row["unit"] != SECOND["unit"]]
    assert all(row["evidence_files"] == [] for row in others)
    annual = (await reporting.get("/v1/reports/annual", params={"region_code": "361000", "year": 2026})).json()
    [measure] = [m for m in annual["measures"] if m["measure_id"] == SECOND["measure_id"]]
    assert measure["evidence_files"] == sorted([photo, ledger], key=lambda file: file["name"])

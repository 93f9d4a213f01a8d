from datetime import UTC, datetime

from services.tracker.domain.reports import ReportVersion, completed_at
from shared.contracts import ProgressReport

EARLY, LATE = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 2, tzinfo=UTC)


def test_the_later_report_supersedes_whatever_order_it_arrives_in():
    assert ReportVersion(LATE, "a").supersedes(ReportVersion(EARLY, "z"))
    assert not ReportVersion(EARLY, "z").supersedes(ReportVersion(LATE, "a"))


def test_reports_at_the_same_instant_are_ordered_by_event_id_so_every_replay_agrees():
    assert ReportVersion(EARLY, "b").supersedes(ReportVersion(EARLY, "a"))
    assert not ReportVersion(EARLY, "a").supersedes(ReportVersion(EARLY, "b"))


def test_a_report_does_not_supersede_itself_so_redelivery_changes_nothing():
    assert not ReportVersion(EARLY, "a").supersedes(ReportVersion(EARLY, "a"))
    assert ReportVersion(EARLY, "a").supersedes(None)


def test_the_completion_date_is_the_time_the_unit_reported_completion():
    report = dict(measure_id="m1", unit="u", region_code="361002", period="2026", percent_complete=100,
                  reported_at=LATE)
    assert completed_at(ProgressReport(status="completed", **report)) == LATE
    assert completed_at(ProgressReport(status="in_progress", **report)) is None

from datetime import UTC, datetime

from services.tracker.domain.reports import completed_at, newest_per_key
from services.tracker.domain.versions import Version
from shared.contracts import ProgressReport, ProgressReported

EARLY, LATE = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 2, tzinfo=UTC)


def test_the_later_report_supersedes_whatever_order_it_arrives_in():
    assert Version(LATE, "a").supersedes(Version(EARLY, "z"))
    assert not Version(EARLY, "z").supersedes(Version(LATE, "a"))


def test_reports_at_the_same_instant_are_ordered_by_event_id_so_every_replay_agrees():
    assert Version(EARLY, "b").supersedes(Version(EARLY, "a"))
    assert not Version(EARLY, "a").supersedes(Version(EARLY, "b"))


def test_a_report_does_not_supersede_itself_so_redelivery_changes_nothing():
    assert not Version(EARLY, "a").supersedes(Version(EARLY, "a"))
    assert Version(EARLY, "a").supersedes(None)


def test_the_completion_date_is_the_time_the_unit_reported_completion():
    report = dict(measure_id="m1", unit="u", region_code="361002", period="2026", percent_complete=100,
                  reported_at=LATE)
    assert completed_at(ProgressReport(status="completed", **report)) == LATE
    assert completed_at(ProgressReport(status="in_progress", **report)) is None


def test_newest_per_key_keeps_the_latest_report_of_each_key_whatever_the_order():
    def event(unit: str, at: datetime) -> ProgressReported:
        report = ProgressReport(measure_id="m1", unit=unit, region_code="361002", period="2026",
                                percent_complete=1, status="in_progress", reported_at=at)
        return ProgressReported.wrap(report, source="/test")

    a_early, a_late, b_only = event("a", EARLY), event("a", LATE), event("b", EARLY)
    for order in ([a_early, a_late, b_only], [b_only, a_late, a_early]):
        newest = newest_per_key(order, lambda r: r.assignment_key)
        assert newest == {"m1|a": a_late, "m1|b": b_only}

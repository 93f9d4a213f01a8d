"""The simulated district traffic: month-end peaks, late, missing, duplicate and bad reports, reproducibly."""

from collections import Counter
from datetime import date, datetime

import pytest
from pydantic import ValidationError

from deploy.demo.simulation import Shares, month_end, simulate
from services.tracker.domain.assignments import Assignment
from shared.contracts import ProgressReport
from shared.domain.calendar import CHINA

ASSIGNMENTS = [Assignment(f"fuzhou-2022-{m}", f"unit-{u}", f"unit {u}", "responsible", "361002", True)
               for m in range(1, 11) for u in range(40)]
FIRST, UNTIL = date(2026, 7, 1), datetime(2026, 10, 31, 12, tzinfo=CHINA)
NONE = Shares(missing=0, late=0, duplicate=0, bad=0)


def test_every_unit_reports_each_month_once_and_most_in_its_last_three_days():
    traffic = simulate(ASSIGNMENTS, FIRST, UNTIL, NONE)

    per_month = Counter((s.report["measure_id"], s.report["unit"], s.report["period"]) for s in traffic)
    assert set(per_month.values()) == {1}
    assert {period for _, _, period in per_month} == {"2026-07", "2026-08", "2026-09", "2026-10"}
    days = [datetime.fromisoformat(s.report["reported_at"]).date() for s in traffic]
    peak = sum((month_end(day) - day).days <= 2 for day in days)
    assert peak / len(days) > 0.6
    assert all(s.at <= UNTIL for s in traffic) and [s.at for s in traffic] == sorted(s.at for s in traffic)
    assert all(ProgressReport.model_validate(s.report) for s in traffic)


def test_missing_units_never_report_and_late_ones_report_their_month_after_it_ends():
    traffic = simulate(ASSIGNMENTS, FIRST, UNTIL, Shares(missing=0.25, late=0.25, duplicate=0, bad=0))

    reporting = {s.report["unit"] for s in traffic}
    assert 20 <= len(reporting) <= 36  # of 40 units, about a quarter missing
    late = [s for s in traffic if datetime.fromisoformat(s.report["reported_at"]).strftime("%Y-%m")
            != s.report["period"]]
    assert late and all(datetime.fromisoformat(s.report["reported_at"]).day <= 5 for s in late)


def test_duplicates_repeat_a_report_and_bad_records_are_ones_intake_refuses():
    traffic = simulate(ASSIGNMENTS, FIRST, UNTIL, Shares(missing=0, late=0, duplicate=0.1, bad=0.05))

    kinds = Counter(s.kind for s in traffic)
    assert kinds["duplicate"] > 0 and kinds["bad"] > 0
    reports = [s.report for s in traffic if s.kind == "report"]
    assert all(s.report in reports for s in traffic if s.kind == "duplicate")
    known = {a.measure_id for a in ASSIGNMENTS}
    for bad in (s.report for s in traffic if s.kind == "bad"):
        if bad["measure_id"] in known:  # else refused by admission: no such measure
            with pytest.raises(ValidationError):
                ProgressReport.model_validate(bad)


def test_the_same_seed_sends_the_same_traffic():
    assert simulate(ASSIGNMENTS, FIRST, UNTIL, seed=3) == simulate(ASSIGNMENTS, FIRST, UNTIL, seed=3)
    assert simulate(ASSIGNMENTS, FIRST, UNTIL, seed=3) != simulate(ASSIGNMENTS, FIRST, UNTIL, seed=4)

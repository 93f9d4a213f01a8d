"""What every rebuild prints (shared/rebuilding.py report_lines) and how its skipped records are counted."""

from collections import Counter

from services.alerts.usecases.rebuild import OWN
from services.alerts.usecases.rebuild import report as alerts_report
from services.reporting.usecases.rebuild import report as reporting_report
from shared.rebuilding import CollectionDifference, Rebuild, Skipped, report_lines


def test_skipped_records_are_counted_per_topic_and_by_reason():
    result = Rebuild("duban_alerts", "x", read=Counter({"a": 3, "b": 1}), applied=Counter({"a": 1, "b": 1}),
                     skipped=[Skipped("a", 0, 1, "contract violation (X): …"), Skipped("a", 0, 2, "unreadable: y")])
    assert (result.skipped_in("a"), result.skipped_in("b")) == (2, 0)
    lines = report_lines(result, "inputs")
    assert "  a: 3 records read, 1 applied" in lines
    assert "  skipped (the live consumer dead-letters these): 2 (1 contract violation (X), 1 unreadable)" in lines
    assert result.identical is None and not any(line.startswith(("IDENTICAL", "DIFFERENT")) for line in lines)


def test_each_service_says_how_to_serve_its_rebuilt_database():
    same = Rebuild("duban_reporting", "r", comparison=[CollectionDifference("reporting_measures", 2, 2)])
    lines = reporting_report(same)
    assert "IDENTICAL: the rebuilt collections equal the live ones" in lines
    assert lines[-1].endswith("start reporting with DUBAN_MONGODB_DATABASE=r.")
    differing = Rebuild("duban_alerts", "a", comparison=[CollectionDifference("alerts_measures", 2, 1, missing=["m"])])
    lines = alerts_report(differing)
    assert "DIFFERENT: the rebuilt inputs do not equal the live ones (the keys above)" in lines
    assert "    only live (1): m" in lines and all(name in lines[-1] for name in OWN)

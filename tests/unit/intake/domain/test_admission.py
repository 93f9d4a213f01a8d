"""Intake's admission rules for a report beyond its contract: the window, the measure, the unit (pure)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain.admission import refusals, unit_in_region
from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from shared.contracts import Measure, ProgressReport
from tests.support.samples import REPORT

REGISTRY = load_registry(DEMO_REGISTRY)


@pytest.mark.parametrize(("unit", "region_code", "known"), [
    ("361002.government", "361002", True),  # by id
    ("临川区政府", "361002", True),  # by name
    ("临川区人民政府", "361002", True),  # by alias
    ("临川区政府", "361000", True),  # a unit below the report's region
    ("临川区政付", "361002", False),  # a typo
    ("东乡区政府", "361002", False),  # another region's unit
    ("361003.government", "361002", False),  # another region's unit, by id
    ("临川区政府", "999999", False),  # a region the registry lacks
    ("各县(区)政府", "361000", False),  # many units, not one
])
def test_a_unit_is_known_when_it_names_exactly_one_registry_unit_of_its_region(unit, region_code, known):
    assert unit_in_region(REGISTRY, unit, region_code) is known


def measure_starting(start: date | None) -> Measure:
    return Measure(measure_id=REPORT["measure_id"], plan_id="p", region_code="361000", number=17,
                   title="t", start_date=start)


def test_a_report_is_judged_against_its_measures_start_and_now_plus_the_skew():
    now = datetime.now(UTC)
    measure = measure_starting(date(2026, 1, 1))
    skew = timedelta(minutes=10)
    ok = ProgressReport(**{**REPORT, "reported_at": now.isoformat(), "period": str(now.year)})
    assert refusals(ok, measure, REGISTRY, skew) == []
    too_early = ok.model_copy(update={"reported_at": datetime(2025, 12, 31, tzinfo=UTC), "period": "2025"})
    assert [e["field"] for e in refusals(too_early, measure, REGISTRY, skew)] == ["reported_at", "period"]
    too_late = ok.model_copy(update={"reported_at": now + timedelta(minutes=11)})
    assert [e["code"] for e in refusals(too_late, measure, None, skew)] == ["outside-window"]


def test_an_unknown_measure_is_admitted_while_intake_cannot_tell_and_a_phantom_unit_is_not():
    now = datetime.now(UTC).isoformat()
    unknown_measure = ProgressReport(**{**REPORT, "measure_id": "not-read-yet", "reported_at": now, "period": "2026"})
    assert refusals(unknown_measure, None, None, timedelta(minutes=10)) == []
    assert [e["code"] for e in refusals(unknown_measure, False, None, timedelta(minutes=10))] == ["unknown-measure"]
    phantom = unknown_measure.model_copy(update={"unit": "临川区政付"})
    assert [e["code"] for e in refusals(phantom, None, REGISTRY, timedelta(minutes=10))] == ["unknown-unit"]


def measure_of(*lead_units: str) -> Measure:
    return Measure(measure_id=REPORT["measure_id"], plan_id="p", region_code="361000", number=17,
                   title="t", lead_units=list(lead_units))


def test_a_registry_unit_the_measure_does_not_assign_is_refused_naming_the_assigned_units():
    report = ProgressReport(**{**REPORT, "unit": "361002.justice", "reported_at": datetime.now(UTC).isoformat(),
                               "period": "2026"})
    errors = refusals(report, measure_of("临川区政府"), REGISTRY, timedelta(minutes=10))
    assert [(e["code"], e["assigned_units"]) for e in errors] == [("unit-not-assigned", ["361002.government"])]
    assert refusals(report.model_copy(update={"unit": "临川区人民政府"}), measure_of("临川区政府"), REGISTRY,
                    timedelta(minutes=10)) == []


@pytest.mark.parametrize("lead_units", [("临川区政府", "临川区不存在局"), ()])
def test_the_unit_is_admitted_when_intake_cannot_resolve_every_unit_of_the_measure(lead_units):
    report = ProgressReport(**{**REPORT, "unit": "361002.justice", "reported_at": datetime.now(UTC).isoformat(),
                               "period": "2026"})
    assert refusals(report, measure_of(*lead_units), REGISTRY, timedelta(minutes=10)) == []


def test_a_measures_units_are_expanded_once_for_every_report_until_the_measure_or_the_registry_changes(expansions):
    report = ProgressReport(**{**REPORT, "reported_at": datetime.now(UTC).isoformat(), "period": "2026"})
    measure, skew = measure_of("临川区政府", "东乡区政府"), timedelta(minutes=10)
    for _ in range(50):
        assert refusals(report, measure, REGISTRY, skew) == []
    assert expansions == [REPORT["measure_id"]]

    republished = measure_of("东乡区政府")  # measure-created again: the catalogue holds a new object
    assert [e["code"] for e in refusals(report, republished, REGISTRY, skew)] == ["unit-not-assigned"]
    newer = REGISTRY.model_copy()  # a registry published anew
    assert refusals(report, measure, newer, skew) == [] and refusals(report, measure, newer, skew) == []
    assert len(expansions) == 3

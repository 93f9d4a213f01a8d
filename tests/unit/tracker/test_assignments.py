from services.tracker.domain.assignments import assignments_for
from shared.contracts import Measure


def measure(**fields) -> Measure:
    return Measure(measure_id="m1", plan_id="p1", region_code="361000", number=1, title="t", **fields)


def test_each_unit_gets_one_assignment_and_lead_units_keep_their_role():
    assignments = assignments_for(
        measure(lead_units=["市司法局", "市法院"], responsible_units=["市司法局", "临川区政府"]))
    assert [(a.unit, a.role) for a in assignments] == [
        ("市司法局", "lead"), ("市法院", "lead"), ("临川区政府", "responsible")]
    assert {a.key for a in assignments} == {"m1|市司法局", "m1|市法院", "m1|临川区政府"}


def test_a_measure_without_units_creates_no_assignment():
    assert assignments_for(measure()) == []

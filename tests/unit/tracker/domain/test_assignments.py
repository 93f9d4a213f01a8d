from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.tracker.domain.assignments import UnitLookup, assignments_for
from shared.contracts import Measure

REGISTRY = load_registry(DEMO_REGISTRY)


def measure(**fields) -> Measure:
    return Measure(measure_id="m1", plan_id="p1", region_code="361000", number=1, title="t", **fields)


def test_without_a_registry_each_name_is_an_unresolved_assignment_and_lead_units_keep_their_role():
    assignments, unresolved = assignments_for(
        measure(lead_units=["市司法局", "市法院"], responsible_units=["市司法局", "临川区政府"]))
    assert [(a.unit, a.role, a.resolved) for a in assignments] == [
        ("市司法局", "lead", False), ("市法院", "lead", False), ("临川区政府", "responsible", False)]
    assert unresolved == ["市司法局", "市法院", "临川区政府"]


def test_with_the_registry_names_become_units_in_their_own_regions_and_collectives_expand():
    assignments, unresolved = assignments_for(
        measure(lead_units=["市司法局"], responsible_units=["各县(区)政府", "立法项目起草部门"]), UnitLookup(REGISTRY))
    by_unit = {a.unit: a for a in assignments}
    assert (by_unit["361000.justice"].role, by_unit["361000.justice"].region_code) == ("lead", "361000")
    counties = [a for a in assignments if a.role == "responsible" and a.resolved]
    assert len(counties) == 11 and {a.region_code for a in counties} == {
        "361002", "361003", "361021", "361022", "361023", "361024", "361025", "361026", "361027", "361028", "361030"}
    assert unresolved == ["立法项目起草部门"]
    assert by_unit["立法项目起草部门"].resolved is False


def test_an_operators_mapping_resolves_a_name_the_registry_does_not_know():
    lookup = UnitLookup(REGISTRY, {"立法项目起草部门": ["361000.justice", "361000.office"]})
    assignments, unresolved = assignments_for(measure(lead_units=["立法项目起草部门"]), lookup)
    assert [a.unit for a in assignments] == ["361000.justice", "361000.office"] and unresolved == []


def test_a_report_names_its_unit_by_id_name_or_alias():
    lookup = UnitLookup(REGISTRY)
    assert lookup.reporting_unit("临川区人民政府", "361002") == lookup.reporting_unit("361002.government", "361002")
    assert lookup.reporting_unit("某某不存在局", "361002") == "某某不存在局"


def test_a_unit_named_as_who_acts_must_be_in_the_registry_and_in_the_callers_region():
    lookup = UnitLookup(REGISTRY, {"立法项目起草部门": ["361000.justice"]})
    for known in ("361000.justice", "市司法局", "抚州市司法局", "立法项目起草部门"):  # id, name, alias, mapped name
        assert lookup.unit_refusal(known) is None and lookup.unit_refusal(known, "361000") is None
    assert lookup.unit_refusal("市司法具") == "单位 '市司法具' 不在单位名录中：请填写名录中的单位名称或编号"
    assert lookup.unit_refusal("临川区司法局", "361002") is None
    assert lookup.unit_refusal("临川区司法局", "361000") is None  # the city acts for its counties
    assert lookup.unit_refusal("市司法局", "361002") == "单位 '市司法局' 属于区划 361000，不在区划 361002 及其下级"
    assert "属于区划 361002，不在区划 361003" in lookup.unit_refusal("361002.justice", "361003")
    # Without a registry there is nothing to know units by: every name may act.
    assert UnitLookup().unit_refusal("市司法具", "361002") is None

import pytest

from services.intake.domain.plans.measures import plan_measures
from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from shared.contracts import Measure, Registry
from shared.domain.resolution import Directory, expand_measure, resolve_unit
from tests.unit.intake.domain.plans.plan_test_helpers import sample_text

REGISTRY = load_registry(DEMO_REGISTRY)
DIRECTORY = Directory(REGISTRY)
COUNTIES = ["361002", "361003", "361021", "361022", "361023", "361024", "361025", "361026", "361027", "361028",
            "361030"]


def resolved(name: str, region_code: str = "361000") -> list[str]:
    return resolve_unit(name, region_code, REGISTRY)


@pytest.mark.parametrize(("name", "unit_id"), [
    ("市司法局", "361000.justice"),
    ("市市场监督管理局", "361000.market-regulation"),  # an alias
    ("临川区政府", "361002.government"),
    ("临川区人民政府", "361002.government"),
    ("抚州高新区管委会", "361071.government"),
    ("东临新区管委会", "361072.government"),
    ("临川演示镇政府", "361002901.government"),  # a township below the city
    ("市中级人民法院", "361000.court"),  # an organ, by its alias
])
def test_a_name_or_alias_in_the_issuing_regions_subtree_is_its_unit(name, unit_id):
    assert resolved(name) == [unit_id]


def test_names_relative_to_the_issuing_region_mean_its_own_units():
    assert resolved("区司法局", "361002") == resolved("司法局", "361002") == ["361002.justice"]
    assert resolved("区政府办", "361002") == ["361002.office"]
    assert resolved("县司法局", "361021") == ["361021.justice"]
    assert resolved("县司法局", "361002") == []  # 临川 is a 区: its plans do not say 县
    assert resolved("司法局") == ["361000.justice"]


def test_county_governments_collectively_are_the_gbt_counties_and_not_the_zones():
    expected = [f"{code}.government" for code in COUNTIES]
    for name in ("各县(区)政府", "各县(区)人民政府", "各县（区）政府", "县(区)政府", "各县区政府"):
        assert resolved(name) == expected, name


def test_townships_collectively_are_every_township_government_below_the_issuing_region():
    city_wide = resolved("乡(镇、街道)")
    assert len(city_wide) == 23 and all(len(unit_id.split(".")[0]) == 9 for unit_id in city_wide)
    assert resolved("各镇(街)", "361002") == ["361002901.government", "361002902.government", "361002903.government"]
    assert resolved("各乡镇人民政府", "361003") == ["361003901.government", "361003902.government"]


def test_city_departments_collectively_are_its_government_departments_without_organs():
    departments = resolved("市直有关部门")
    assert departments == resolved("市直各单位") == resolved("市政府各部门") == resolved("市政府相关部门")
    assert "361000.justice" in departments and "361000.office" in departments
    assert "361000.court" not in departments and "361000.party-organisation" not in departments
    assert "361000.government" not in departments and not any(d.startswith("361002") for d in departments)
    assert resolved("区直有关单位", "361002") == [u.unit_id for u in REGISTRY.region("361002").units
                                               if u.kind == "department"]


@pytest.mark.parametrize(("name", "region_code"), [
    ("市司法局", "361002"),  # the city is above a county's plan
    ("市直有关部门", "361002"),
    ("东乡区司法局", "361002"),  # a sibling county
    ("立法项目起草部门", "361000"),
    ("各执法单位", "361000"),
    ("市司法局", "999999"),  # an issuing region the registry does not know
])
def test_what_lies_outside_the_issuing_regions_subtree_or_the_registry_is_unresolved(name, region_code):
    assert resolved(name, region_code) == []


def test_a_measure_expands_to_units_with_roles_lead_first_and_keeps_unknown_names():
    measure = Measure(measure_id="m1", plan_id="p", region_code="361000", number=1, title="t",
                      lead_units=["市司法局", "市委组织部"],
                      responsible_units=["市司法局", "各县(区)政府", "抚州高新区管委会", "立法项目起草部门"])
    units, unresolved = expand_measure(measure, REGISTRY)
    assert units[:2] == [("361000.justice", "lead"), ("361000.party-organisation", "lead")]
    assert [unit_id for unit_id, _ in units[2:]] == [f"{code}.government" for code in [*COUNTIES, "361071"]]
    assert {role for _, role in units[2:]} == {"responsible"}
    assert unresolved == ["立法项目起草部门"]


def test_a_name_in_several_regions_of_the_subtree_means_the_issuing_regions_own():
    twin = REGISTRY.model_dump()
    twin["regions"][1]["units"].append({"unit_id": "361002.twin", "name": "市司法局", "kind": "department"})
    directory = Directory(Registry.model_validate(twin))
    assert directory.resolve("市司法局", "361000") == ["361000.justice"]
    assert directory.resolve("市司法局", "361002") == ["361002.twin"]


def test_the_fuzhou_plan_resolves_but_for_one_name_into_875_assignments():
    measures = plan_measures(parse_plan(sample_text("fuzhou-city-2022")), "fuzhou-2022", "361000")
    expansions = [DIRECTORY.expand(measure) for measure in measures]
    names = {name for m in measures for name in [*m.lead_units, *m.responsible_units]}
    unresolved = {(m.measure_id, name) for m, e in zip(measures, expansions, strict=True) for name in e.unresolved}
    assert len(names) == 34
    assert unresolved == {("fuzhou-2022-5", "立法项目起草部门")}  # a role, not a body: mapped by hand later
    assert sum(len(e.units) for e in expansions) == 875
    # measure 1: 35 units, as the plan's lists name them and the collectives expand
    assert len(expansions[0].units) == 35 and ("361000.party-establishment", "lead") in expansions[0].units

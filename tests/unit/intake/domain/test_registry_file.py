import pytest
from pydantic import ValidationError

from services.intake.domain.registry_file import DEMO_REGISTRY, RegistryFileError, load_registry, parse_registry
from shared.contracts import Registry, RegistryPublished, Topics

CITY = {"code": "361000", "name": "抚州市", "level": "city",
        "units": [{"unit_id": "361000.justice", "name": "市司法局", "kind": "department"}]}
COUNTY = {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000",
          "units": [{"unit_id": "361002.government", "name": "临川区政府", "kind": "government",
                     "aliases": ["临川区人民政府"]}]}
TOWNSHIP = {"code": "361002901", "name": "临川演示镇", "level": "township", "parent_code": "361002",
            "synthetic": True}


def refusal(*regions) -> str:
    with pytest.raises(ValidationError) as refused:
        Registry.model_validate({"regions": list(regions)})
    return str(refused.value)


def test_a_city_its_county_and_a_township_make_a_registry():
    registry = Registry.model_validate({"regions": [CITY, COUNTY, TOWNSHIP]})
    assert registry.region("361002").government.names == ["临川区政府", "临川区人民政府"]
    assert registry.region("361002901").synthetic and registry.region("361000").gbt


def test_codes_and_unit_ids_are_unique():
    assert "region code 361000 appears twice" in refusal(CITY, CITY)
    twin = {**COUNTY, "units": [{**COUNTY["units"][0], "unit_id": "361000.justice"}]}
    assert "unit id 361000.justice appears twice" in refusal(CITY, twin)


def test_a_name_means_one_unit_within_its_region():
    units = [*COUNTY["units"], {"unit_id": "361002.other", "name": "临川区人民政府", "kind": "department"}]
    assert "unit name 临川区人民政府 appears twice in region 361002" in refusal(CITY, {**COUNTY, "units": units})


def test_parents_exist_and_sit_one_level_up():
    assert "parent 361000 is not in the registry" in refusal(COUNTY)
    assert "a township's parent must be a county, 361000 is a city" in refusal(
        CITY, {**TOWNSHIP, "code": "361000901", "parent_code": "361000"})
    assert "does not extend its county's code" in refusal(CITY, COUNTY, {**TOWNSHIP, "code": "361003901"})
    assert "townships have 9-digit codes" in refusal(CITY, COUNTY, {**TOWNSHIP, "code": "361009"})


def test_a_region_has_at_most_one_government():
    units = [*COUNTY["units"], {"unit_id": "361002.government2", "name": "临川区管委会", "kind": "government"}]
    assert "more than one government" in refusal(CITY, {**COUNTY, "units": units})


def test_unknown_fields_and_kinds_are_refused():
    assert "colour" in refusal({**CITY, "colour": "red"})
    assert "kind" in refusal({**CITY, "units": [{**CITY["units"][0], "kind": "bureau"}]})


def test_the_demo_registry_holds_the_city_its_counties_zones_and_demo_townships():
    registry = load_registry(DEMO_REGISTRY)
    by_level = {level: [r for r in registry.regions if r.level == level] for level in ("city", "county", "township")}
    assert [r.code for r in by_level["city"]] == ["361000"]
    assert {r.code for r in by_level["county"] if r.gbt} == {
        "361002", "361003", "361021", "361022", "361023", "361024", "361025", "361026", "361027", "361028", "361030"}
    zones = {(r.code, r.name) for r in by_level["county"] if not r.gbt}
    assert zones == {("361071", "抚州高新区"), ("361072", "东临新区")}
    assert all(r.synthetic and r.government for r in by_level["township"]) and len(by_level["township"]) == 23
    city_units = {u.name for u in registry.region("361000").units}
    assert city_units >= {"市司法局", "市政府办公室", "市市场监管局", "市应急管理局"}
    assert {u.name for u in registry.region("361002").units} >= {"临川区政府", "临川区司法局", "临川区政务服务局"}


def test_the_registry_file_reads_unquoted_codes_and_refuses_what_is_not_a_registry():
    registry = parse_registry("regions:\n  - {code: 361000, name: 抚州市, level: city}\n")
    assert registry.regions[0].code == "361000"
    with pytest.raises(RegistryFileError):
        parse_registry("- just a list")
    with pytest.raises(RegistryFileError):
        parse_registry("regions: [unclosed")


def test_a_registry_travels_as_a_cloudevent_on_its_own_topic():
    registry = load_registry(DEMO_REGISTRY)
    event = RegistryPublished.wrap(registry, source="/test")
    assert RegistryPublished.model_validate_json(event.model_dump_json()) == event
    assert event.type == "registry-published"
    assert "p.registry-published" in Topics("p.").all()

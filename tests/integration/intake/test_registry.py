"""The registry through intake: validated, published once under one key, remembered for plan previews."""

import pytest
import yaml

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from tests.support.intake import running_intake, topic
from tests.support.kafka import body, read_topic

YAML = DEMO_REGISTRY.read_bytes()


@pytest.fixture
async def intake(settings_values):
    async with running_intake(settings_values) as client:
        yield client


async def test_a_yaml_registry_is_published_as_one_event_keyed_registry(intake, settings_values):
    response = await intake.post("/v1/registry", files={"file": ("registry.yaml", YAML)})

    assert response.status_code == 202, response.text
    [record] = await read_topic(settings_values["kafka_bootstrap_servers"],
                                topic(settings_values, "registry-published"), expected=1)
    event = body(record)
    assert record.key == b"registry" and event["id"] == response.json()["event_id"]
    assert event["type"] == "registry-published"
    assert len(event["data"]["regions"]) == len(load_registry(DEMO_REGISTRY).regions)


async def test_a_json_registry_is_accepted_too(intake):
    document = load_registry(DEMO_REGISTRY).model_dump(mode="json")
    response = await intake.post("/v1/registry", json=document)
    assert response.status_code == 202 and response.json()["type"] == "registry-published"


async def test_an_inconsistent_registry_is_a_problem_naming_what_is_wrong_and_nothing_is_published(
    intake, settings_values
):
    orphan, misfiled = yaml.safe_load(YAML), yaml.safe_load(YAML)
    orphan["regions"][1]["parent_code"] = "360000"
    misfiled["regions"][2]["level"] = "village"
    refused = await intake.post("/v1/registry", files={"file": ("r.yaml", yaml.safe_dump(orphan).encode())})
    refused_level = await intake.post("/v1/registry", files={"file": ("r.yaml", yaml.safe_dump(misfiled).encode())})
    refused_json = await intake.post("/v1/registry", json={"regions": []})
    not_yaml = await intake.post("/v1/registry", files={"file": ("r.yaml", b"regions: [")})

    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "file" and "parent 360000" in refused.json()["detail"] + str(
        refused.json()["errors"])
    assert [error["field"] for error in refused_level.json()["errors"]] == ["file.regions.2.level"]
    assert refused_json.status_code == 422 and refused_json.json()["errors"][0]["field"] == "regions"
    assert not_yaml.status_code == 422 and not_yaml.json()["errors"][0]["field"] == "file"
    assert await read_topic(settings_values["kafka_bootstrap_servers"],
                            topic(settings_values, "registry-published"), expected=1, timeout_ms=2_000) == []

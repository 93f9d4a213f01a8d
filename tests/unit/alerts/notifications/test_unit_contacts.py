"""The registry's optional unit contacts: old registries stay valid, and a contact's number never shows in a repr,
a log line or a validation error."""

import json

import pytest
import structlog
from pydantic import ValidationError

from shared.contracts import Registry, RegistryPublished

REGION = {"code": "361000", "name": "抚州市", "level": "city",
          "units": [{"unit_id": "361000.justice", "name": "市司法局", "kind": "department"}]}


def with_contact(contact: dict) -> dict:
    return {"regions": [{**REGION, "units": [{**REGION["units"][0], "contact": contact}]}]}


def test_a_registry_without_contacts_is_still_valid():
    assert Registry.model_validate({"regions": [REGION]}).regions[0].units[0].contact is None


def test_a_contact_is_read_but_kept_out_of_reprs_and_logs(capsys):
    registry = Registry.model_validate(with_contact(
        {"person": "张三", "mobile": "13800138000", "wecom_userid": "zhangsan", "dingtalk_userid": "ding-zs"}))
    unit = registry.regions[0].units[0]
    assert unit.contact.mobile == "13800138000"
    assert "13800138000" not in repr(unit) and "13800138000" not in repr(registry)
    structlog.configure(processors=[structlog.processors.JSONRenderer()],
                        logger_factory=structlog.PrintLoggerFactory())
    structlog.get_logger().info("registry_applied", unit=unit, regions=registry.regions)
    structlog.reset_defaults()
    logged = capsys.readouterr().out
    assert "registry_applied" in logged and "13800138000" not in logged and "张三" not in logged


@pytest.mark.parametrize("mobile", ["1380013800", "23800138000", "138-0013-8000"])
def test_an_invalid_number_is_refused_without_being_echoed(mobile):
    with pytest.raises(ValidationError) as refused:
        Registry.model_validate(with_contact({"mobile": mobile}))
    assert mobile not in str(refused.value)
    assert mobile not in json.dumps(refused.value.errors(include_input=False, include_url=False), ensure_ascii=False)


def test_unknown_contact_fields_are_refused():
    with pytest.raises(ValidationError, match="extra"):
        Registry.model_validate(with_contact({"email": "a@b.cn"}))


def test_a_published_registry_with_a_bad_number_is_refused_without_it():
    event = {"id": "e1", "source": "/test", "type": "registry-published", "specversion": "1.0",
             "time": "2026-07-01T00:00:00Z", "data": with_contact({"mobile": "1380013800"})}
    with pytest.raises(ValidationError) as refused:
        RegistryPublished.model_validate(event)
    assert "1380013800" not in str(refused.value) and "mobile" in str(refused.value)

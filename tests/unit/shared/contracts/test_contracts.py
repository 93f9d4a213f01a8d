import re
import sys
import unicodedata

import pytest
from pydantic import ValidationError

from shared.contracts import (
    AssignmentLight,
    AssignmentLightChanged,
    AssignmentUrge,
    AssignmentUrged,
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    Registry,
)
from shared.contracts.measures import INVISIBLE, PRINTABLE_PATTERN
from tests.support.samples import REPORT


def test_a_report_round_trips_through_its_cloudevent():
    event = ProgressReported.wrap(ProgressReport(**REPORT), source="/test")
    again = ProgressReported.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.type == "progress-reported" and again.specversion == "1.0"
    assert again.data.period_key == "fuzhou-2022-17|临川区政府|2026-Q3"
    assert again.data.assignment_key == "fuzhou-2022-17|临川区政府"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"percent_complete": "80"}, "percent_complete"),  # a string is not a number here
        ({"percent_complete": 101}, "percent_complete"),
        ({"status": "done"}, "status"),
        ({"period": "2026-13"}, "period"),
        ({"region_code": "3610"}, "region_code"),
        ({"reported_at": "2026-10-08T09:30:00"}, "reported_at"),  # a time without a zone is ambiguous
        ({"percent": 80}, "percent"),  # unknown fields are refused, not dropped
        ({"percent_complete": float("nan")}, "percent_complete"),
        ({"indicator_values": {"出庭应诉率": float("inf")}}, "indicator_values"),
        ({"indicator_values": {"出庭应诉率": "95"}}, "indicator_values"),
        ({"indicator_values": {"出庭\u202e应诉率": 95}}, "indicator_values"),
        ({"unit": "临川区政府\x00"}, "unit"),  # a control character makes a phantom unit
        ({"unit": "临川区\u200b政府\n"}, "unit"),
        ({"narrative": "进" * 20_001}, "narrative"),  # far below Kafka's 1 MB record limit
        ({"evidence": ["https://example.org/x"] * 51}, "evidence"),
        ({"indicator_values": {f"指标{i}": 1.0 for i in range(101)}}, "indicator_values"),
    ],
)
def test_a_report_that_breaks_the_contract_is_refused_naming_the_field(change, field):
    with pytest.raises(ValidationError) as refused:
        ProgressReport.model_validate({**REPORT, **change})
    assert field in {str(error["loc"][0]) for error in refused.value.errors()}


MEASURE = {"measure_id": "fuzhou-2022-1", "plan_id": "fuzhou-2022", "region_code": "361000", "number": 1,
           "title": "健全依法决策机制"}
UNIT = {"unit_id": "linchuan-gov", "name": "临川区政府", "kind": "government"}


@pytest.mark.parametrize(("change", "field"), [
    ({"start_date": "0202-01-01"}, "start_date"),  # a mistyped year
    ({"deadlines": [{"text": "9999年底前", "date": "9999-12-31"}]}, "deadlines"),  # would leave the calendar
    ({"title": "措" * 257}, "title"),
    ({"lead_units": ["市司法局"] * 501}, "lead_units"),
    ({"targets": [{"text": "达95%", "indicator": "出庭应诉率", "comparator": ">=", "value": 95}] * 101}, "targets"),
])
def test_a_measure_out_of_bounds_is_refused_naming_the_field(change, field):
    assert Measure.model_validate({**MEASURE, "start_date": "2022-01-01"}).start_date.year == 2022
    with pytest.raises(ValidationError) as refused:
        Measure.model_validate({**MEASURE, **change})
    assert field in {str(error["loc"][0]) for error in refused.value.errors()}


@pytest.mark.parametrize("regions", [
    [{"code": "361002", "name": "临川区", "level": "county", "units": [{**UNIT, "aliases": ["别名"] * 21}]}],
    [{"code": "361002", "name": "临川区", "level": "county",
      "units": [{**UNIT, "unit_id": f"u{n}", "name": f"单位{n}", "kind": "department"} for n in range(2001)]}],
])
def test_a_registry_past_its_bounds_is_refused_whole(regions):
    with pytest.raises(ValidationError):
        Registry.model_validate({"regions": regions})


def test_an_event_of_another_type_does_not_pass_for_a_measure():
    event = ProgressReported.wrap(ProgressReport(**REPORT), source="/test")
    with pytest.raises(ValidationError):
        MeasureCreated.model_validate_json(event.model_dump_json())


def test_cloudevent_extension_attributes_pass_through():
    event = ProgressReported.wrap(ProgressReport(**REPORT), source="/test").model_dump(mode="json")
    event["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert ProgressReported.model_validate(event).model_extra == {"traceparent": event["traceparent"]}


def test_what_intake_validates_is_what_a_consumer_reads_back():
    """Intake and the consumers share one contract: a report intake accepts survives its own JSON."""
    odd = {"indicator_values": {"出庭应诉率": 1e308, "学时": 60}, "narrative": "\u202e右\u0000"}
    report = ProgressReport(**{**REPORT, **odd})
    event = ProgressReported.wrap(report, source="/test")
    assert ProgressReported.model_validate_json(event.model_dump_json()) == event


def test_a_targets_kind_travels_and_a_measure_published_before_it_existed_still_reads():
    measure = {"measure_id": "m-1", "plan_id": "p", "region_code": "361000", "number": 1, "title": "加强行政复议",
               "targets": [{"text": "行政复议案件按期办结率达到95%以上", "indicator": "行政复议案件按期办结率",
                            "comparator": ">=", "value": 95, "unit": "%", "kind": "rate"}]}
    event = MeasureCreated.wrap(Measure(**measure), source="/test").model_dump(mode="json")
    assert MeasureCreated.model_validate(event).data.targets[0].kind == "rate"
    del event["data"]["targets"][0]["kind"]  # as events published before the kind existed carry it
    assert MeasureCreated.model_validate(event).data.targets[0].kind is None
    event["data"]["targets"][0]["kind"] = "share"  # not a kind: refused, naming it
    with pytest.raises(ValidationError, match="kind"):
        MeasureCreated.model_validate(event)


def light_data(**changes) -> dict:
    return {"measure_id": "m-1", "unit": "u-1", "region_code": "361002", "light": "red", "previous": "yellow",
            "reasons": ["overdue", "returned_twice"], "judged_on": "2026-11-30",
            "changed_at": "2026-11-30T08:00:00+08:00", **changes}


def test_a_light_change_round_trips_through_its_cloudevent():
    event = AssignmentLightChanged.wrap(AssignmentLight(**light_data()), source="/duban/alerts")
    read = AssignmentLightChanged.model_validate_json(event.model_dump_json())
    assert read.data == event.data and read.data.key == "m-1|u-1" and read.type == "assignment-light-changed"
    assert AssignmentLight(**light_data(previous=None, light="green", reasons=[])).previous is None


@pytest.mark.parametrize(("change", "field"), [
    ({"light": "amber"}, "light"), ({"previous": "blue"}, "previous"), ({"reasons": ["late"]}, "reasons"),
    ({"changed_at": "2026-11-30T08:00:00"}, "changed_at"), ({"judged_on": "30/11/2026"}, "judged_on"),
])
def test_a_light_change_that_breaks_the_contract_is_refused_naming_the_field(change, field):
    with pytest.raises(ValidationError) as refused:
        AssignmentLight(**light_data(**change))
    assert {error["loc"][0] for error in refused.value.errors()} == {field}


def test_the_json_schema_of_a_name_refuses_what_its_validator_refuses():
    # The OpenAPI and AsyncAPI documents carry the pattern; the fuzz run found them admitting names the services
    # refuse (a control character, white space alone).
    invisible = [code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) in ("Cc", "Cf")]
    assert [code for first, last in INVISIBLE for code in range(first, last + 1)] == invisible
    pattern = re.compile(ProgressReport.model_json_schema()["properties"]["unit"]["pattern"])
    assert pattern.pattern == PRINTABLE_PATTERN
    for name in ["临川区政府", " 临川区政府 ", "a b", "临川区政府\x00", "临川区\u200b政府", "\u202e", "   ", "\u3000"]:
        valid = pattern.match(name) is not None
        try:
            ProgressReport(**{**REPORT, "unit": name})
            accepted = True
        except ValidationError:
            accepted = False
        assert valid == accepted, name


@pytest.mark.parametrize("field, value", [("region_code", "３６１００２"), ("period", "２０２６-Q4"),
                                          ("region_code", "٣٦١٠٠٢")])
def test_codes_and_periods_take_ascii_digits_only(field, value):
    # `\d` in a pattern matches any Unicode digit; a full-width code would match no region and sort apart.
    with pytest.raises(ValidationError):
        ProgressReport(**{**REPORT, field: value})


def urge_data(**changes) -> dict:
    return {"alert_key": "overdue|m-1|u-1|", "alert_kind": "overdue", "episode": "ep-1", "measure_id": "m-1",
            "unit": "u-1", "region_code": "361002", "by": "市依法治市办", "comment": "请本周内报送",
            "urged_at": "2026-11-30T08:00:00+08:00", "day": "2026-11-30", "queued": ["c-1"],
            "already_notified": ["c-2"], **changes}


def test_an_urge_round_trips_through_its_cloudevent_keyed_by_its_assignment():
    event = AssignmentUrged.wrap(AssignmentUrge(**urge_data()), source="/duban/alerts", event_id="ep-1.urge-x")
    read = AssignmentUrged.model_validate_json(event.model_dump_json())
    assert read == event and read.type == "assignment-urged" and read.data.key == "m-1|u-1"
    nobody = AssignmentUrge(**urge_data(by=None, comment=None, queued=[], already_notified=[]))
    assert (nobody.by, nobody.comment) == (None, None)


@pytest.mark.parametrize(("change", "field"), [
    ({"alert_kind": "late"}, "alert_kind"), ({"region_code": "3610"}, "region_code"),
    ({"urged_at": "2026-11-30T08:00:00"}, "urged_at"), ({"comment": "催" * 501}, "comment"),
    ({"queued": [""]}, "queued"), ({"channel": "c-1"}, "channel"),
])
def test_an_urge_that_breaks_the_contract_is_refused_naming_the_field(change, field):
    with pytest.raises(ValidationError) as refused:
        AssignmentUrge(**urge_data(**change))
    assert {error["loc"][0] for error in refused.value.errors()} == {field}
    event = AssignmentUrged.wrap(AssignmentUrge(**urge_data()), source="/duban/alerts").model_dump(mode="json")
    with pytest.raises(ValidationError):  # on another topic's type: refused
        AssignmentUrged.model_validate({**event, "type": "alert-raised"})

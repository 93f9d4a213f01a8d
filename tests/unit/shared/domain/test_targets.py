from shared.domain.targets import attainment

APPEARANCE = {"indicator": "出庭应诉率", "comparator": ">=", "value": 95, "unit": "%"}
COVERAGE = {"indicator": "覆盖率", "comparator": "=", "value": 100, "unit": "%", "kind": "rate"}


def test_a_target_is_met_exactly_at_its_value_and_not_just_below():
    assert attainment([APPEARANCE], {"出庭应诉率": 95})[0]["met"] is True
    assert attainment([APPEARANCE], {"出庭应诉率": 94.9})[0]["met"] is False


def test_an_indicator_the_unit_has_not_reported_is_unknown_not_failed():
    [row] = attainment([COVERAGE], {"出庭应诉率": 99})
    assert (row["value"], row["met"]) == (None, None)


def test_each_target_keeps_its_figures():
    assert attainment([COVERAGE], {"覆盖率": 100}) == [
        {"indicator": "覆盖率", "comparator": "=", "target": 100, "unit": "%", "kind": "rate", "value": 100,
         "met": True}]
    assert attainment([APPEARANCE], {})[0]["kind"] is None  # a measure published before kinds existed

"""Whether a unit's latest indicator values meet a measure's quantitative targets (出庭应诉率达95%以上 …)."""

import operator

COMPARATORS = {">=": operator.ge, "<=": operator.le, "=": operator.eq, ">": operator.gt, "<": operator.lt}


def attainment(targets: list[dict], indicator_values: dict[str, float]) -> list[dict]:
    """Each target with the unit's value for its indicator and whether it is met (None: not reported)."""
    rows = []
    for target in targets:
        value = indicator_values.get(target["indicator"])
        met = None if value is None else COMPARATORS[target["comparator"]](value, target["value"])
        rows.append({"indicator": target["indicator"], "comparator": target["comparator"],
                     "target": target["value"], "unit": target.get("unit", ""), "value": value, "met": met})
    return rows

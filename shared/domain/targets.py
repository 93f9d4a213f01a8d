"""Whether a unit's latest indicator values meet a measure's quantitative targets (出庭应诉率达95%以上 …)."""

import operator

COMPARATORS = {">=": operator.ge, "<=": operator.le, "=": operator.eq, ">": operator.gt, "<": operator.lt}


def attainment(targets: list[dict], indicator_values: dict[str, float]) -> list[dict]:
    """Each target with its kind (None in measures published before kinds existed), the unit's value for its
    indicator and whether that value meets it now (None: not reported). For a rate or a time limit "not met" is
    lagging; a count or an amount short of its target may still be on its trajectory (alerts judge that:
    services/alerts/domain/lagging.py)."""
    rows = []
    for target in targets:
        value = indicator_values.get(target["indicator"])
        met = None if value is None else COMPARATORS[target["comparator"]](value, target["value"])
        rows.append({"indicator": target["indicator"], "comparator": target["comparator"],
                     "target": target["value"], "unit": target.get("unit", ""), "kind": target.get("kind"),
                     "value": value, "met": met})
    return rows

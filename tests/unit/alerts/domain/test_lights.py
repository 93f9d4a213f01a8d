"""亮灯 at its edges: red for overdue, a completion returned twice or a critical alert; yellow for any other open
alert; green on track or closed out; a change is a change of colour."""

import pytest

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.lights import Light, Lit, changed, light_of, lights_of


def alert(kind: Kind, severity: Severity = Severity.WARNING, unit: str = "361002.gov") -> Alert:
    return Alert(kind=kind, severity=severity, measure_id="m-1", unit=unit, unit_name=unit, region_code="361002",
                 reason="…", figures={})


def state(**fields) -> dict:
    return {"measure_id": "m-1", "unit": "361002.gov", "region_code": "361002", "loop_state": "in_progress",
            "returned_count": 0, **fields}


@pytest.mark.parametrize(("alerts", "fields", "light", "reasons"), [
    ([], {}, Light.GREEN, ()),
    ([alert(Kind.DUE_SOON, Severity.INFO)], {}, Light.YELLOW, ("due_soon",)),
    ([alert(Kind.LAGGING)], {}, Light.YELLOW, ("lagging",)),
    ([alert(Kind.SILENT)], {}, Light.YELLOW, ("silent",)),
    ([alert(Kind.UNSIGNED)], {"loop_state": "assigned"}, Light.YELLOW, ("unsigned",)),
    ([alert(Kind.AWAITING_VERIFICATION)], {"loop_state": "completion_requested"}, Light.YELLOW,
     ("awaiting_verification",)),
    ([alert(Kind.OVERDUE)], {}, Light.RED, ("overdue",)),
    ([alert(Kind.LAGGING, Severity.CRITICAL)], {}, Light.RED, ("lagging",)),
    ([alert(Kind.SILENT, Severity.CRITICAL), alert(Kind.DUE_SOON, Severity.INFO)], {}, Light.RED,
     ("silent", "due_soon")),
    # returned once is the loop working; twice, red even with nothing else open
    ([], {"returned_count": 1}, Light.GREEN, ()),
    ([alert(Kind.DUE_SOON, Severity.INFO)], {"returned_count": 1}, Light.YELLOW, ("due_soon",)),
    ([], {"returned_count": 2}, Light.RED, ("returned_twice",)),
    ([alert(Kind.OVERDUE), alert(Kind.LAGGING)], {"returned_count": 3}, Light.RED,
     ("overdue", "lagging", "returned_twice")),
    # closed out: green whatever came before (evaluate raises no alert on it)
    ([], {"loop_state": "closed_out", "returned_count": 2}, Light.GREEN, ("closed_out",)),
    ([], {"loop_state": None, "returned_count": None}, Light.GREEN, ()),  # stored before the loop existed
])
def test_the_light_of_an_assignment_and_its_reasons(alerts, fields, light, reasons):
    assert light_of(state(**fields), alerts) == Lit("m-1", "361002.gov", "361002", light, reasons)


def test_each_assignment_is_lit_by_its_own_alerts_and_one_without_any_is_green():
    lit = lights_of([state(), state(unit="361002.justice")], [alert(Kind.OVERDUE, unit="361002.justice")])
    assert {key: light.light for key, light in lit.items()} == {"m-1|361002.gov": Light.GREEN,
                                                                "m-1|361002.justice": Light.RED}


def test_only_a_change_of_colour_is_a_change_and_a_first_light_is_one():
    judged = lights_of([state(), state(unit="361002.justice"), state(unit="361002.office")],
                       [alert(Kind.LAGGING, unit="361002.gov"), alert(Kind.OVERDUE, unit="361002.justice")])
    stored = {"m-1|361002.gov": "yellow", "m-1|361002.justice": "yellow"}  # yellow for due soon, say
    assert [lit.key for lit in changed(stored, judged)] == ["m-1|361002.justice", "m-1|361002.office"]

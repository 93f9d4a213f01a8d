from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.flags import region_flags, unit_flags, worst
from services.alerts.domain.transitions import transitions


def alert(kind=Kind.OVERDUE, severity=Severity.WARNING, unit="361002.gov", measure_id="m-1", subject="", **figures):
    return Alert(kind=kind, severity=severity, measure_id=measure_id, unit=unit, unit_name=unit,
                 region_code=unit.split(".")[0], reason="…", figures=figures, subject=subject)


def test_a_units_flag_is_its_worst_alert_by_severity_then_kind_then_size():
    critical_silence = alert(Kind.SILENT, Severity.CRITICAL, missed_periods=2)
    assert worst([alert(days_overdue=300), critical_silence]) == critical_silence
    assert worst([alert(Kind.SILENT), alert(days_overdue=1)]).kind == Kind.OVERDUE
    assert worst([alert(days_overdue=3, measure_id="a"), alert(days_overdue=9, measure_id="b")]).measure_id == "b"
    assert worst([]) is None
    flags = unit_flags([alert(Kind.DUE_SOON, Severity.INFO), alert(Kind.LAGGING, unit="361000.justice"),
                        alert(days_overdue=5)])
    assert {unit: a.kind for unit, a in flags.items()} == {"361002.gov": Kind.OVERDUE, "361000.justice": Kind.LAGGING}


UNITS = {"361000": ["361000.justice", "361000.office"], "361002": ["361002.gov", "361002.justice"],
         "361002901": ["361002901.gov"]}


def test_a_region_is_flagged_when_the_share_of_its_units_with_alerts_reaches_the_threshold():
    alerts = [alert(unit="361002.gov"), alert(Kind.DUE_SOON, Severity.INFO, unit="361002901.gov")]
    flags = {f.region_code: f for f in region_flags(alerts, UNITS, threshold=0.3)}
    # 临川区 counts its township's unit; a due-soon reminder is not a problem
    assert (flags["361002"].units, flags["361002"].units_alerted, flags["361002"].flagged) == (3, 1, True)
    assert (flags["361000"].units, flags["361000"].units_alerted, flags["361000"].flagged) == (5, 1, False)
    assert flags["361002901"].flagged is False
    at_the_threshold = {f.region_code: f.flagged for f in region_flags(alerts, UNITS, threshold=0.2)}
    assert at_the_threshold["361000"] is True
    assert not any(f.flagged for f in region_flags([], UNITS, threshold=0))


def test_a_new_key_is_raised_a_vanished_one_cleared_and_a_carried_one_is_neither():
    overdue, silent, lagging = alert(days_overdue=1), alert(Kind.SILENT), alert(Kind.LAGGING, subject="progress")
    later = alert(days_overdue=2)
    step = transitions([overdue, silent], [later, lagging])
    assert (step.raised, step.cleared, step.changed) == ([lagging], [silent], [])
    assert step.open == [later, lagging]


def test_a_change_of_severity_is_a_change_not_a_raise():
    before, after = alert(days_overdue=30), alert(severity=Severity.CRITICAL, days_overdue=31)
    step = transitions([before], [after])
    assert (step.raised, step.cleared, step.changed) == ([], [], [(before, after)])


def test_sweeping_twice_announces_nothing_the_second_time():
    first = transitions([], [alert(), alert(Kind.SILENT)])
    assert len(first.raised) == 2
    assert transitions(first.open, [alert(), alert(Kind.SILENT)]).quiet


def test_alerts_of_two_indicators_of_one_assignment_are_two_alerts():
    a, b = alert(Kind.LAGGING, subject="indicator:甲"), alert(Kind.LAGGING, subject="indicator:乙")
    assert len(transitions([], [a, b]).raised) == 2


def test_an_alert_survives_its_json():
    original = alert(Kind.LAGGING, subject="progress", behind_points=20.5)
    assert Alert.from_json(original.to_json()) == original

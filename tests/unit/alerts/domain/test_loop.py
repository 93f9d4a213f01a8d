"""The supervision loop's alerts at their edges: working days (weekends, holidays, 调休), the limit's last day,
who must check a completion, and a closed-out assignment raising nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.alerts.domain.alerts import Kind, Severity
from services.alerts.domain.evaluate import evaluate
from services.alerts.domain.flags import region_flags, unit_flags
from services.alerts.domain.loop import awaiting_verification, unsigned
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.workdays import is_working_day, working_days_after, working_days_between
from shared.domain.calendar import CHINA
from tests.unit.alerts.builders import RULES, assignment, deadline, schedule

# Friday 27 November 2026, 17:00 in Beijing: the measure issued. Three working days: Monday to Wednesday.
ISSUED = datetime(2026, 11, 27, 17, tzinfo=CHINA)
SIGN_BY = date(2026, 12, 2)


@pytest.mark.parametrize(("start", "count", "last"), [
    (date(2026, 11, 27), 3, date(2026, 12, 2)),  # Friday: the weekend does not count
    (date(2026, 11, 30), 3, date(2026, 12, 3)),  # Monday: Tuesday to Thursday
    (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday: Monday is the first
    (date(2026, 11, 27), 0, date(2026, 11, 27)),  # no working day allowed: the day itself
    (date(2026, 9, 18), 3, date(2026, 9, 22)),  # Sunday 20 September 2026 is worked (调休 for National Day)
    (date(2026, 9, 30), 3, date(2026, 10, 10)),  # National Day week off; Saturday 10 October worked
    (date(2026, 2, 13), 3, date(2026, 2, 25)),  # Spring Festival: Saturday 14 February worked, 16 to 23 off
])
def test_a_limit_of_working_days_skips_weekends_and_holidays_and_counts_the_weekend_days_worked(start, count, last):
    assert working_days_after(start, count) == last


def test_working_days_are_counted_after_the_first_day_up_to_and_with_the_last():
    assert not is_working_day(date(2026, 10, 1)) and is_working_day(date(2026, 10, 10))
    assert working_days_between(date(2026, 12, 2), date(2026, 12, 5)) == 2  # Thursday, Friday; not Saturday
    assert working_days_between(date(2026, 12, 2), date(2026, 12, 2)) == 0


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 12, 30), date(2027, 1, 5)), (date(2025, 6, 1), date(2027, 2, 10)),
    (date(2026, 2, 13), date(2026, 3, 1)),
])
def test_working_days_over_years_and_holidays_are_the_days_counted_one_by_one(start, end):
    one_by_one = sum(is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))
    assert working_days_between(start, end) == one_by_one > 0


def loop_state(state: str = "assigned", **fields) -> dict:
    return {**assignment(), "assigned": True, "loop_state": state, **fields}


def issued(**fields):
    return schedule(deadline("2027年底前", "2027-12-31"), published_at=ISSUED.isoformat(), **fields)


def test_an_assignment_not_signed_for_is_unsigned_from_the_day_after_its_limit_not_on_it():
    assert unsigned(issued(), loop_state(), SIGN_BY, RULES) is None
    alert = unsigned(issued(), loop_state(), date(2026, 12, 3), RULES)
    assert (alert.kind, alert.severity, alert.key) == (Kind.UNSIGNED, Severity.WARNING, "unsigned|m-1|361002.gov|")
    assert alert.figures == {"assigned_on": "2026-11-27", "sign_by": "2026-12-02", "working_days_allowed": 3,
                             "days_late": 1, "working_days_late": 1}
    assert alert.reason == "2026-11-27 交办，应于 2026-12-02 前签收（3 个工作日内），已逾 1 天（1 个工作日）仍未签收"


def test_over_a_weekend_an_unsigned_assignment_stays_late_without_working_days_passing():
    saturday = unsigned(issued(), loop_state(), date(2026, 12, 5), RULES)
    monday = unsigned(issued(), loop_state(), date(2026, 12, 7), RULES)
    assert (saturday.figures["days_late"], saturday.figures["working_days_late"]) == (3, 2)
    assert (monday.figures["days_late"], monday.figures["working_days_late"]) == (5, 3)


def test_a_signed_unnamed_or_not_yet_issued_assignment_is_never_unsigned():
    late = date(2027, 3, 1)
    for state in ("signed", "in_progress", "completion_requested", "closed_out"):
        assert unsigned(issued(), loop_state(state), late, RULES) is None
    assert unsigned(issued(), loop_state(assigned=False), late, RULES) is None  # reported without being named
    assert unsigned(issued(), {**assignment()}, late, RULES) is None  # stored before the loop existed
    assert unsigned(schedule(deadline("2027年底前", "2027-12-31")), loop_state(), late, RULES) is None  # never issued
    assert unsigned(issued(), loop_state(), date(2026, 11, 20), RULES) is None  # judged before it was issued


def test_the_limit_to_sign_is_the_plans_rule():
    strict = AlertRules(sign_within_working_days=1)
    assert unsigned(issued(), loop_state(), date(2026, 11, 30), strict) is None
    assert unsigned(issued(), loop_state(), date(2026, 12, 1), strict).figures["sign_by"] == "2026-11-30"


# A completion requested on Friday 27 November 2026 at 16:00 UTC (Saturday 00:00 in Beijing): its day is Saturday,
# so five working days run Monday 30 November to Friday 4 December.
REQUESTED = datetime(2026, 11, 27, 16, tzinfo=UTC)
VERIFY_BY = date(2026, 12, 4)


def requested(**fields) -> dict:
    return loop_state(**{"state": "completion_requested", "completion_requested_at": REQUESTED, **fields})


def test_a_completion_request_waits_for_verification_five_working_days_then_alerts_the_lead_unit():
    waiting = issued(lead_units=["市司法局", "市政府办"])
    assert awaiting_verification(waiting, requested(), VERIFY_BY, RULES) is None
    assert awaiting_verification(waiting, requested(), date(2026, 12, 6), RULES).figures["working_days_late"] == 0
    alert = awaiting_verification(waiting, requested(), date(2026, 12, 7), RULES)
    assert (alert.kind, alert.severity, alert.unit) == (Kind.AWAITING_VERIFICATION, Severity.WARNING, "361002.gov")
    assert alert.figures == {"requested_on": "2026-11-28", "verify_by": "2026-12-04", "working_days_allowed": 5,
                             "days_late": 3, "working_days_late": 1, "verifier": "lead_unit",
                             "lead_units": ["市司法局", "市政府办"], "verifier_region_code": "361002"}
    assert alert.reason.endswith(
        "已逾 3 天（1 个工作日）仍未核查或退回，请牵头单位（市司法局、市政府办）或本级督查部门核查")


def test_the_supervising_office_checks_a_lead_units_completion_and_a_measure_naming_no_lead_unit():
    day = date(2026, 12, 7)
    own = awaiting_verification(issued(lead_units=["临川区政府"]), requested(role="lead"), day, RULES)
    nobody = awaiting_verification(issued(), requested(), day, RULES)
    for alert in (own, nobody):
        assert (alert.figures["verifier"], alert.figures["lead_units"]) == ("supervising_office", [])
        assert alert.reason.endswith("请本级督查部门核查")


def test_only_a_request_still_waiting_awaits_verification():
    day = date(2027, 1, 4)
    for state in ("in_progress", "closed_out", "signed"):  # returned (back to in progress), verified, never asked
        assert awaiting_verification(issued(), requested(state=state), day, RULES) is None
    assert awaiting_verification(issued(), requested(completion_requested_at=None), day, RULES) is None


def test_a_closed_out_assignment_raises_no_alert_however_late_silent_or_unsigned():
    late = date(2028, 6, 1)  # past the deadline, silent for years
    open_one = evaluate(issued(), loop_state(), late, RULES)
    assert {a.kind for a in open_one} == {Kind.OVERDUE, Kind.SILENT, Kind.UNSIGNED}
    assert evaluate(issued(), loop_state("closed_out", returned_count=2), late, RULES) == []


def test_an_alert_awaiting_the_verifier_flags_neither_the_unit_nor_its_region():
    waiting = awaiting_verification(issued(), requested(), date(2026, 12, 7), RULES)
    unsigned_one = unsigned(issued(), loop_state(unit="361002.justice"), date(2026, 12, 7), RULES)
    assert set(unit_flags([waiting, unsigned_one])) == {"361002.justice"}
    [flag] = region_flags([waiting], {"361002": ["361002.gov"]}, threshold=0.3)
    assert (flag.units_alerted, flag.flagged) == (0, False)

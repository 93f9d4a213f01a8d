from datetime import date
from pathlib import Path

import pytest

from services.alerts.domain.alerts import Kind
from services.alerts.domain.evaluate import evaluate_all
from services.alerts.domain.rules import AlertRules, RulesBook, RulesError
from services.alerts.settings import DEFAULT_RULES_FILE, load_rules
from tests.unit.alerts.builders import assignment, deadline, measure


def test_the_shipped_rules_file_holds_the_defaults():
    book = load_rules(None)
    assert book.defaults == AlertRules() and book.region_flag_share == 0.3
    assert load_rules(DEFAULT_RULES_FILE) == book


def test_a_plan_overrides_some_thresholds_and_keeps_the_defaults_for_the_rest():
    book = RulesBook.from_mapping({"defaults": {"due_soon_days": 7},
                                   "plans": {"fuzhou-2022": {"reporting_cadence": "monthly",
                                                             "plan_deadline": date(2025, 12, 31)}}})
    plan = book.for_plan("fuzhou-2022")
    assert (plan.due_soon_days, plan.reporting_cadence, plan.plan_deadline) == (7, "monthly", date(2025, 12, 31))
    assert book.for_plan("other") == book.defaults == AlertRules(due_soon_days=7)
    assert book.for_plan(None).reporting_cadence == "quarterly"


@pytest.mark.parametrize("content, named", [
    ({"defaults": {"due_son_days": 7}}, "due_son_days"),
    ({"plans": {"fuzhou-2022": {"reporting_cadence": "weekly"}}}, "plans.fuzhou-2022"),
    ({"plans": {"p": {"lagging_tolerance_points": -1}}}, "lagging_tolerance_points"),
    ({"region_flag_share": 2}, "region_flag_share"),
    ({"thresholds": {}}, "thresholds"),
])
def test_unknown_keys_and_bad_values_are_refused_naming_them(content, named):
    with pytest.raises(RulesError, match=named):
        RulesBook.from_mapping(content)


def test_a_rules_file_named_but_missing_or_invalid_stops_the_service(tmp_path: Path):
    with pytest.raises(RulesError, match="missing.yaml"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "rules.yaml"
    bad.write_text("defaults:\n  silent_grace_days: many\n", encoding="utf-8")
    with pytest.raises(RulesError, match="rules.yaml: defaults"):
        load_rules(bad)


def test_every_rule_runs_for_every_assignment_under_its_plans_rules():
    measures = {"m-1": measure(deadline("2026年6月底前", "2026-06-30"), start="2026-01-01", plan_id="strict")}
    book = RulesBook.from_mapping({"plans": {"strict": {"due_soon_days": 30}}})
    never_reported = assignment(percent=0)
    stranger = {**assignment(), "measure_id": "unknown"}
    alerts = evaluate_all(measures, [never_reported, stranger], date(2026, 6, 1), book)
    assert sorted(a.kind for a in alerts) == sorted([Kind.DUE_SOON, Kind.LAGGING, Kind.SILENT])
    assert {a.plan_id for a in alerts} == {"strict"}
    by_default = evaluate_all(measures, [never_reported], date(2026, 6, 1))  # 29 days ahead: no reminder yet
    assert sorted(a.kind for a in by_default) == sorted([Kind.LAGGING, Kind.SILENT])


def test_an_assignment_no_rule_can_judge_is_skipped_with_its_reason_and_the_others_are_judged():
    from datetime import UTC, datetime

    from services.alerts.domain.evaluate import Evaluator

    measures = {"m-1": measure(deadline("2026年6月底前", "2026-06-30"), start="2026-01-01")}
    # A time at the calendar's very end: in China's day it lies past year 9999 (what got in before the window).
    broken = {**assignment(reported_at=datetime(9999, 12, 31, 23, tzinfo=UTC), period="9999"), "unit": "broken"}
    evaluator = Evaluator(measures, RulesBook())
    alerts = evaluator.alerts([broken, assignment(percent=0)], date(2026, 7, 5))
    assert {a.unit for a in alerts} == {"361002.gov"}
    assert [(measure_id, unit) for measure_id, unit, _ in evaluator.skipped] == [("m-1", "broken")]

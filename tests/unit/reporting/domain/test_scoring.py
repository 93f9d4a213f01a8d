"""考核 scoring at its rules' edges (domain/scoring/score.py), per-plan overrides, the rules file refused clearly,
and a rule change re-scoring the same facts identically."""

from datetime import date, datetime
from pathlib import Path

import pytest

from services.reporting.domain.scoring.rules import ScoringBook, ScoringRules
from services.reporting.domain.scoring.score import Facts, ranking, score_year
from services.reporting.settings import DEFAULT_SCORING_FILE, load_scoring_rules
from shared.domain.calendar import CHINA
from shared.rules_files import RulesError

TODAY = date(2026, 12, 1)
MEASURE = {"plan_id": "p1", "start_date": "2026-10-01", "targets": []}  # reporting starts in Q4: nothing due yet


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=CHINA)


def assignment(unit: str = "u1", measure_id: str = "m1", region_code: str = "361002", **fields) -> dict:
    return {"measure_id": measure_id, "unit": unit, "unit_name": f"{unit}名", "region_code": region_code,
            "closed_out_at": None, "periods_reported": [], "event_id": f"{measure_id}|{unit}#9", **fields}


def step(revision: int, time: datetime, returned: int = 0, closed_out_at: datetime | None = None,
         key: str = "m1|u1") -> dict:
    return {"event_id": f"{key}#{revision}", "key": key, "revision": revision, "returned_count": returned,
            "closed_out_at": closed_out_at, "time": time}


def overdue(opened_at: datetime, closed_at: datetime | None = None, episode: str = "ep1") -> dict:
    return {"episode": episode, "measure_id": "m1", "unit": "u1", "opened_at": opened_at, "closed_at": closed_at}


def report(event_id: str, period: str, reported_at: datetime, **values: float) -> dict:
    return {"_id": event_id, "measure_id": "m1", "unit": "u1", "period": period, "reported_at": reported_at,
            "indicator_values": values}


DEFAULTS = ScoringBook()


def lines(facts: Facts, book: ScoringBook = DEFAULTS, unit: str = "u1") -> dict[str, dict]:
    return {line["rule"]: line for line in score_year(facts, book, 2026, TODAY)[unit]["lines"]}


# The deadline was 2026-06-30: the alerts service opened the overdue episode as 1 July began (China).
OVERDUE_FROM_JULY = overdue(at("2026-07-01", 0))


def test_closed_out_on_the_deadline_day_scores_and_one_day_late_is_deducted_instead():
    on_time = at("2026-06-30", 18)
    facts = Facts({"m1": MEASURE}, [assignment(closed_out_at=on_time)], [step(4, on_time, closed_out_at=on_time)])
    assert lines(facts) == {"closed_out_on_time": {
        "rule": "closed_out_on_time", "rule_name": "按期销号", "plan_id": "p1", "measure_id": "m1", "count": 1,
        "per": 2.0, "points": 2.0, "events": ["m1|u1#4"]}}
    late = at("2026-07-01", 10)
    closed = {**OVERDUE_FROM_JULY, "closed_at": late}
    facts = Facts({"m1": MEASURE}, [assignment(closed_out_at=late)], [step(4, late, closed_out_at=late)], [closed])
    assert lines(facts) == {"overdue": {
        "rule": "overdue", "rule_name": "逾期", "plan_id": "p1", "measure_id": "m1", "count": 1, "per": 2.0,
        "points": -2.0, "events": ["ep1.raised"]}}
    assert score_year(facts, ScoringBook(), 2026, TODAY)["u1"]["total"] == 98.0


def test_an_overdue_episode_counts_in_the_year_it_opened_and_once_however_long():
    episodes = [overdue(at("2025-12-20"), at("2026-01-10"), "old"), overdue(at("2026-03-01"), None, "long")]
    facts = Facts({"m1": MEASURE}, [assignment()], overdue=episodes)
    assert lines(facts)["overdue"]["count"] == 1 and lines(facts)["overdue"]["events"] == ["long.raised"]


def test_returned_once_and_twice_each_return_traced_to_its_event():
    once = [step(3, at("2026-05-01"), returned=1), step(4, at("2026-05-02"), returned=1)]
    twice = [*once, step(6, at("2026-06-01"), returned=2)]
    assert lines(Facts({"m1": MEASURE}, [assignment()], once))["returned_completion"] == {
        "rule": "returned_completion", "rule_name": "办结申请被退回", "plan_id": "p1", "measure_id": "m1",
        "count": 1, "per": 1.0, "points": -1.0, "events": ["m1|u1#3"]}
    line = lines(Facts({"m1": MEASURE}, [assignment()], twice))["returned_completion"]
    assert (line["count"], line["points"], line["events"]) == (2, -2.0, ["m1|u1#3", "m1|u1#6"])
    # A return of the year before is not this year's; events received in any order are read by revision.
    earlier = [step(6, at("2026-06-01"), returned=2), step(2, at("2025-11-01"), returned=1)]
    assert lines(Facts({"m1": MEASURE}, [assignment()], earlier))["returned_completion"]["events"] == ["m1|u1#6"]


def test_no_reports_deducts_each_period_whose_report_was_due_and_not_the_running_one():
    measure = {**MEASURE, "start_date": "2026-01-15"}
    line = lines(Facts({"m1": measure}, [assignment()]))["missing_report"]
    # Q1, Q2, Q3 were due by 10 April, July and October; Q4 runs still.
    assert (line["count"], line["points"], line["events"]) == (3, -3.0, ["m1|u1#9"])
    # With 62 days' grace, Q3's report may still come on the day of scoring (30 September + 62 days).
    assert lines(Facts({"m1": measure}, [assignment()]), _book({"report_grace_days": 62}))["missing_report"][
        "count"] == 2


def test_a_report_on_the_last_grace_day_is_on_time_and_one_day_later_is_late():
    measure = {**MEASURE, "start_date": "2026-01-01"}
    reported = ["2026-Q1", "2026-Q2", "2026-Q3"]
    on_time = [report("r1", "2026-Q1", at("2026-04-10", 23)), report("r2", "2026-Q2", at("2026-07-01")),
               report("r3", "2026-Q3", at("2026-09-30"))]
    facts = Facts({"m1": measure}, [assignment(periods_reported=reported)], reports=on_time)
    assert lines(facts) == {}
    late = [report("r1", "2026-Q1", at("2026-04-11", 0)), *on_time[1:],
            report("r1b", "2026-Q1", at("2026-05-01"))]  # a correction later does not make it later still
    line = lines(Facts({"m1": measure}, [assignment(periods_reported=reported)], reports=late))["late_report"]
    assert (line["count"], line["points"], line["events"]) == (1, -0.5, ["r1"])


def test_periods_after_closing_out_are_not_due():
    closed = at("2026-02-10")
    facts = Facts({"m1": {**MEASURE, "start_date": "2026-01-01"}}, [assignment(closed_out_at=closed)],
                  [step(2, closed, closed_out_at=closed)])
    assert lines(facts)["missing_report"]["count"] == 1  # Q1 only


RATE = {"text": "出庭应诉率达95%以上", "indicator": "出庭应诉率", "comparator": ">=", "value": 95, "unit": "%",
        "kind": "rate"}
COUNT = {"text": "不少于60学时", "indicator": "学时", "comparator": ">=", "value": 60, "unit": "学时", "kind": "count"}


def test_an_unmet_rate_target_is_deducted_per_report_and_a_count_below_target_is_not():
    measure = {**MEASURE, "targets": [RATE, COUNT]}
    reports = [report("r1", "2026-Q1", at("2026-03-30"), 出庭应诉率=90, 学时=10),
               report("r2", "2026-Q2", at("2026-06-30"), 出庭应诉率=95, 学时=20),
               report("r3", "2026-Q3", at("2026-09-20"), 出庭应诉率=80),
               report("r4", "2026-Q3", at("2026-09-25"), 出庭应诉率=94.9)]  # the period's last report counts
    line = lines(Facts({"m1": measure}, [assignment()], reports=reports))["unmet_rate_target"]
    assert (line["count"], line["points"], line["events"]) == (2, -2.0, ["r1", "r4"])


def _book(overrides: dict, plan: str = "p1") -> ScoringBook:
    return ScoringBook.from_mapping({"plans": {plan: overrides}})


def test_a_plan_overrides_the_defaults_and_names_its_own_indicator_deduction():
    book = _book({"closed_out_on_time": 5, "indicator_deductions": {"未出庭应诉案件数": 2}}, plan="p2")
    closed = at("2026-06-01")
    reports = [report("r1", "2026-Q1", at("2026-03-30"), 未出庭应诉案件数=1),
               report("r2", "2026-Q2", at("2026-06-30"), 未出庭应诉案件数=2),
               report("r3", "2026-Q2", at("2026-07-02"), 未出庭应诉案件数=3)]
    other_plan = Facts({"m1": MEASURE}, [assignment(closed_out_at=closed)], [step(2, closed, closed_out_at=closed)],
                       reports=reports)
    assert lines(other_plan, book)["closed_out_on_time"]["points"] == 2.0
    assert "indicator:未出庭应诉案件数" not in lines(other_plan, book)
    own_plan = Facts({"m1": {**MEASURE, "plan_id": "p2"}}, other_plan.assignments, other_plan.steps,
                     reports=reports)
    scored = lines(own_plan, book)
    assert scored["closed_out_on_time"]["points"] == 5.0
    assert scored["indicator:未出庭应诉案件数"] == {
        "rule": "indicator:未出庭应诉案件数", "rule_name": "未出庭应诉案件数", "plan_id": "p2", "measure_id": "m1",
        "count": 4, "per": 2.0, "points": -8.0, "events": ["r1", "r3"]}
    assert book.for_plan("p2").report_grace_days == 10  # what the plan does not override stays the default's


def test_units_ranked_by_total_with_shared_ranks_and_regions_by_their_units_mean():
    closed = at("2026-06-01")
    facts = Facts({"m1": MEASURE, "m2": MEASURE}, [
        assignment("a", closed_out_at=closed), assignment("b", "m2", "361003"),
        assignment("c", "m2", "361003001"), assignment("outside", region_code="362000")],
        [step(2, closed, closed_out_at=closed, key="m1|a")],
        [overdue(at("2026-07-01"), None) | {"unit": "c", "measure_id": "m2"}])
    scores = score_year(facts, ScoringBook(), 2026, TODAY)
    city = ranking(scores, "361000", {"361003": {"name": "东乡区"}})
    assert [(row["unit"], row["total"], row["rank"]) for row in city["unit_ranking"]] == [
        ("a", 102.0, 1), ("b", 100.0, 2), ("c", 98.0, 3)]
    assert city["unit_ranking"][0] == {"unit": "a", "unit_name": "a名", "region_code": "361002", "region_name": None,
                                           "total": 102.0, "gained": 2.0, "lost": 0, "rank": 1}
    assert [(row["region_code"], row["name"], row["units"], row["total"], row["rank"]) for row in city["regions"]] == [
        ("361002", None, 1, 102.0, 1), ("361003", "东乡区", 2, 99.0, 2)]
    assert (city["units"], city["total"]) == (3, 100.0)
    assert [row["region_code"] for row in ranking(scores, "361003", {})["regions"]] == ["361003001"]
    assert ranking(scores, "360100", {})["total"] is None  # no units there
    equal = score_year(Facts({}, [assignment("x"), assignment("y")]), ScoringBook(), 2026, TODAY)
    assert [(row["unit"], row["rank"]) for row in ranking(equal, "361002", {})["unit_ranking"]] == [("x", 1), ("y", 1)]


def test_a_rule_change_rescores_the_same_facts_and_changing_back_gives_the_first_scores_again(tmp_path: Path):
    closed = at("2026-06-01")
    facts = Facts({"m1": {**MEASURE, "start_date": "2026-01-01", "targets": [RATE]}},
                  [assignment(closed_out_at=closed), assignment("u2", region_code="361003")],
                  [step(2, at("2026-05-01"), returned=1), step(3, closed, returned=1, closed_out_at=closed)],
                  [overdue(at("2026-03-01"), at("2026-03-05"))],
                  [report("r1", "2026-Q1", at("2026-03-30"), 出庭应诉率=90)])
    rules = tmp_path / "scoring.yaml"
    a = "base_points: 100\ndefaults: {closed_out_on_time: 2, overdue: 2}\n"
    b = "base_points: 90\ndefaults: {closed_out_on_time: 6, overdue: 1, unmet_rate_target: 3}\n"

    def scored(content: str) -> dict:
        rules.write_text(content, encoding="utf-8")
        book, file = load_scoring_rules(rules)
        return {"version": file.version, "scores": score_year(facts, book, 2026, TODAY)}

    first, changed, again = scored(a), scored(b), scored(a)
    assert changed["scores"] != first["scores"] and changed["version"] != first["version"]
    assert again == first
    # Closed out (the overdue episode had closed before), an overdue episode, a return, a rate unmet in Q1 and
    # Q2's report missing (Q3 began after the closing out).
    assert first["scores"]["u1"]["total"] == 100 + 2 - 2 - 1 - 1 - 1
    assert changed["scores"]["u1"]["total"] == 90 + 6 - 1 - 1 - 3 - 1


def test_the_default_file_says_what_the_built_in_defaults_say():
    book, file = load_scoring_rules(None)
    assert book == ScoringBook() and file is not None and file.path == DEFAULT_SCORING_FILE
    assert book.defaults == ScoringRules()


@pytest.mark.parametrize("content, named", [
    ("defaults: {closed_out_ontime: 2}\n", "defaults.*closed_out_ontime"),
    ("plans: {p1: {overdue: -1}}\n", "plans.p1.*overdue"),
    ("plans: {p1: {reporting_cadence: weekly}}\n", "plans.p1.*reporting_cadence"),
    ("plans: {p1: {indicator_deductions: {未出庭应诉案件数: many}}}\n", "plans.p1.*未出庭应诉案件数"),
    ("base_points: lots\n", "base_points"),
    ("weights: {}\n", "unknown keys: weights"),
    ("plans: [p1]\n", "plans: a mapping"),
    ("defaults: {overdue: [1\n", "expected"),
    ("- 1\n", "a mapping of keys"),
])
def test_a_bad_rules_file_is_refused_at_start_up_naming_the_file_and_the_place(tmp_path: Path, content, named):
    rules = tmp_path / "scoring.yaml"
    rules.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError, match=f"(?s)scoring.yaml: .*{named}"):
        load_scoring_rules(rules)


def test_a_rules_file_named_but_missing_is_refused():
    with pytest.raises(RulesError, match="missing.yaml"):
        load_scoring_rules(Path("/nonexistent/missing.yaml"))


def test_the_day_of_scoring_decides_which_periods_were_due():
    facts = Facts({"m1": {**MEASURE, "start_date": "2026-01-01"}}, [assignment()])
    missing = [{line["rule"]: line["count"] for line in score_year(facts, ScoringBook(), 2026, day)["u1"]["lines"]}
               for day in (date(2026, 4, 10), date(2026, 4, 11), date(2027, 1, 11))]
    assert missing == [{}, {"missing_report": 1}, {"missing_report": 4}]

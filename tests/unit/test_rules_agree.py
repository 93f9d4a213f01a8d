"""Reporting's overdue, lagging, silent and completed-on-time are the alerts service's judgements, at every level.

The alerts domain (services/alerts/domain) is the one home of those rules; reporting counts its alerts' episodes
(services/reporting/domain/flags.py). Here both run on the same generated history under NON-default per-plan
rules (a plan deadline for measures naming none, another cadence, grace and tolerance for one plan; targets held
whenever reported and targets accumulating): the alerts' Evaluator judges the state at the end of each evaluation
day, its transitions become episodes as the alert events carry them (at the instant alerts gives a past day's
transitions), and reporting's evaluate / tally / region_rollup must count, for every region (the city,
each county, each township; its total and its own units), exactly the distinct (measure, unit) pairs the alerts
name. The demo's own rules on 2027-01-15 (issue 11: alerts said 26 overdue, reporting 2) are the last case.
"""

import random
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

import pytest
import yaml

from deploy.demo.load import DEMO, county_measures, demo_assignments, generated_reports
from services.alerts.domain.alerts import Alert
from services.alerts.domain.evaluate import Evaluator
from services.alerts.domain.rules import RulesBook
from services.alerts.domain.transitions import judged_at
from services.intake.domain.plans.measures import plan_measures
from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.registry_file import load_registry
from services.reporting.domain.flags import FLAGGED_KINDS, Flag, flagged_on
from services.reporting.domain.periods import period_of
from services.reporting.domain.rollup import Tally, evaluate, group, region_rollup, tally
from services.tracker.domain.assignments import UnitLookup
from shared.domain.calendar import CHINA, end_of_day, local_date
from shared.domain.regions import within
from tests.unit.reporting.generated import generate_city

TODAY = date(2026, 11, 22)
RULES = RulesBook.from_mapping({
    "defaults": {"silent_grace_days": 20, "lagging_tolerance_points": 10, "lagging_critical_points": 30},
    "plans": {"strict": {"plan_deadline": "2026-06-30", "reporting_cadence": "monthly", "silent_grace_days": 3,
                         "lagging_tolerance_points": 5, "indicator_tolerance": 0.05}},
})
# The alerts' sweeps: every fortnight through two years, and the days the reports are read at.
AS_OF = (date(2025, 12, 31), date(2026, 7, 15), TODAY)
SWEEPS = sorted({*(date(2024, 12, 1) + timedelta(days=14 * n) for n in range(52)), *AS_OF})


def view(assignment: dict, reports: list[dict]) -> dict:
    """The assignment as the tracker's assignment-updated states it, from the reports made so far (the latest
    current; `periods_reported` every period reported on). A completion goes through the loop: four units in five
    have it verified (closed out), the rest wait for verification (chosen by the unit, not the random stream)."""
    current = reports[-1] if reports else {}
    status = current.get("status", "not_started")
    verified = sum(map(ord, assignment["unit"])) % 5 != 0
    return {"measure_id": assignment["measure_id"], "unit": assignment["unit"], "unit_name": assignment["unit_name"],
            "role": assignment["role"], "region_code": assignment["region_code"], "status": status,
            "percent_complete": current.get("percent_complete", 0), "period": current.get("period"),
            "reported_at": current.get("reported_at"),
            "completed_at": current["reported_at"] if status == "completed" else None,
            "indicator_values": current.get("indicator_values", {}),
            "periods_reported": sorted({r["period"] for r in reports}),
            "loop_state": "in_progress" if status != "completed" else "closed_out" if verified
            else "completion_requested"}


def report_history(rng: random.Random, measure: dict) -> list[dict]:
    """Zero to five reports, in time order, each on the quarter or month it was sent in or the one before (a
    late report); progress grows, and a completion is the last report."""
    reports, percent = [], 0.0
    days = sorted(rng.sample(range(0, 900), rng.choice([0, 1, 2, 3, 5])))
    for index, back in enumerate(reversed(days)):
        sent = datetime.combine(TODAY - timedelta(days=back), time(rng.randrange(9, 18)), CHINA)
        on = sent.date() - timedelta(days=rng.choice([0, 0, 20]))
        label = f"{on.year}-{on.month:02d}" if rng.random() < 0.3 else f"{on.year}-Q{(on.month - 1) // 3 + 1}"
        percent = min(100.0, percent + rng.choice([5, 10, 20, 40]))
        done = index == len(days) - 1 and rng.random() < 0.35
        values = {t["indicator"]: float(rng.choice([60, 85, 92, 97])) for t in measure["targets"]}
        reports.append({"period": label, "percent_complete": 100.0 if done else percent,
                        "status": "completed" if done else rng.choice(["in_progress", "in_progress", "blocked"]),
                        "reported_at": sent, "indicator_values": values})
    return reports


def judge(evaluator: Evaluator, histories: list[tuple[dict, list[dict]]], days) -> tuple[dict, list[Flag]]:
    """The alerts judged at the end of each day, and their episodes as the alert events carry them: opened at
    the sweep that first raised the alert (its key: kind, assignment, subject), cleared at the first that did not,
    each sweep judging a past day (as an operator's sweep `as_of` it, after the day)."""
    judged: dict[date, list[Alert]] = {}
    opened: dict[str, tuple[Alert, datetime]] = {}
    flags: list[Flag] = []
    later = end_of_day(max(days))
    for day in days:
        sweep = judged_at(day, later)
        assert sweep == end_of_day(day) - timedelta(seconds=1)  # after every report of the day
        views = [view(a, [r for r in reports if r["reported_at"] < sweep]) for a, reports in histories]
        judged[day] = evaluator.alerts(views, day)
        now = {alert.key: alert for alert in judged[day]}
        for key in [key for key in opened if key not in now]:
            alert, since = opened.pop(key)
            flags.append(Flag(str(alert.kind), alert.measure_id, alert.unit, since, sweep))
        for key, alert in now.items():
            opened.setdefault(key, (alert, sweep))
    flags += [Flag(str(alert.kind), alert.measure_id, alert.unit, since) for alert, since in opened.values()]
    assert not evaluator.skipped
    return judged, flags


def assert_counts_agree(facts, alerts: list[Alert], regions: dict[str, dict]) -> dict[str, int]:
    """Every region's total and own overdue / lagging / silent equal the pairs alerted in it; the city's counts."""
    leaves = group(facts, lambda fact: (fact.region_code,))
    children: dict[str, list[str]] = {}
    for region in regions.values():
        if region.get("parent_code"):
            children.setdefault(region["parent_code"], []).append(region["code"])
    city: dict[str, int] = {}
    for code, region in regions.items():
        rollup = region_rollup(leaves, code, children.get(code, []))
        for kind in FLAGGED_KINDS:
            alerted = {(a.measure_id, a.unit, a.region_code) for a in alerts if a.kind == kind}
            total = {(m, u) for m, u, where in alerted if within(where, code)}
            own = {(m, u) for m, u, where in alerted if where == code}
            assert (getattr(rollup.total, kind), getattr(rollup.own, kind)) == (len(total), len(own)), (code, kind)
            if region["level"] == "city":
                city[kind] = len(total)
    return city


@pytest.fixture(scope="module")
def generated():
    city = generate_city(townships=26, measures=33, assignments=1_800, seed=17, today=TODAY)
    # Half the targets are rates (held whenever reported), half counts (judged on a trajectory).
    measures = {m["_id"]: {**m, "plan_id": "strict" if m["number"] % 2 else "gen",
                           "targets": [{**t, "kind": "rate" if m["number"] % 2 else "count"} for t in m["targets"]]}
                for m in city.measures}
    rng = random.Random(17)
    histories = [(a, report_history(rng, measures[a["measure_id"]])) for a in city.assignments]
    judged, flags = judge(Evaluator(measures, RULES), histories, SWEEPS)
    return city, measures, histories, judged, flags


@pytest.mark.parametrize("as_of", AS_OF)
def test_reportings_counts_are_the_alerts_judgements_in_every_region_under_per_plan_rules(generated, as_of):
    city, measures, histories, judged, flags = generated
    views = [view(a, [r for r in reports if r["reported_at"] < end_of_day(as_of)]) for a, reports in histories]
    facts = evaluate(views, measures, as_of, period_of(as_of), flagged_on(flags, as_of))
    counts = assert_counts_agree(facts, judged[as_of], city.regions)
    assert all(counts[kind] > 0 for kind in FLAGGED_KINDS), counts
    assert {level: sum(r["level"] == level for r in city.regions.values()) for level in ("county", "township")} == {
        "county": 13, "township": 26}
    # The per-plan rules are the ones judged: the strict plan's measures naming no deadline fall due on its plan
    # deadline, the other plan's never do.
    undated = {m for m, measure in measures.items() if not measure["deadlines"]}
    overdue_undated = {measures[a.measure_id]["plan_id"] for a in judged[as_of]
                       if a.kind == "overdue" and a.measure_id in undated}
    assert overdue_undated == ({"strict"} if as_of > date(2026, 6, 30) else set())


def test_completed_on_time_is_completed_with_no_overdue_alert_open_when_it_was_completed(generated):
    city, measures, histories, judged, flags = generated
    views = [view(a, reports) for a, reports in histories]
    facts = evaluate(views, measures, TODAY, period_of(TODAY), flagged_on(flags, TODAY))
    sweeps = sorted(judged)
    late = 0
    for fact, current in zip(facts, views, strict=True):
        if fact.status != "completed":
            assert not fact.on_time
            continue
        # The last sweep before the completion judged the assignment as it stood before it.
        before = [day for day in sweeps if end_of_day(day) - timedelta(seconds=1) < current["completed_at"]]
        overdue_then = bool(before) and any(a.kind == "overdue" and (a.measure_id, a.unit) == (
            fact.measure_id, fact.unit) for a in judged[before[-1]])
        assert fact.on_time is not overdue_then, fact
        late += overdue_then
    figures = tally(facts)
    assert 0 < late and figures.completed_on_time == figures.completed - late
    # A completion waiting for verification is neither completed nor on time, whatever the alerts said.
    waiting = [v for v in views if v["loop_state"] == "completion_requested"]
    assert figures.awaiting_verification == len(waiting) > 0
    assert figures.completed == sum(v["loop_state"] == "closed_out" for v in views)
    # …and the figures of the regions still add up to the city's.
    leaves = group(facts, lambda fact: (fact.region_code,))
    assert region_rollup(leaves, "361000").total == sum(leaves.values(), Tally()) == figures


def demo_state() -> tuple[dict[str, dict], list[dict], dict[str, dict], RulesBook]:
    """The demo as `make run` loads it (deploy/demo): the plan's measures and the counties' for their townships,
    each assignment's current report (the latest sent; a named report may come from a unit the plan does not
    name), the registry and the alert rules."""
    demo = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    plan, registry_file = demo["plan"], DEMO.parent / demo["registry"]
    document = DEMO.parent / plan["file"]
    registry = load_registry(registry_file)
    measures = {m.measure_id: m.model_dump(mode="json") for m in [*plan_measures(
        parse_plan(document.read_text(encoding="utf-8")), plan["plan_id"], plan["region_code"],
        date.fromisoformat(plan["start_date"])), *county_measures(demo, registry)]}
    lookup = UnitLookup(registry)
    named = [{"reported_at": f"{demo['generated']['reported_on']}T18:00:00+08:00", **report}
             for report in demo["progress"]]
    assignments = {(a.measure_id, a.unit): asdict(a) for a in demo_assignments(demo, registry_file, document)}
    reports: dict[tuple[str, str], list[dict]] = {}
    for report in [*generated_reports(demo, registry_file, document), *named]:
        unit = lookup.reporting_unit(report["unit"], report["region_code"])
        assignments.setdefault((report["measure_id"], unit), {
            "measure_id": report["measure_id"], "unit": unit, "unit_name": report["unit"], "role": None,
            "region_code": report["region_code"]})
        reports.setdefault((report["measure_id"], unit), []).append(
            {**report, "reported_at": datetime.fromisoformat(report["reported_at"])})
    views = [view(a, sorted(reports.get(key, []), key=lambda r: r["reported_at"]))
             for key, a in assignments.items()]
    regions = {region.code: region.model_dump(mode="json") for region in registry.regions}
    rules = RulesBook.from_mapping(yaml.safe_load((DEMO.parent / demo["alert_rules"]).read_text(encoding="utf-8")))
    return measures, views, regions, rules


def test_the_demo_judged_by_its_own_rules_on_2027_01_15_counts_the_alerts_overdue_in_reporting():
    # Issue 11: reporting restated the deadline rule without the demo's plan_deadline and counted overdue 52
    # assignments of 2 measures where alerts flagged every unfinished assignment of all 26, due by 2026-12-31.
    measures, views, regions, rules = demo_state()
    day = date(2027, 1, 15)
    alerts = Evaluator(measures, rules).alerts(views, day)
    flags = [Flag(str(a.kind), a.measure_id, a.unit, datetime.combine(day, time(0, 5), CHINA)) for a in alerts]
    facts = evaluate(views, measures, day, period_of(day), flagged_on(flags, day))
    counts = assert_counts_agree(facts, alerts, regions)
    not_completed = sum(v["status"] != "completed" for v in views)
    # Every unfinished assignment is past its deadline: the city plan's 655, and 75 of the counties' measures for
    # their townships (due in 2026, or quarterly).
    assert counts["overdue"] == not_completed == 655 + 75
    assert len({fact.measure_id for fact in facts if fact.overdue}) == len(measures) == 26 + 33  # was 2 of 26
    q3 = tally(evaluate(views, measures, date(2026, 9, 30), period_of(date(2026, 9, 30))))
    assert 0 < q3.units_reported < q3.units  # the third quarter's reports, sent on 8 October, count for it
    assert tally(facts).units_reported == 0  # …and none is on 2027-Q1
    assert all(local_date(v["reported_at"]) == date(2026, 10, 8) for v in views if v["reported_at"])

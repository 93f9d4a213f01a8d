"""Every rule for every assignment on one day: the open alerts, computed from the measures and the assignments' states
alone (as the tracker publishes them in assignment-updated; alerts keeps its copies: storage/inputs.py)."""

from collections.abc import Iterable, Mapping
from datetime import date

from services.alerts.domain.alerts import Alert
from services.alerts.domain.lagging import lagging
from services.alerts.domain.loop import awaiting_verification, unsigned
from services.alerts.domain.overdue import due_soon, overdue
from services.alerts.domain.rules import AlertRules, RulesBook
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.silent import silent


def evaluate(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> list[Alert]:
    """The alerts one assignment raises today (each rule at most once per key); none once it is closed out (销号:
    the loop is done, whatever its deadlines and reports say)."""
    if assignment.get("loop_state") == "closed_out":
        return []
    found = [overdue(schedule, assignment, today, rules), due_soon(schedule, assignment, today, rules)]
    found += lagging(schedule, assignment, today, rules)
    found += [silent(schedule, assignment, today, rules), unsigned(schedule, assignment, today, rules),
              awaiting_verification(schedule, assignment, today, rules)]
    return [a for a in found if a]


class Evaluator:
    """Reads each measure into a Schedule once, under its plan's rules, then judges its assignments."""

    def __init__(self, measures: Mapping[str, dict], book: RulesBook):
        self.measures = measures
        self.book = book
        self.schedules: dict[str, tuple[Schedule, AlertRules] | None] = {}
        # (measure_id, unit, why) of each assignment no rule could judge, for the caller to log.
        self.skipped: list[tuple[str, str, str]] = []
        # The assignments the rules judged (their measure known, no rule failing): the ones that get a light.
        self.judged: list[dict] = []

    def schedule(self, measure_id: str) -> tuple[Schedule, AlertRules] | None:
        if measure_id not in self.schedules:
            measure = self.measures.get(measure_id)
            if measure is None:
                return None
            rules = self.book.for_plan(measure.get("plan_id"))
            try:
                schedule = Schedule.of({"measure_id": measure_id, **measure}, rules.plan_deadline)
            except (ValueError, TypeError, KeyError, OverflowError):  # a stored measure no schedule fits
                schedule = None
            self.schedules[measure_id] = (schedule, rules) if schedule else None
        return self.schedules[measure_id]

    def alerts(self, assignments: Iterable[dict], today: date, judge=evaluate) -> list[Alert]:
        """The open alerts of these assignments (an assignment of an unknown measure raises none). An assignment a
        rule cannot judge (a date at the calendar's edge, a figure of the wrong type that got into the state) is
        skipped and listed in `skipped`, never the whole evaluation: one record must not silence every alert.
        `judge`: the rules to apply (default every rule; as evaluate's signature, returning a list)."""
        found = []
        for assignment in assignments:
            try:
                known = self.schedule(assignment["measure_id"])
                if known:
                    found += judge(known[0], assignment, today, known[1])
                    self.judged.append(assignment)
            except Exception as error:  # any rule failing on one record: the reason is kept
                self.skipped.append((assignment.get("measure_id"), assignment.get("unit"), repr(error)))
        return found


def evaluate_all(measures: Mapping[str, dict], assignments: Iterable[dict], today: date,
                 book: RulesBook | None = None) -> list[Alert]:
    return Evaluator(measures, book or RulesBook()).alerts(assignments, today)

"""Every rule for every assignment on one day: the open alerts, computed from the tracker's state alone."""

from collections.abc import Iterable, Mapping
from datetime import date

from services.alerts.domain.alerts import Alert
from services.alerts.domain.lagging import lagging
from services.alerts.domain.overdue import due_soon, overdue
from services.alerts.domain.rules import AlertRules, RulesBook
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.silent import silent


def evaluate(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> list[Alert]:
    """The alerts one assignment raises today (each rule at most once per key)."""
    found = [overdue(schedule, assignment, today, rules), due_soon(schedule, assignment, today, rules)]
    found += lagging(schedule, assignment, today, rules)
    found.append(silent(schedule, assignment, today, rules))
    return [a for a in found if a]


class Evaluator:
    """Reads each measure into a Schedule once, under its plan's rules, then judges its assignments."""

    def __init__(self, measures: Mapping[str, dict], book: RulesBook):
        self.measures = measures
        self.book = book
        self.schedules: dict[str, tuple[Schedule, AlertRules]] = {}

    def schedule(self, measure_id: str) -> tuple[Schedule, AlertRules] | None:
        if measure_id not in self.schedules:
            measure = self.measures.get(measure_id)
            if measure is None:
                return None
            rules = self.book.for_plan(measure.get("plan_id"))
            self.schedules[measure_id] = (Schedule.of({"measure_id": measure_id, **measure}, rules.plan_deadline),
                                          rules)
        return self.schedules[measure_id]

    def alerts(self, assignments: Iterable[dict], today: date) -> list[Alert]:
        """The open alerts of these assignments (an assignment of an unknown measure raises none)."""
        found = []
        for assignment in assignments:
            known = self.schedule(assignment["measure_id"])
            if known:
                found += evaluate(known[0], assignment, today, known[1])
        return found


def evaluate_all(measures: Mapping[str, dict], assignments: Iterable[dict], today: date,
                 book: RulesBook | None = None) -> list[Alert]:
    return Evaluator(measures, book or RulesBook()).alerts(assignments, today)

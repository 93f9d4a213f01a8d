"""The demo city's supervision loop (督办闭环), walked through intake's loop routes as its units and offices would:
units sign for (签收) what they report on, those that reported completion ask to close it (办结申请), the lead unit
or the supervising office verifies (核查销号) most, leaves some waiting and returns (退回) a few, whose units then
carry on. What is drawn (fuzhou.yaml's `loop`, a fixed seed) and when (fixed times) is the same on every load, and
each step goes under its own Idempotency-Key, so a second load gets the first load's event ids back."""

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import httpx

from services.tracker.domain.assignments import Assignment
from shared.domain.calendar import CHINA

CONCURRENCY = 12  # calls in flight at once: enough to keep intake and the tracker busy, few enough for two cores
APPLIED_TIMEOUT_SECONDS = 120  # how long a step may take to reach the tracker (a loaded machine, a rebalance)
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Step:
    """One step as the demo takes it: intake's action (`sign`, `request-completion`, `verify`, `return`) on an
    assignment, with the body it sends."""

    action: str
    assignment: Assignment
    body: dict

    @property
    def path(self) -> str:
        return f"/v1/measures/{self.assignment.measure_id}/units/{self.assignment.unit}:{self.action}"

    @property
    def idempotency_key(self) -> str:
        return f"demo|{self.action}|{self.assignment.key}"


@dataclass(frozen=True)
class DemoLoop:
    """The steps in the order they must reach the tracker (a request needs its signing applied, a check its
    request), and the reports the returned units send after the return."""

    signings: list[Step]
    requests: list[Step]
    checks: list[Step]
    follow_ups: list[dict]

    def summary(self) -> dict[str, int]:
        """How many were signed for, asked to close, closed out, left awaiting verification and returned."""
        checked = Counter(step.action for step in self.checks)
        return {"signed": len(self.signings), "completion_requested": len(self.requests),
                "closed_out": checked["verify"], "awaiting_verification": len(self.requests) - len(self.checks),
                "returned": checked["return"]}


def demo_loop(spec: dict, assignments: list[Assignment], issuers: dict[str, str],
              current_status: dict[str, str]) -> DemoLoop:
    """The loop of the assignments reported on (`current_status`: assignment key -> the status of its current
    report), per fuzhou.yaml's `loop` (`spec`): every one signed for but a share (`unsigned`), each reported
    completed asked to close, then `returned` of them returned, a share (`awaiting`) left waiting, the rest closed
    out by a lead unit of the measure (for a responsible unit) or by the government office of the region that
    issued the measure (`issuers`: measure id -> region code; the office's 督查室 supervises its lead units)."""
    rng = random.Random(spec["seed"])
    leads: dict[str, set[str]] = {}
    for assignment in assignments:
        if assignment.role == "lead" and assignment.resolved:
            leads.setdefault(assignment.measure_id, set()).add(assignment.unit)
    reported = [a for a in assignments if a.resolved and a.key in current_status]
    completed = [a for a in reported if current_status[a.key] == "completed"]
    signed = [a for a in reported if current_status[a.key] == "completed" or rng.random() >= spec["unsigned"]]
    signings = [Step("sign", a, {"region_code": a.region_code, "by": spec["signed_by"],
                                 "signed_at": at(spec["signed_on"], rng.randint(9, 17))}) for a in signed]
    requests = [Step("request-completion", a, {
        "region_code": a.region_code, "by": spec["requested_by"], "requested_at": at(spec["requested_on"], 10),
        "narrative": spec["narrative"], "evidence": spec["evidence"]}) for a in completed]
    checkable = [(a, checker) for a in completed
                 if (checker := verifier(a, leads.get(a.measure_id, set()), f"{issuers[a.measure_id]}.office"))]
    rng.shuffle(checkable)
    returned, rest = checkable[:spec["returned"]], checkable[spec["returned"]:]
    verified = rest[round(spec["awaiting"] * len(rest)):]
    checks = [*(check_step("return", a, checker, spec, {"reason": spec["return_reason"]}) for a, checker in returned),
              *(check_step("verify", a, checker, spec, {"remark": spec["remark"]}) for a, checker in verified)]
    follow_ups = [{"measure_id": a.measure_id, "unit": a.unit, "region_code": a.region_code,
                   "period": spec["follow_up"]["period"], "percent_complete": spec["follow_up"]["percent_complete"],
                   "status": "in_progress", "narrative": spec["follow_up"]["narrative"],
                   "reported_at": at(spec["follow_up"]["reported_on"], 15)} for a, _ in returned]
    return DemoLoop(signings, requests, checks, follow_ups)


def verifier(assignment: Assignment, leads: set[str], office: str) -> tuple[str, str] | None:
    """Who checks the assignment's completion: (`lead_unit`, a lead unit) for a responsible unit, else
    (`supervising_office`, the office); None when that would be the unit itself (no unit checks itself)."""
    if leads and assignment.unit not in leads:
        return "lead_unit", min(leads)
    return None if office == assignment.unit else ("supervising_office", office)


def check_step(action: str, assignment: Assignment, checker: tuple[str, str], spec: dict, extra: dict) -> Step:
    kind, unit = checker
    time_field = {"verify": "verified_at", "return": "returned_at"}[action]
    return Step(action, assignment, {"region_code": assignment.region_code, "by": spec["checked_by"],
                                     "verifier": kind, "verifier_unit": unit,
                                     time_field: at(spec["checked_on"], 16), **extra})


def at(day: str, hour: int) -> str:
    """The hour of the day in China time, as the step's ISO 8601 time."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CHINA).isoformat()


def walk(intake: httpx.Client, tracker: httpx.Client, loop: DemoLoop,
         send_reports: Callable[[list[dict]], None]) -> None:
    """Takes the loop's steps through intake, CONCURRENCY at a time, each group once the tracker applied the steps
    of the one before that a step follows (intake's routes ask the tracker to judge a step: a request before its
    signing is applied is refused), and returns once it applied the verifications and returns;
    the returned units' reports go through `send_reports` after the returns. Raises RuntimeError for a step intake
    or the tracker refused, TimeoutError for one the tracker did not apply within APPLIED_TIMEOUT_SECONDS."""
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        deadline = time.monotonic() + APPLIED_TIMEOUT_SECONDS
        list(pool.map(lambda measure: await_assignments(tracker, measure, deadline),
                      grouped(step.assignment for step in loop.signings).items()))
        for steps, awaited in ((loop.signings, {step.assignment.key for step in loop.requests}),
                               (loop.requests, {step.assignment.key for step in loop.checks}),
                               (loop.checks, {step.assignment.key for step in loop.checks})):
            events = list(pool.map(lambda step: take(intake, step), steps))
            # Only where a step follows (and the last), since each wait is a read of a timeline at the tracker.
            followed = [(step, event) for step, event in zip(steps, events, strict=True)
                        if step.assignment.key in awaited]
            list(pool.map(partial(await_applied, tracker, time.monotonic() + APPLIED_TIMEOUT_SECONDS), followed))
    send_reports(loop.follow_ups)


def grouped(assignments: Iterable[Assignment]) -> dict[str, set[str]]:
    measures: dict[str, set[str]] = {}
    for assignment in assignments:
        measures.setdefault(assignment.measure_id, set()).add(assignment.unit)
    return measures


def take(intake: httpx.Client, step: Step) -> str:
    """Sends the step; its event id."""
    answer = unthrottled(lambda: intake.post(step.path, json=step.body,
                                             headers={"Idempotency-Key": step.idempotency_key}))
    if answer.status_code != 202:
        raise RuntimeError(f"intake refused the demo's {step.action} of {step.assignment.key}: {answer.text}")
    return answer.json()["event_id"]


def await_assignments(tracker: httpx.Client, measure: tuple[str, set[str]], deadline: float) -> None:
    """Until the tracker holds the measure's assignments of these units (a step on one it lacks is refused)."""
    measure_id, units = measure

    def held() -> bool:
        answer = unthrottled(lambda: tracker.get(f"/v1/measures/{measure_id}"))
        return answer.status_code == 200 and units <= {a["unit"] for a in answer.json()["assignments"]}

    poll(held, deadline, f"the tracker's assignments of {measure_id}")


def await_applied(tracker: httpx.Client, deadline: float, sent: tuple[Step, str]) -> None:
    """Until the step (sent under this event id) is in the assignment's timeline at the tracker; RuntimeError if it
    did not count there."""
    step, event_id = sent
    path = f"/v1/measures/{step.assignment.measure_id}/units/{step.assignment.unit}/timeline"

    def applied() -> bool:
        answer = unthrottled(lambda: tracker.get(path))
        kept = answer.status_code == 200 and next(
            (kept for kept in answer.json()["steps"] if kept["event_id"] == event_id), None)
        if kept and not kept["counted"]:
            raise RuntimeError(f"the tracker refused the demo's {step.action} of {step.assignment.key}: "
                               f"{kept['refusal']}")
        return bool(kept)

    poll(applied, deadline, f"the demo's {step.action} of {step.assignment.key} at the tracker")


def poll(check: Callable[[], bool], deadline: float, what: str) -> None:
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not applied within {APPLIED_TIMEOUT_SECONDS} s: {what}")
        time.sleep(POLL_SECONDS)


def unthrottled(request: Callable[[], httpx.Response]) -> httpx.Response:
    """The answer once not 429: with a clients file, a key may send DUBAN_RATE_LIMIT requests to a process."""
    while (answer := request()).status_code == 429:
        time.sleep(float(answer.headers.get("Retry-After", 1)))
    return answer

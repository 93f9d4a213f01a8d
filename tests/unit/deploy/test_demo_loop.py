"""The demo city's supervision loop (deploy/demo/loop.py) as the loader draws it from fuzhou.yaml: the same on every
load, and every step one the tracker's loop rule takes, ending where the loader's summary says."""

from collections import Counter

import pytest
import yaml

from deploy.demo.load import DEMO, current_statuses, demo_assignments, demo_loop_of, demo_reports
from services.tracker.domain.loop import Step, loop_of
from shared.contracts import AssignmentSigning, CompletionRequest, CompletionReturn, CompletionVerification
from shared.contracts.loop import LoopState

# Each of intake's actions: the event it publishes and the contract its body must make.
EVENTS = {"sign": ("assignment-signed", AssignmentSigning),
          "request-completion": ("completion-requested", CompletionRequest),
          "verify": ("completion-verified", CompletionVerification),
          "return": ("completion-returned", CompletionReturn)}


@pytest.fixture(scope="module")
def demo():
    spec = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    registry, document = DEMO.parent / spec["registry"], DEMO.parent / spec["plan"]["file"]
    current = current_statuses(demo_reports(spec, registry, document), registry)
    return spec, demo_assignments(spec, registry, document), current, demo_loop_of(spec, registry, document, current)


def test_the_loop_is_drawn_the_same_on_every_load_so_a_second_load_sends_the_same_steps(demo):
    spec, _, current, loop = demo
    registry, document = DEMO.parent / spec["registry"], DEMO.parent / spec["plan"]["file"]
    assert demo_loop_of(spec, registry, document, current) == loop
    keys = [step.idempotency_key for step in [*loop.signings, *loop.requests, *loop.checks]]
    assert len(keys) == len(set(keys))


def test_most_reporting_units_sign_the_completed_ask_to_close_and_most_are_closed_out(demo):
    _, assignments, current, loop = demo
    reported = {a.key for a in assignments if a.resolved and a.key in current}
    signed = {step.assignment.key for step in loop.signings}
    completed = {key for key in reported if current[key] == "completed"}
    assert signed < reported and 0 < len(reported - signed) < len(reported) / 10  # a few reported unsigned
    assert {step.assignment.key for step in loop.requests} == completed <= signed
    summary = loop.summary()
    assert summary["closed_out"] > summary["awaiting_verification"] > summary["returned"] == 2
    assert summary["closed_out"] + summary["awaiting_verification"] + summary["returned"] == len(completed)
    assert {(r["measure_id"], r["unit"], r["status"]) for r in loop.follow_ups} == {
        (s.assignment.measure_id, s.assignment.unit, "in_progress") for s in loop.checks if s.action == "return"}


def test_every_step_is_one_the_tracker_takes_and_each_assignment_ends_where_the_summary_counts_it(demo):
    _, assignments, _, loop = demo
    leads: dict[str, set[str]] = {}
    for a in assignments:
        if a.role == "lead" and a.resolved:
            leads.setdefault(a.measure_id, set()).add(a.unit)
    steps: dict[str, list[Step]] = {}
    for index, step in enumerate([*loop.signings, *loop.requests, *loop.checks]):
        event_type, contract = EVENTS[step.action]
        sent = contract.model_validate({**step.body, "measure_id": step.assignment.measure_id,
                                        "unit": step.assignment.unit})
        steps.setdefault(step.assignment.key, []).append(
            Step(event_type, f"event-{index}", sent.at, sent.model_dump(mode="json")))
    ends = Counter()
    for key, taken in steps.items():
        measure_id, unit = key.split("|")
        found = loop_of(taken, unit, leads.get(measure_id, set()))
        assert [refusal for _, refusal in found.timeline] == [None] * len(taken), key
        ends[found.state(reported=True), found.returned_count] += 1
    summary = loop.summary()
    assert ends == {(LoopState.CLOSED_OUT, 0): summary["closed_out"],
                    (LoopState.COMPLETION_REQUESTED, 0): summary["awaiting_verification"],
                    (LoopState.IN_PROGRESS, 1): summary["returned"],
                    (LoopState.IN_PROGRESS, 0): summary["signed"] - summary["completion_requested"]}
    assert {step.body["verifier"] for step in loop.checks} == {"lead_unit", "supervising_office"}

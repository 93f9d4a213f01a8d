"""The supervision loop (督办闭环) of one assignment: which steps count, and where the assignment stands.

assigned ─签收─▶ signed ─(first progress report)─▶ in progress ─办结申请─▶ completion requested
completion requested ─核查销号─▶ closed out ─reopened─▶ in progress
completion requested ─退回─▶ in progress (returned_count + 1)

The loop is decided from the SET of steps received (shared/contracts/loop.py), taken in the order of their own time,
ties by event id (domain/versions.py, as progress reports are ordered): a step that arrives late but happened
earlier is put in its place and the steps after it are judged again, so every delivery order ends in the same
loop. A step that may not be taken where it stands is refused with the reason and changes nothing:
- `conflict` (HTTP 409): signing twice, requesting before signing or while a request waits or once closed out,
  verifying or returning without a waiting request, reopening what is not closed out;
- `not_allowed` (HTTP 422): a unit checking its own completion, or a `lead_unit` verifier that is not a lead unit
  of the measure (the supervising office in scope is whoever intake authorised for the region).
A progress report is not a step: any report counts as taking the work up (signed → in progress), whenever it came.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from services.tracker.domain.versions import Version
from shared.contracts.loop import CHECKING_STEPS, LoopEvent, LoopState
from shared.domain.calendar import china_time

Phase = Literal["open", "requested", "closed"]
RefusalKind = Literal["conflict", "not_allowed"]


@dataclass(frozen=True)
class Step:
    """One loop event as the tracker keeps it: its type (`assignment-signed`, …), id, time, and its data as JSON."""

    type: str
    event_id: str
    at: datetime
    data: dict

    @property
    def version(self) -> Version:
        return Version(self.at, self.event_id)


@dataclass(frozen=True)
class Refusal:
    """`kind` a slug clients key on; `reason` for the people of the units, in Chinese and China time."""

    kind: RefusalKind
    reason: str


@dataclass(frozen=True)
class Loop:
    """The loop after some steps: `timeline` holds every step in order with its refusal (None: it counted)."""

    phase: Phase = "open"
    signed_at: datetime | None = None
    completion_requested_at: datetime | None = None
    closed_out_at: datetime | None = None
    returned_count: int = 0
    taken_up: bool = False  # returned or reopened: back in progress even before a new report
    # The evidence files (shared/contracts/evidence.py, as JSON) of every counted completion request, each once in
    # the order first cited: a returned request's files stay the assignment's evidence when the next one cites none.
    request_evidence: tuple[dict, ...] = ()
    timeline: tuple[tuple[Step, Refusal | None], ...] = field(default=())

    def state(self, reported: bool) -> LoopState:
        """The loop state, given whether the assignment has a counted progress report."""
        if self.phase == "closed":
            return LoopState.CLOSED_OUT
        if self.phase == "requested":
            return LoopState.COMPLETION_REQUESTED
        if reported or self.taken_up:
            return LoopState.IN_PROGRESS
        return LoopState.SIGNED if self.signed_at else LoopState.ASSIGNED

    def fields(self, reported: bool) -> dict:
        """What assignment-updated says of the loop (shared/contracts/assignments.py)."""
        return {"loop_state": self.state(reported), "signed_at": self.signed_at,
                "completion_requested_at": self.completion_requested_at, "closed_out_at": self.closed_out_at,
                "returned_count": self.returned_count}

    def refusal_of(self, event_id: str) -> Refusal | None:
        return next((refusal for step, refusal in self.timeline if step.event_id == event_id), None)


def step_of(event: LoopEvent) -> Step:
    return Step(event.type, event.id, event.data.at, event.data.model_dump(mode="json"))


def verifier_refusal(step: Step, unit: str, lead_units: frozenset[str]) -> Refusal | None:
    """Who may check a completion (verify, return, reopen): never the unit itself; a lead unit only of this measure."""
    checker = step.data["verifier_unit"]
    if checker == unit:
        return Refusal("not_allowed", f"{unit} 不能核查本单位的办结：由牵头单位或督查机构核查")
    if step.data["verifier"] == "lead_unit" and checker not in lead_units:
        leads = "、".join(sorted(lead_units)) or "无"
        return Refusal("not_allowed", f"{checker} 不是措施 {step.data['measure_id']} 的牵头单位（牵头单位：{leads}）")
    return None


def judge(loop: Loop, step: Step, unit: str, lead_units: frozenset[str]) -> Refusal | None:
    """Why `step` may not be taken where `loop` stands (None: it may)."""
    if step.type in CHECKING_STEPS and (refusal := verifier_refusal(step, unit, lead_units)):
        return refusal
    match step.type, loop.phase:
        case "assignment-signed", _ if loop.signed_at is not None:
            return Refusal("conflict", f"已于 {china_time(loop.signed_at)} 签收，不能重复签收")
        case "completion-requested", _ if loop.signed_at is None:
            return Refusal("conflict", "尚未签收：请先签收，再提出办结申请")
        case "completion-requested", "requested":
            return Refusal("conflict", f"{china_time(loop.completion_requested_at)} 提出的办结申请正在等待核查")
        case "completion-requested", "closed":
            return Refusal("conflict", "已销号：请先重新打开")
        case "completion-verified" | "completion-returned", phase if phase != "requested":
            return Refusal("conflict", "没有等待核查的办结申请")
        case "assignment-reopened", phase if phase != "closed":
            return Refusal("conflict", "尚未销号：只有已销号的任务才能重新打开")
    return None


def taken(loop: Loop, step: Step) -> Loop:
    """The loop once `step` (judged allowed) is taken."""
    match step.type:
        case "assignment-signed":
            return replace(loop, signed_at=step.at)
        case "completion-requested":
            cited = {file["id"]: file for file in [*loop.request_evidence, *step.data.get("evidence_files", ())]}
            return replace(loop, phase="requested", completion_requested_at=step.at,
                           request_evidence=tuple(cited.values()))
        case "completion-verified":
            return replace(loop, phase="closed", closed_out_at=step.at)
        case "completion-returned":
            return replace(loop, phase="open", completion_requested_at=None, returned_count=loop.returned_count + 1,
                           taken_up=True)
        case "assignment-reopened":
            return replace(loop, phase="open", completion_requested_at=None, closed_out_at=None, taken_up=True)
    raise ValueError(f"{step.type} is not a step of the loop")


def loop_of(steps: Iterable[Step], unit: str, lead_units: Iterable[str]) -> Loop:
    """The loop of the assignment of `unit` from its steps (any order, each event id once), the measure's lead
    units given (registry ids or names, as the tracker keys them)."""
    leads, loop, timeline = frozenset(lead_units), Loop(), []
    unique = {step.event_id: step for step in steps}.values()
    for step in sorted(unique, key=lambda s: s.version):
        refusal = judge(loop, step, unit, leads)
        if refusal is None:
            loop = taken(loop, step)
        timeline.append((step, refusal))
    return replace(loop, timeline=tuple(timeline))


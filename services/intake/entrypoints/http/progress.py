"""Progress reports in, one at a time or a month's at once, each admitted by the same rules
(usecases/progress_acceptance.py); withdrawals of a report that should not count."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field, ValidationError

from services.intake.entrypoints.http.dependencies import EventSource, Evidence, Idempotency, Progress, Settings
from services.intake.entrypoints.http.evidence import EvidenceIds, cited
from services.intake.entrypoints.http.problems import Accepted, answering, as_problem
from services.intake.storage.publisher import BrokerUnavailable
from shared.contracts import ProgressReport, ProgressReported, ProgressWithdrawal
from shared.contracts.measures import Name
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import Problem, validation_errors

router = APIRouter(prefix="/v1/progress", tags=["progress"])

# Reports per batch: a district's month (a few hundred assignments) in one call. The JSON body limit (512 KiB,
# shared/web/problems.py) applies as well: a thousand reports with long narratives are sent in two calls.
MAX_BATCH_REPORTS = 1000


class ReportBody(ProgressReport):
    """A progress report as a client sends it: its stored evidence files by id (`evidence_ids`); the event
    carries their references (`evidence_files`), which a client does not send."""

    evidence_ids: EvidenceIds
    evidence_files: None = None


async def report_of(body: ReportBody, evidence: Evidence, caller: Caller) -> ProgressReport:
    """The report to admit, authorised for its region, its evidence ids resolved (422 naming an unknown one)."""
    authorise(caller, body.region_code, f"{body.unit} 的报告(按请求所填区划)")
    return ProgressReport(**await cited(body, evidence, caller))


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=problem_responses(403, 413, 503))
async def report_progress(body: ReportBody, progress: Progress, evidence: Evidence, settings: Settings,
                          idempotency: Idempotency, caller: Caller, source: EventSource) -> Accepted:
    """Accept a unit's progress report on a measure for a period and publish it as progress-reported (for a unit
    of the caller's region or below). 422 when its time or period lies outside the reporting window, it names
    a measure or unit intake knows not to exist (services/intake/domain/admission.py), or an evidence id intake
    does not hold for the caller (`unknown-evidence`)."""
    report = await report_of(body, evidence, caller)
    with answering(settings.retry_after_seconds):
        event = await progress.admit(report, source, idempotency)
        # Cited before publishing: an event never names a file its region cannot fetch.
        await evidence.cite(report.evidence_files, report.region_code, report.assignment_key)
        await progress.publish(event)
    return Accepted.of(event, progress.topics.progress_reported)


class ProgressBatch(BaseModel):
    reports: list[Any] = Field(
        min_length=1, max_length=MAX_BATCH_REPORTS,
        description="Progress reports, each as POST /v1/progress takes one (evidence by `evidence_ids`); each is "
                    "validated on its own (an item that is not a report is refused alone).")


class BatchItem(BaseModel):
    """One report's outcome: `status` 202 with its `event_id`, or the status of `problem` (RFC 9457) saying why
    it was not accepted (422 invalid or refused, 403 outside the caller's region, 503 Kafka did not confirm it)."""

    index: int
    status: int
    event_id: str | None = None
    problem: dict | None = None


class BatchOutcome(BaseModel):
    accepted: int
    refused: int
    items: list[BatchItem]


def problem_item(index: int, problem: Problem) -> BatchItem:
    document = {"type": f"/problems/{problem.slug}", "title": problem.title, "status": problem.status,
                "detail": problem.detail, **problem.extensions}
    return BatchItem(index=index, status=problem.status, problem=document)


@router.post(":batch", status_code=status.HTTP_202_ACCEPTED, response_model=BatchOutcome,
             responses=problem_responses(413, 503))
async def report_progress_batch(batch: ProgressBatch, progress: Progress, evidence: Evidence, settings: Settings,
                                idempotency: Idempotency, caller: Caller, source: EventSource) -> BatchOutcome:
    """Accept up to 1,000 progress reports at once (a district system's month): each is validated and admitted
    on its own, exactly as by POST /v1/progress, and the accepted ones are published together. 202 with one item
    per report, in order: accepted (its event id) or why not (a problem document), like a 207 multi-status. A
    retried batch with the same Idempotency-Key gets each report's first event id back (item i is keyed
    `<key>#<i>`). 422 for a body that is not {"reports": [1 to 1,000 items]}; 503 when Kafka is not reachable."""
    retry_after = settings.retry_after_seconds
    if not progress.publisher.connected:
        raise as_problem(BrokerUnavailable("消息中间件 Kafka 暂不可用"), retry_after)
    items: dict[int, BatchItem] = {}
    reports: dict[int, ProgressReport] = {}
    for index, item in enumerate(batch.reports):
        try:
            reports[index] = await report_of(ReportBody.model_validate(item), evidence, caller)
        except ValidationError as error:
            errors = validation_errors(error)
            fields = ", ".join(sorted({e["field"] for e in errors}))
            items[index] = problem_item(index, Problem(
                422, "Invalid report", f"The report does not match the contract: {fields}", slug="validation-error",
                errors=errors))
        except Problem as problem:
            items[index] = problem_item(index, problem)
    events: dict[int, ProgressReported] = {}
    for index, outcome in (await progress.admit_all(reports, source, idempotency)).items():
        if isinstance(outcome, ProgressReported):
            report = reports[index]
            with answering(retry_after):  # cited before publishing, as by POST /v1/progress
                await evidence.cite(report.evidence_files, report.region_code, report.assignment_key)
            events[index] = outcome
        elif (problem := as_problem(outcome, retry_after)) is not None:
            items[index] = problem_item(index, problem)
        else:
            raise outcome
    published = await progress.publish_all(list(events.values()))
    for (index, event), failure in zip(events.items(), published, strict=True):
        if failure is None:
            items[index] = BatchItem(index=index, status=202, event_id=event.id)
        elif isinstance(failure, BrokerUnavailable):
            items[index] = problem_item(index, as_problem(failure, retry_after))
        else:
            raise failure
    ordered = [items[index] for index in range(len(batch.reports))]
    accepted = sum(item.status == 202 for item in ordered)
    return BatchOutcome(accepted=accepted, refused=len(ordered) - accepted, items=ordered)


class Withdrawal(ProgressWithdrawal):
    """A withdrawal as an operator asks for it: the report's key and why; the event id is in the path, and `by`
    is the calling client (given here only when intake runs without clients)."""

    event_id: None = None
    by: Name | None = None


@router.post("/{event_id}:withdraw", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=problem_responses(403, 503))
async def withdraw_progress(
    event_id: Annotated[str, Path(min_length=1, max_length=256)], withdrawal: Withdrawal, progress: Progress,
    settings: Settings, caller: Caller, source: EventSource,
) -> Accepted:
    """Withdraw a report that should not count (publish progress-withdrawn): the tracker takes it out of the
    current state (the assignment's next latest report becomes current) and keeps it in the history, marked
    withdrawn. To supersede a report, withdraw it and send the corrected one. Authorised like a report: for a
    unit of the caller's region or below."""
    authorise(caller, withdrawal.region_code, f"{withdrawal.unit} 的报告(按请求所填区划)")
    by = caller.client_id if caller is not None else withdrawal.by or "operator"
    data = ProgressWithdrawal(**{**withdrawal.model_dump(), "event_id": event_id, "by": by})
    with answering(settings.retry_after_seconds):
        event = await progress.withdraw(data, source)
    return Accepted.of(event, progress.topics.progress_withdrawn)

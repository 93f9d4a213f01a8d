"""What intake answers once an event is on Kafka, and the RFC 9457 problem document for each way a use case
refuses or fails: `answering` turns the use cases' exceptions into Problems, `as_problem` one of them (a batch
answers per item)."""

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel
from pymongo.errors import ConnectionFailure

from services.intake.domain.admission import Refused
from services.intake.storage.idempotency import KeyReused
from services.intake.storage.publisher import BrokerUnavailable
from services.intake.storage.tracker import TrackerUnavailable
from shared.contracts import CloudEvent
from shared.web.problems import Problem

IDEMPOTENCY_RETRY_AFTER = "5"  # seconds: the database usually answers again within a few


class Accepted(BaseModel):
    event_id: str
    type: str
    topic: str

    @classmethod
    def of(cls, event: CloudEvent, topic: str) -> "Accepted":
        return cls(event_id=event.id, type=event.type, topic=topic)


def refused(errors: list[dict]) -> Problem:
    """The 422 answering a refused report: typed after its one reason (unknown-unit, …), naming every field."""
    codes = {error["code"] for error in errors}
    fields = ", ".join(error["field"] for error in errors)
    return Problem(422, "Report refused", f"The report cannot be admitted: {fields}. "
                   + " ".join(error["message"] for error in errors),
                   slug=codes.pop() if len(codes) == 1 else "report-refused", errors=errors)


def as_problem(error: Exception, retry_after: int) -> Problem | None:
    """The problem document for a use case's exception, None for one that is not about the request;
    `retry_after`: seconds a client waits before retrying while Kafka or the tracker is unavailable."""
    match error:
        case Problem():
            return error
        case Refused():
            return refused(error.errors)
        case BrokerUnavailable():
            return Problem(503, "Event broker unavailable", f"{error}，未受理任何内容，请稍后重试。",
                           slug="broker-unavailable", headers={"Retry-After": str(retry_after)})
        case KeyReused():
            return Problem(422, "Idempotency-Key reused", str(error), slug="idempotency-key-reused")
        case ConnectionFailure():  # intake's database: the idempotency keys and the evidence files
            return Problem(503, "Database unavailable", "数据库暂不可用，未受理任何内容，请稍后重试。",
                           slug="database-unavailable", headers={"Retry-After": IDEMPOTENCY_RETRY_AFTER})
        case TrackerUnavailable():
            return Problem(503, error.title, str(error), slug=error.slug, headers={"Retry-After": str(retry_after)})
    return None


@contextmanager
def answering(retry_after: int) -> Iterator[None]:
    """Raises the Problem for a use case's exception (see `as_problem`); others pass through."""
    try:
        yield
    except Exception as error:
        if (problem := as_problem(error, retry_after)) is None or problem is error:
            raise
        raise problem from error

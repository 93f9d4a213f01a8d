from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import BaseModel
from pymongo.errors import ConnectionFailure

from services.intake.idempotency import IdempotencyKeys, KeyReused
from services.intake.publishing import EventPublisher
from services.intake.settings import IntakeSettings
from shared.authentication import Caller
from shared.contracts import Topics
from shared.problems import Problem


def get_publisher(request: Request) -> EventPublisher:
    return request.app.state.publisher


def get_topics(request: Request) -> Topics:
    return request.app.state.topics


Publisher = Annotated[EventPublisher, Depends(get_publisher)]
TopicNames = Annotated[Topics, Depends(get_topics)]


def get_settings(request: Request) -> IntakeSettings:
    return get_publisher(request).settings


Settings = Annotated[IntakeSettings, Depends(get_settings)]


def get_event_source(request: Request, caller: Caller) -> str:
    """The CloudEvents source of what this caller publishes: intake's, naming the client when one is known."""
    source = get_publisher(request).settings.event_source
    return source if caller is None else f"{source}/clients/{caller.client_id}"


EventSource = Annotated[str, Depends(get_event_source)]


def get_idempotency_keys(request: Request) -> IdempotencyKeys:
    return request.app.state.idempotency_keys


IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="retries with this key return the first event id"),
]


async def event_id_for(request: Request, key: str | None, body: BaseModel) -> str | None:
    """The event id a request publishes under: the first call's when the Idempotency-Key was seen."""
    if key is None:
        return None
    try:
        return await get_idempotency_keys(request).event_id_for(request.url.path, key, body)
    except KeyReused as error:
        raise Problem(422, "Idempotency-Key reused", str(error), slug="idempotency-key-reused") from error
    except ConnectionFailure as error:
        raise Problem(503, "Idempotency store unavailable", "Retry later; nothing was accepted.",
                      slug="database-unavailable", headers={"Retry-After": "5"}) from error

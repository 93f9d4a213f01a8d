from typing import Annotated

from fastapi import Depends, Request

from services.intake.publishing import EventPublisher
from shared.contracts import Topics


def get_publisher(request: Request) -> EventPublisher:
    return request.app.state.publisher


def get_topics(request: Request) -> Topics:
    return request.app.state.topics


Publisher = Annotated[EventPublisher, Depends(get_publisher)]
TopicNames = Annotated[Topics, Depends(get_topics)]

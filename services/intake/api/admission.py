"""The admission check as a route dependency: what intake knows now (its measures, its registry) bound in."""

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Request

from services.intake.admission import refusals
from services.intake.api.registry import known_registry
from shared.contracts import ProgressReport


def get_admission(request: Request) -> Callable[[ProgressReport], Awaitable[list[dict]]]:
    settings = request.app.state.publisher.settings
    registry, _ = known_registry(request)
    return partial(refusals, catalogue=request.app.state.catalogue, fallback_registry=registry,
                   skew=settings.clock_skew)


# Awaited with a report: why intake refuses it ([] when admitted), see services/intake/admission.py.
Admission = Annotated[Callable[[ProgressReport], Awaitable[list[dict]]], Depends(get_admission)]

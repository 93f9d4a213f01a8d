"""What intake's routes take, declared once as Annotated aliases; main.py puts the use cases on app.state, and
only this module reads it."""

from typing import Annotated

from fastapi import Depends, Header, Request

from services.intake.settings import IntakeSettings
from services.intake.storage.registries import KnownRegistry
from services.intake.usecases.evidence import EvidenceFiles
from services.intake.usecases.ledger_template import LedgerTemplates
from services.intake.usecases.loop_steps import LoopStepAcceptance
from services.intake.usecases.measure_creation import MeasureCreation
from services.intake.usecases.plan_import import PlanImports
from services.intake.usecases.progress_acceptance import ProgressAcceptance
from services.intake.usecases.registry_publication import RegistryPublication
from shared.web.authentication import Caller
from shared.web.clients import client_source


def _state(name: str):
    def get(request: Request):
        return getattr(request.app.state, name)
    return get


Settings = Annotated[IntakeSettings, Depends(_state("settings"))]
Progress = Annotated[ProgressAcceptance, Depends(_state("progress"))]
LoopSteps = Annotated[LoopStepAcceptance, Depends(_state("loop_steps"))]
Plans = Annotated[PlanImports, Depends(_state("plans"))]
Measures = Annotated[MeasureCreation, Depends(_state("measures"))]
Registries = Annotated[RegistryPublication, Depends(_state("registries"))]
KnownRegistries = Annotated[KnownRegistry, Depends(_state("known_registry"))]
Templates = Annotated[LedgerTemplates, Depends(_state("templates"))]
Evidence = Annotated[EvidenceFiles, Depends(_state("evidence"))]


def get_event_source(settings: Settings, caller: Caller) -> str:
    """The CloudEvents source of what this caller publishes: intake's, naming the client when one is known."""
    return settings.event_source if caller is None else client_source(settings.event_source, caller.client_id)


EventSource = Annotated[str, Depends(get_event_source)]

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="retries with this key return the first event id"),
]


def get_idempotency(request: Request, key: IdempotencyKey = None) -> tuple[str, str] | None:
    """(scope, key) of the Idempotency-Key, scoped to the route's path; None without the header."""
    return None if key is None else (request.url.path, key)


# A retry with the same key and body gets the first call's event id (storage/idempotency.py).
Idempotency = Annotated[tuple[str, str] | None, Depends(get_idempotency)]

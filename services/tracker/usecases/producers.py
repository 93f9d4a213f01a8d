"""The tracker's admission of the events it consumes: each held to its producer's scope (domain/producers.py), the
credential looked up in the clients file as it is now (shared/web/clients.py: read again within a second of a
change). Without a clients file every event is admitted, as before scopes existed."""

from services.tracker.domain.producers import refusal
from shared.contracts import CloudEvent
from shared.kafka.consuming import Admission
from shared.web.clients import Clients


def producer_scopes(clients: Clients | None, intake_source: str) -> Admission | None:
    """The reason an event is refused (its source's credential may not publish it), or None to apply it; None
    (admit everything) without a clients file. `intake_source`: intake's own source (DUBAN_INTAKE_SOURCE)."""
    if clients is None:
        return None

    def admit(event: CloudEvent) -> str | None:
        return refusal(event, clients.publisher(event.source, intake_source))

    return admit

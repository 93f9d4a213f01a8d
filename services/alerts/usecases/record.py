"""Taking in what alerts judges from: measures, the registry and assignments, from their events, then judging.

Each batch of events is written to alerts' own copies (storage/inputs.py: the latest publication of a measure or
the registry wins, the highest revision of an assignment), then what the batch names is judged again today (every
assignment of a measure published; an assignment updated, alone: its alerts follow from it and its measure),
whether or not its write superseded what was stored: a batch redelivered after a crash between the write and the
evaluation is judged then. A registry changes no judgement (the rules read measures and assignments): it
only gives the API its regions and the notifications their unit contacts.

Each returns what shared/kafka/consuming.py's ApplyBatch does, the events it could not apply yet: none, since nothing
here waits for anything else.
"""

from services.alerts.storage.inputs import Inputs
from services.alerts.usecases.evaluate import AlertsService
from shared.contracts import AssignmentUpdated, MeasureCreated, RegistryPublished


async def record_measures(inputs: Inputs, service: AlertsService, events: list[MeasureCreated]) -> dict[str, str]:
    await inputs.save_measures(events)
    await service.reevaluate({event.data.measure_id for event in events})
    return {}


async def record_assignments(inputs: Inputs, service: AlertsService, events: list[AssignmentUpdated]) -> dict[str, str]:
    await inputs.save_assignments(events)
    await service.reevaluate_assignments({event.data.key for event in events})
    return {}


async def record_registry(inputs: Inputs, events: list[RegistryPublished]) -> dict[str, str]:
    await inputs.save_registry(events)
    return {}

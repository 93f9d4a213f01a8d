"""Whose events the services apply, when they have a clients file: events published straight to Kafka are held to
the scopes intake's routes hold their callers to (README, "Events published straight to Kafka"). One rule for every
consumer of the topics other systems may write (the tracker's, alerts' and reporting's groups), so none applies an
event another refuses.

An event is applied only when its CloudEvents `source` names a credential (shared/web/clients.py
`Clients.publisher`: one listing the source in its `kafka_sources`, or the client intake named in
`<intake's source>/clients/<id>`), valid at the event's time, holding the role the event needs and acting for every
region it is about:

- progress-reported, progress-withdrawn, assignment-signed and completion-requested: `reporter`, for the event's
  `region_code` (a report counts only for a registry unit of that region or below, services/tracker/domain/
  assignments.py, so a county's source cannot report for another county's unit by naming it);
- measure-created and checking a completion (completion-verified, -returned, assignment-reopened): `planner`, for
  the event's `region_code` (a unit's own system may not close out its own work);
- registry-published: `planner`, for every region in the registry (it replaces the whole registry).

intake's events pass the same rule: it authorised the same credential for the same region and role before
publishing. Those it published for an identity provider's token (`<intake's source>/clients/oidc:<sub>`) are
applied as intake authorised them: the token is not in the clients file, and no consumer holds it. The services'
own events (assignment-updated, the alerts, the lights, the urges) are not held: only the services publish them
(an urge, assignment-urged, only after alerts' route authorised a planner for the alert's region). Without a
clients file every event is applied, as before scopes existed.
"""

from dataclasses import dataclass

from pydantic import BaseModel

from shared.contracts import (
    LOOP_EVENTS,
    CloudEvent,
    MeasureCreated,
    ProgressReported,
    ProgressWithdrawn,
    RegistryPublished,
)
from shared.contracts.loop import CHECKING_STEPS
from shared.kafka.consuming import Admission
from shared.web.clients import OIDC_IDS, ClientEntry, Clients, Role, client_source

OUT_OF_SCOPE = "out of scope"  # how every refusal's reason starts (the dead letter's `dlq-reason`)
NAMED_REGIONS = 5  # regions a reason lists before counting the rest
CHECKING = tuple(LOOP_EVENTS[step] for step in CHECKING_STEPS)  # 核查: the supervising side's
REPORTING = (ProgressReported, ProgressWithdrawn, *(e for e in LOOP_EVENTS.values() if e not in CHECKING))
PLANNING = (MeasureCreated, RegistryPublished, *CHECKING)  # what a planner publishes


@dataclass(frozen=True)
class Need:
    """What publishing an event needs: a role, acting for each of these regions."""

    role: Role
    regions: tuple[str, ...]


def need_of(event: BaseModel) -> Need | None:
    """The role and regions an event needs (see the module's doc); None for the services' own events."""
    if isinstance(event, RegistryPublished):
        return Need(Role.planner, tuple(region.code for region in event.data.regions))
    if isinstance(event, REPORTING + PLANNING):
        return Need(Role.planner if isinstance(event, PLANNING) else Role.reporter, (event.data.region_code,))
    return None


def refusal(event: CloudEvent, publisher: ClientEntry | None) -> str | None:
    """Why the event's producer may not publish it, naming the source, the region and what is missing; None when it
    may. `publisher` is the credential the event's source names (None: it names none)."""
    if (need := need_of(event)) is None:
        return None
    regions = listed(need.regions)
    said = f"{OUT_OF_SCOPE}: source {event.source!r}"
    if publisher is None:
        return (f"{said} names no credential of the clients file (no entry lists it in kafka_sources), so nobody may "
                f"publish {event.type} for region {regions} under it")
    credential = publisher.client()
    said += f" is credential {credential.client_id!r} (region {credential.region_code})"
    if not publisher.valid_at(event.time):
        return (f"{said}, which was expired or revoked at the event's time {event.time.isoformat()}: "
                f"{event.type} for region {regions} needs a valid credential")
    if not credential.holds(need.role):
        return (f"{said}, which holds {', '.join(sorted(credential.roles))}: {event.type} for region {regions} needs "
                f"the {need.role} role")
    if outside := [code for code in need.regions if not credential.may_act_for(code)]:
        return (f"{said}, which acts for region {credential.region_code} and below: {event.type} for region "
                f"{listed(outside)} is outside it")
    return None


def listed(regions: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(regions[:NAMED_REGIONS])
    return shown + (f" and {len(regions) - NAMED_REGIONS} more" if len(regions) > NAMED_REGIONS else "")


def producer_scopes(clients: Clients | None, intake_source: str) -> Admission | None:
    """A consumer's admission (shared/kafka/consuming.py): the reason an event is refused, or None to apply it, the
    credential looked up in the clients file as it is now (read again within a second of a change); None (apply
    everything) without a clients file. `intake_source`: intake's own source (DUBAN_INTAKE_SOURCE)."""
    if clients is None:
        return None

    identity_provider = client_source(intake_source, OIDC_IDS)

    def admit(event: CloudEvent) -> str | None:
        if event.source.startswith(identity_provider):
            return None  # intake checked the caller's token, which no consumer holds to check again
        if event.source == intake_source:
            # Published by an intake without a clients file, which took it then: turning keys on keeps that history
            # (intake's catalogue, a rebuild, a replay read it again), as intake applied it.
            return None
        return refusal(event, clients.publisher(event.source, intake_source))

    return admit

"""A progress report accepted: asked of the catalogue and the domain's admission rules, given its event id, and
published as progress-reported; a withdrawal published as progress-withdrawn. The progress routes (one report, a
batch) and the ledger import all admit a report here, so each is held to the same rules."""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from services.intake.domain import admission
from services.intake.domain.admission import Refused
from services.intake.storage.catalogue import Catalogue
from services.intake.usecases.ports import Idempotency, Publisher
from shared.contracts import ProgressReport, ProgressReported, ProgressWithdrawal, ProgressWithdrawn, Registry, Topics


class ProgressAcceptance:
    def __init__(self, catalogue: Catalogue, fallback_registry: Callable[[], Registry | None], publisher: Publisher,
                 idempotency: Idempotency, topics: Topics, skew: timedelta):
        """`fallback_registry()`: the registry to judge units by while the topics have given none (the one this
        process published, else the configured file); `skew`: how far ahead of now a report's time may be."""
        self.catalogue, self.fallback_registry = catalogue, fallback_registry
        self.publisher, self.idempotency, self.topics, self.skew = publisher, idempotency, topics, skew

    async def refusals(self, report: ProgressReport) -> list[dict]:
        """Why intake refuses `report` (domain/admission.refusals), [] when admitted. A unit the registry held
        lacks is judged again once the catalogue has read what the topics hold now: it may be in a newer one."""
        measure = await self.catalogue.measure(report.measure_id)
        registry = self.catalogue.registry or self.fallback_registry()
        if not admission.unit_known(report, registry) and await self.catalogue.caught_up():
            registry = self.catalogue.registry or self.fallback_registry()
        return admission.refusals(report, measure, registry, self.skew)

    async def admit(self, report: ProgressReport, source: str, idempotency: tuple[str, str] | None = None,
                    ) -> ProgressReported:
        """The report as the event to publish. Raises Refused; with `idempotency` (scope, key), the event id is
        the first request's (raises storage.idempotency.KeyReused for a key reused with another report)."""
        if errors := await self.refusals(report):
            raise Refused(errors)
        event_id = None if idempotency is None else await self.idempotency.event_id_for(*idempotency, report)
        return ProgressReported.wrap(report, source=source, subject=report.period_key, event_id=event_id)

    async def admit_all(self, reports: dict[int, ProgressReport], source: str,
                        idempotency: tuple[str, str] | None = None) -> dict[int, ProgressReported | Exception]:
        """Each report of a batch (by its index) as `admit` answers it: the event to publish, or the Refused or
        KeyReused it would raise; in index order. With `idempotency` (scope, key), report i is keyed `<key>#<i>`
        and the admitted reports' keys are claimed in one call (the store's error, when it fails, is the outcome
        of each of them)."""
        outcomes: dict[int, ProgressReported | Exception] = {}
        for index, report in reports.items():
            if errors := await self.refusals(report):
                outcomes[index] = Refused(errors)
        admitted = {index: report for index, report in reports.items() if index not in outcomes}
        event_ids: dict[int, str | Exception | None] = dict.fromkeys(admitted)
        if idempotency is not None and admitted:
            scope, key = idempotency
            try:
                claimed = await self.idempotency.event_ids_for(scope, {f"{key}#{i}": r for i, r in admitted.items()})
                event_ids = {index: claimed[f"{key}#{index}"] for index in admitted}
            except Exception as error:  # the store did not answer: none of them is accepted, each says why
                event_ids = dict.fromkeys(admitted, error)
        for index, report in admitted.items():
            event_id = event_ids[index]
            outcomes[index] = event_id if isinstance(event_id, Exception) else ProgressReported.wrap(
                report, source=source, subject=report.period_key, event_id=event_id)
        return dict(sorted(outcomes.items()))

    async def publish(self, event: ProgressReported) -> None:
        """Raises BrokerUnavailable when Kafka does not confirm it."""
        await self.publisher.publish(self.topics.progress_reported, event, event.data.assignment_key)

    async def publish_all(self, events: list[ProgressReported]) -> list[BaseException | None]:
        """Each event's outcome, in order: None when published, else what its publication raised. Published
        concurrently: the producer sends them in a few batched requests instead of one round trip each."""
        outcomes = await asyncio.gather(*(self.publish(event) for event in events), return_exceptions=True)
        return [outcome if isinstance(outcome, BaseException) else None for outcome in outcomes]

    async def withdraw(self, withdrawal: ProgressWithdrawal, source: str) -> ProgressWithdrawn:
        """Publish progress-withdrawn (the tracker takes the report out of the current state, keeps it in the
        history marked withdrawn). Raises BrokerUnavailable."""
        event = ProgressWithdrawn.wrap(withdrawal, source=source,
                                       subject=f"{withdrawal.assignment_key}|{withdrawal.period}")
        await self.publisher.publish(self.topics.progress_withdrawn, event, withdrawal.assignment_key)
        return event

"""The alerts' main use case: evaluate assignments, record the transitions, publish what they owe.

Each evaluation (a sweep over every assignment, or a re-evaluation of some measures' assignments after a batch
of events): read alerts' own copies of the measures and assignments (storage/inputs.py) and the stored open
alerts (of the measures concerned), compare (domain/transitions.py), write each transition with the event it
owes (storage/repository.py: the outbox), then publish every pending event, the ones an earlier crash or Kafka
outage left behind included. A sweep that finds nothing new publishes nothing. The same evaluation lights each
assignment it judged (domain/lights.py) and writes a light whose colour changed with its
assignment-light-changed, published with the alert events.

No lock: evaluations in one process, and in several alerts processes on one database, run at once. Every
transition is a conditional write on the stored alert as read (see storage/repository.py), so two evaluations
that judge the same change make it once, with one event; the same pending event may be published by both
(at-least-once, the same id).
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import structlog

from services.alerts.domain.alerts import Alert
from services.alerts.domain.evaluate import Evaluator
from services.alerts.domain.lights import Lit, changed, lights_of
from services.alerts.domain.rules import RulesBook
from services.alerts.domain.transitions import closed_at, judged_at, transitions
from services.alerts.storage.inputs import Inputs
from services.alerts.storage.repository import AlertStore
from shared.contracts import (
    ALERT_EVENTS,
    AlertCleared,
    AlertNotice,
    AlertRaised,
    AlertSeverityChanged,
    AssignmentLight,
    AssignmentLightChanged,
    AssignmentUrged,
    CloudEvent,
)
from shared.domain.calendar import today_in_china

SOURCE = "/duban/alerts"
PAGE = 1000  # pending documents read per pass
# Publishes one event under its key; raises when the broker does not take it.
Publish = Callable[[CloudEvent, str], Awaitable[None]]
log = structlog.get_logger()


@dataclass(frozen=True)
class Outcome:
    """One evaluation: the day judged, assignments judged, alerts open on it, the transitions it judged (raised,
    cleared, changed: an evaluation running at once may have written some of them first, with their events), the
    assignments' lights it judged changed, and the events it published."""

    as_of: date
    assignments: int
    open: int
    raised: int
    cleared: int
    changed: int
    lights_changed: int
    published: int

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "assignments": self.assignments, "open": self.open,
                "raised": self.raised, "cleared": self.cleared, "changed": self.changed,
                "lights_changed": self.lights_changed, "published": self.published}


def raised_event(alert: Alert, episode: str, opened_at: datetime, today: date) -> dict:
    notice = AlertNotice.of(alert.to_json(), episode, opened_at, today.isoformat())
    event = AlertRaised.wrap(notice, source=SOURCE, event_id=f"{episode}.raised", subject=alert.key)
    return event.model_dump(mode="json")


def severity_changed_event(alert: Alert, stored: dict, today: date) -> dict:
    """The event of an open alert's severity change; its id counts the episode's changes, so it is stable."""
    notice = AlertNotice.of(alert.to_json(), stored["episode"], stored["opened_at"], today.isoformat(),
                            previous_severity=stored["severity"])
    number = len(stored.get("severity_changes", [])) + 1
    event = AlertSeverityChanged.wrap(notice, source=SOURCE, event_id=f"{stored['episode']}.severity-{number}",
                                      subject=alert.key)
    return event.model_dump(mode="json")


def cleared_event(stored: dict, closed: datetime, today: date) -> dict:
    notice = AlertNotice.of(stored["alert"], stored["episode"], stored["opened_at"], today.isoformat(), closed)
    event = AlertCleared.wrap(notice, source=SOURCE, event_id=f"{stored['episode']}.cleared", subject=stored["_id"])
    return event.model_dump(mode="json")


def light_event(lit: Lit, stored: dict | None, today: date, at: datetime) -> dict:
    """assignment-light-changed for a light that changed from the one stored (None: the first); its id counts the
    assignment's changes (`<key>#light-<n>`), so it is stable."""
    number = (stored["changes"] if stored else 0) + 1
    light = AssignmentLight(measure_id=lit.measure_id, unit=lit.unit, region_code=lit.region_code, light=lit.light,
                            previous=stored and stored["light"], reasons=list(lit.reasons), judged_on=today,
                            changed_at=at)
    return AssignmentLightChanged.wrap(light, source=SOURCE, event_id=f"{lit.key}#light-{number}",
                                       subject=lit.key).model_dump(mode="json")


def log_skipped(evaluator: Evaluator) -> None:
    for measure_id, unit, reason in evaluator.skipped:
        log.warning("assignment_not_judged", measure_id=measure_id, unit=unit, reason=reason)


# What the outboxes hold: the alert events, the lights, and the urges (usecases/urges.py).
PUBLISHED_EVENTS = {**ALERT_EVENTS, "assignment-light-changed": AssignmentLightChanged,
                    "assignment-urged": AssignmentUrged}


def parse_event(data: dict) -> CloudEvent:
    return PUBLISHED_EVENTS[data["type"]].model_validate(data)


class AlertsService:
    def __init__(self, inputs: Inputs, store: AlertStore, book: RulesBook, publish: Publish,
                 on_published: Callable[[CloudEvent], Awaitable[None]] | None = None,
                 today: Callable[[], date] = today_in_china):
        """`on_published`: what else a published event owes (webhook deliveries); `today`: the day judged when
        none is given (China's)."""
        self.inputs, self.store, self.book, self.publish = inputs, store, book, publish
        self.on_published, self.today = on_published, today
        # Ids of the events this process is publishing now: two of its evaluations that end together (a measure's
        # and its assignments' batches) do not both publish one event. Only a saving: across processes an event
        # may still go out twice, with its id.
        self.in_flight: set[str] = set()

    async def sweep(self, as_of: date | None = None) -> Outcome:
        """Every assignment judged on `as_of` (default today in China); a past day's transitions carry that day."""
        return await self.evaluate(as_of or self.today(), None)

    async def reevaluate(self, measure_ids: Iterable[str]) -> Outcome:
        """The assignments of these measures judged today (after a batch of their events was stored)."""
        return await self.evaluate(self.today(), set(measure_ids))

    async def reevaluate_assignments(self, keys: Iterable[str]) -> Outcome:
        """These assignments (`measure_id|unit`) judged today, after a batch of their states was stored: an
        assignment's alerts and light follow from it and its measure alone (domain/evaluate.py), so the other
        assignments of its measure judge as before, and reading them (every unit of a city's measures per batch)
        was most of the alerts' database time."""
        keys = set(keys)
        return await self.evaluate(self.today(), {key.split("|", 1)[0] for key in keys}, keys)

    async def evaluate(self, today: date, measure_ids: set[str] | None, keys: set[str] | None = None) -> Outcome:
        """Judges the assignments of these measures (every one with None; with `keys`, those assignments only)."""
        # The lights last published are read before the inputs: an evaluation that finds a light another one wrote
        # reads inputs at least as new as that one's, so it cannot undo the change from older ones (a write
        # conditional on the light read, change_lights, stops one that read the light before).
        before = await self.store.stored_lights(measure_ids, keys)
        measures = await self.inputs.measures(measure_ids)
        assignments = await self.inputs.assignments(measure_ids=measure_ids, keys=keys)
        evaluator = Evaluator(measures, self.book)
        current = evaluator.alerts(assignments, today)
        log_skipped(evaluator)
        stored = await self.store.open_alerts(measure_ids, keys)
        found = transitions([Alert.from_json(doc["alert"]) for doc in stored.values()], current)
        at = judged_at(today, datetime.now(UTC))  # a past day's transitions carry that day (domain/transitions.py)
        episodes = [(alert, uuid.uuid4().hex) for alert in found.raised]
        await self.store.raise_alerts(
            [(alert, episode, raised_event(alert, episode, at, today)) for alert, episode in episodes], at)
        carried = [(alert, stored[alert.key]) for alert in found.open if alert.key in stored
                   and alert.to_json() != stored[alert.key]["alert"]]
        await self.store.update_alerts(
            [(alert, doc, severity_changed_event(alert, doc, today) if alert.severity != doc["severity"]
              else None) for alert, doc in carried], at)
        closing = [(stored[alert.key], closed_at(stored[alert.key]["opened_at"], at)) for alert in found.cleared]
        await self.store.clear_alerts([(doc, cleared_event(doc, closed, today), closed) for doc, closed in closing])
        relit = changed({key: doc["light"] for key, doc in before.items()}, lights_of(evaluator.judged, current))
        await self.store.change_lights(
            [(light, before.get(light.key), light_event(light, before.get(light.key), today, at)) for light in relit],
            at)
        published = await self.publish_pending()
        outcome = Outcome(today, len(assignments), len(found.open), len(found.raised), len(found.cleared),
                          len(found.changed), len(relit), published)
        log.info("alerts_evaluated", scope="all" if measure_ids is None else sorted(measure_ids), **outcome.to_json())
        return outcome

    async def publish_pending(self) -> int:
        """Publishes every pending event, a page of documents at a time, all of a page at once (the producer
        batches them rather than one round trip each; handed over oldest first: raised before cleared). What the
        broker refuses stays pending for the next evaluation, and this one stops after that page. Each document
        whose events all went out is emptied in one conditional write, so an event another evaluation pushed
        meanwhile stays pending (storage/repository.py). Returns how many were published."""
        count = 0
        while pending := await self.store.pending(PAGE):
            events = sorted((event["time"], event["type"] != "alert-raised", event["id"], doc.collection, doc.id,
                              event) for doc in pending for event in doc.outbox if event["id"] not in self.in_flight)
            mine = {event_id for _, _, event_id, *_ in events}
            # In flight until off the outbox: released after the send only, another evaluation reading the outbox
            # before it is emptied would send the same events again.
            self.in_flight |= mine
            try:
                parsed = [parse_event(data) for *_, data in events]
                outcomes = await asyncio.gather(*(self.announce(event) for event in parsed), return_exceptions=True)
                sent: dict[str, dict[str, list[str]]] = {}
                unsent: set[tuple[str, str]] = set()
                for (*_, collection, doc_id, _), event, outcome in zip(events, parsed, outcomes, strict=True):
                    if isinstance(outcome, BaseException):  # Kafka or the database unreachable: it stays pending
                        unsent.add((collection, doc_id))
                        refusal = outcome
                    else:
                        sent.setdefault(collection, {}).setdefault(doc_id, []).append(event.id)
                skipped = {(doc.collection, doc.id) for doc in pending
                           if any(event["id"] not in mine for event in doc.outbox)}  # another evaluation's
                await self.store.published(sent, [doc for doc in pending if (doc.collection, doc.id) not in
                                                  unsent | skipped])
            finally:
                self.in_flight -= mine
            published = sum(len(ids) for by_document in sent.values() for ids in by_document.values())
            count += published
            if unsent:
                log.warning("alert_publish_failed", error=repr(refusal), published=count,
                            refused=len(events) - published)
                break
            if len(pending) < PAGE or not published:  # the last page, or one another evaluation is publishing
                break
        return count

    async def announce(self, event: CloudEvent) -> None:
        """Publishes the event, then what else an alert event owes (webhook deliveries), before it may leave the
        outbox. A light or an urge goes to Kafka only (webhooks carry the alert events)."""
        await self.publish(event, event.data.key)
        if self.on_published and event.type in ALERT_EVENTS:
            await self.on_published(event)

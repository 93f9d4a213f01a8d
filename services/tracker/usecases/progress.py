"""Progress reports: kept in the history, made current where they are the newest counted ones, states published."""

from datetime import timedelta

import structlog

from services.tracker.domain.assignments import UnitLookup
from services.tracker.domain.reports import content_digest, newest_per_key
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.current import recompute_current
from services.tracker.usecases.resolution import resolve_reports
from services.tracker.usecases.states import refresh_states
from shared.contracts import ProgressReported
from shared.domain.calendar import CLOCK_SKEW, ReportWindow

log = structlog.get_logger()


async def record_progress(tracker: Tracker, events: list[ProgressReported],
                          skew: timedelta = CLOCK_SKEW) -> dict[str, str]:
    """Applies the reports on known measures whose time and period lie in the reporting window (the rule intake
    applies: shared/calendar.ReportWindow, from the measure's start): a report dated in year 9999 would stay
    "latest" for good. A report on a measure not created (yet) is refused until it is. Then the states of every
    assignment the batch touched are decided (usecases/states.py)."""
    repository = tracker.repository
    starts = await repository.measure_starts({event.data.measure_id for event in events})
    refused = {}
    for event in events:
        report = event.data
        if report.measure_id not in starts:
            refused[event.id] = f"no measure {report.measure_id!r} has been created"
            continue
        window = ReportWindow(starts[report.measure_id], skew=skew)
        if reason := window.refusal(report.reported_at) or window.period_refusal(report.period):
            refused[event.id] = reason
    lookup = await repository.unit_lookup()
    admitted = [event for event in events if event.id not in refused]
    added, decided_again = await apply_reports(tracker, [(in_registry_terms(event, lookup), content_digest(event))
                                                         for event in admitted], lookup)
    if await repository.lookup_stamp() != lookup.stamp:
        # The registry or a mapping changed while these were written under the old one: its resolution may have
        # run before they were in the history, so resolve them again.
        decided_again |= await resolve_reports(tracker, await repository.unit_lookup())
    # Where reports were only added, the periods are the stored state's and theirs (usecases/states.py).
    await refresh_states(tracker, added.keys() | decided_again,
                         {key: periods for key, periods in added.items() if key not in decided_again})
    return refused


async def apply_reports(tracker: Tracker, reports: list[tuple[ProgressReported, str]],
                        lookup: UnitLookup) -> tuple[dict[str, set[str]], set[str]]:
    """History first (every report, once), then the current report per period and per assignment, among the
    reports that count: not withdrawn, and naming a unit the registry knows (when there is a registry). Each
    report's digest (content_digest, of the report as sent) detects an id sent again with another content: that is
    recorded in report_conflicts and logged, the first content kept. Returns each assignment key touched with the
    periods it has a counted report for now (among these), and the keys whose current reports were decided again
    from the history (decide_again_if_marked)."""
    repository = tracker.repository
    stored = await repository.stored_reports(event.id for event, _ in reports)
    # The first content of an id wins, whether stored before or earlier in this batch.
    kept = {event_id: document.get("digest") for event_id, document in stored.items()}
    new, conflicts = {}, []
    for event, digest in reports:
        if event.id not in kept:
            kept[event.id], new[event.id] = digest, (event, digest)
        elif None not in (kept[event.id], digest) and kept[event.id] != digest:
            conflicts.append((event, kept[event.id], digest))
    for event, kept_digest, refused_digest in conflicts:
        log.warning("event_id_reused_with_other_content", event_id=event.id, kept=kept_digest, refused=refused_digest)
    await repository.record_conflicts(conflicts)
    unresolved = {event.id for event, _ in new.values() if not lookup.counts(event.data.unit, event.data.region_code)}
    await repository.add_reports([(event, digest, event.id in unresolved) for event, digest in new.values()])
    excluded = unresolved | {event_id for event_id, document in stored.items()
                             if {"withdrawn", "unresolved_unit"} & document.keys()}
    conflicting = {id(event) for event, _, _ in conflicts}
    counted = [event for event, _ in reports if event.id not in excluded and id(event) not in conflicting]
    for collection, key in (("period_progress", lambda r: r.period_key),
                            ("assignment_progress", lambda r: r.assignment_key)):
        await repository.write_current(collection, newest_per_key(counted, key))
    added: dict[str, set[str]] = {event.data.assignment_key: set() for event, _ in reports}
    for event in counted:
        added[event.data.assignment_key].add(event.data.period)
    return added, await decide_again_if_marked(tracker, counted)


async def decide_again_if_marked(tracker: Tracker, counted: list[ProgressReported]) -> set[str]:
    """A withdrawal or a re-resolution may have marked one of these reports (or moved it to another unit) between
    our read of the history and our write of the current reports, and decided the current ones before our write:
    read the history again after it, and decide those assignments again (usecases/current.py)."""
    after = await tracker.repository.stored_reports(event.id for event in counted)
    changed = {(event.data.measure_id, unit) for event in counted if (document := after.get(event.id)) and (
        {"withdrawn", "unresolved_unit"} & document.keys() or document["unit"] != event.data.unit)
        for unit in (event.data.unit, document["unit"])}
    return await recompute_current(tracker, changed) if changed else set()


def in_registry_terms(event: ProgressReported, lookup: UnitLookup) -> ProgressReported:
    """A report names its unit by id, name or alias; the state keys it by the registry's unit id."""
    unit = lookup.reporting_unit(event.data.unit, event.data.region_code)
    return event if unit == event.data.unit else event.model_copy(
        update={"data": event.data.model_copy(update={"unit": unit})})

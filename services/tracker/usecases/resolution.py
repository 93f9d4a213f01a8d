"""Resolving unit names against the registry and the operators' mappings: a measure's assignments, and the units
of reports received under a name.

Run when a measure arrives, a registry is published, or a name is mapped, by any tracker at any time: each step
writes what the inputs it read say, then checks the inputs (registry and mappings stamp, each measure's version)
are unchanged, and resolves again when they are not. Two resolutions interleaving (one with an older registry)
may overwrite each other's writes, but the one that read older inputs sees them changed at its check and writes
again from the new ones, so the last writes are from the newest inputs: the result converges, and running it
twice changes nothing (idempotent).
"""

from collections.abc import Iterable

from services.tracker.domain.assignments import UnitLookup, assignments_for
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.current import recompute_current
from services.tracker.usecases.states import keys_of_measures, refresh_states


async def resolve_measures(tracker: Tracker, measure_ids: Iterable[str] | None, *, reports: bool = True) -> list[str]:
    """These measures' (every measure's with None) assignments, and with `reports` the reports' units, resolved
    with the stored registry and mappings; the touched assignments' states published. Returns the measures
    resolved. (A new measure changes no report's unit: `reports=False`.)"""
    repository = tracker.repository
    ids = None if measure_ids is None else set(measure_ids)
    query = {} if ids is None else {"_id": {"$in": sorted(ids)}}
    before = await keys_of_measures(tracker, ids)
    resolved: set[str] = set()
    touched: set[str] = set()
    while True:
        lookup = await repository.unit_lookup()
        measures = await repository.load_measures(query)
        for measure, _ in measures.values():
            assignments, unresolved = assignments_for(measure, lookup)
            await repository.replace_assignments(measure.measure_id, assignments, unresolved)
        resolved |= measures.keys()
        if reports:
            touched |= await resolve_reports(tracker, lookup)
        versions = await repository.measure_version_keys(measures)
        if await repository.lookup_stamp() == lookup.stamp and all(
                versions.get(measure_id) == version for measure_id, (_, version) in measures.items()):
            break
    await refresh_states(tracker, before | touched | await keys_of_measures(tracker, resolved))
    return sorted(resolved)


async def resolve_reports(tracker: Tracker, lookup: UnitLookup) -> set[str]:
    """Reports applied before the registry (or a mapping) knew their unit are keyed by the name as written: key
    them by the unit id now, so the state does not depend on which arrived first. A name the registry still does
    not know is marked unresolved and leaves the current state (listed for mapping instead); one it now knows
    counts again. Returns the assignment keys whose current reports were decided again (old and new)."""
    repository = tracker.repository
    if lookup.directory is None and not lookup.mappings:
        return set()
    touched: set[tuple[str, str]] = set()
    for (written, region_code), marks in sorted((await repository.report_units_to_resolve(lookup.units)).items()):
        unit = lookup.reporting_unit(written, region_code)
        counted = lookup.counts(unit, region_code)
        if unit == written and marks == {not counted}:
            continue  # as resolved already: nothing to decide again
        measure_ids = await repository.set_report_unit(written, region_code, unit, counted)
        touched |= {(measure_id, name) for measure_id in measure_ids for name in (written, unit)}
    return await recompute_current(tracker, touched)

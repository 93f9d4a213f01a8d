"""A registry published, or a name mapped by an operator: units resolved again, states published."""

from collections.abc import Callable

from services.tracker.domain.versions import newest_publication, publication
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.resolution import resolve_measures
from shared.contracts import RegistryPublished
from shared.web.problems import Problem


async def record_registry(tracker: Tracker, events: list[RegistryPublished]) -> dict[str, str]:
    """The latest registry (by event time, then id) wins; unless a newer one is stored, every measure is
    resolved against the stored one again (also when this very publication is stored already: a redelivery after
    a crash between the registry's write and the resolution resolves again, harmlessly)."""
    [newest] = newest_publication(events, lambda event: "current").values()
    stored = await tracker.repository.registry_version()
    if stored is not None and stored.supersedes(publication(newest)):
        return {}
    await tracker.repository.save_registry(newest)
    await resolve_measures(tracker, None)
    return {}


async def map_unit(tracker: Tracker, name: str, unit_ids: list[str],
                   authorise: Callable[[str, str], None]) -> list[str]:
    """Maps a name the registry cannot resolve to registry units; the measures naming it are assigned again and
    reports under it counted. Returns those measures. `authorise(region_code, what)` raises for a caller who may
    not act for a unit's region; a unit id not in the registry raises Problem 422."""
    lookup = await tracker.repository.unit_lookup()
    unknown = [unit_id for unit_id in unit_ids if unit_id not in lookup.units]
    if unknown:
        raise Problem(422, "Unknown units", f"Not in the registry: {', '.join(unknown)}", slug="unknown-units")
    for unit_id in unit_ids:
        authorise(lookup.units[unit_id][1], f"单位 {unit_id}")
    await tracker.repository.save_mapping(name, unit_ids)
    return await resolve_measures(tracker, await tracker.repository.measure_ids_naming(name))

"""The catalogue's read model (storage/catalogue.py): the latest registry by publication whatever the order it is
read in, and a measure known, known missing, or not known yet."""

from datetime import UTC, datetime

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from shared.contracts import Measure, Registry, RegistryPublished
from tests.unit.intake.usecases.fakes import catalogue

REGISTRY = load_registry(DEMO_REGISTRY)
CITY_ONLY = Registry(regions=[region for region in REGISTRY.regions if region.code == "361000"])


def published(registry: Registry, at: datetime, event_id: str) -> RegistryPublished:
    event = RegistryPublished.wrap(registry, source="/duban/intake", subject="registry", event_id=event_id)
    return event.model_copy(update={"time": at})


def test_the_latest_registry_by_time_then_id_is_held_whatever_order_it_is_read_in():
    earlier, later = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    known = catalogue()
    known.add_registry(published(REGISTRY, later, "b"))
    known.add_registry(published(CITY_ONLY, earlier, "z"))
    assert known.registry is REGISTRY
    known.add_registry(published(CITY_ONLY, later, "c"))  # same time: the greater id is the later publication
    assert known.registry is CITY_ONLY


async def test_a_measure_is_known_known_missing_once_caught_up_or_not_known_yet():
    measure = Measure(measure_id="m-1", plan_id="p", region_code="361000", number=1, title="t")
    behind, read = catalogue(caught_up=False), catalogue(caught_up=True)
    for known in (behind, read):
        known.add(measure)
        assert await known.measure("m-1") == measure
    assert await behind.measure("m-2") is None
    assert await read.measure("m-2") is False

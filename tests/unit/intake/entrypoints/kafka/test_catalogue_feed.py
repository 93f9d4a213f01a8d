"""The catalogue's feed (entrypoints/kafka/catalogue.py) leaves out, with a clients file, the measures and registries
the tracker refuses as outside their producers' scopes, so intake admits no report on a measure the tracker lacks."""

from services.intake.entrypoints.kafka.catalogue import CatalogueFeed
from shared.contracts import Measure, MeasureCreated, RegistryPublished, Topics
from shared.web.clients import ClientEntry, Role
from shared.web.producers import refusal
from tests.unit.intake.storage.test_catalogue import REGISTRY
from tests.unit.intake.usecases.fakes import catalogue

TOPICS = Topics("p.")
PLANNER = ClientEntry(id="fuzhou-plans", name="抚州市依法治市办", region_code="361000", token_sha256="0" * 64,
                      roles=[Role.planner], kafka_sources=["/external/fuzhou-plans"])


def admit(event) -> str | None:
    return refusal(event, PLANNER if event.source == "/external/fuzhou-plans" else None)


def registry(source: str) -> bytes:
    return RegistryPublished.wrap(REGISTRY, source=source).model_dump_json().encode()


def measure(measure_id: str, source: str) -> bytes:
    return MeasureCreated.wrap(Measure(measure_id=measure_id, plan_id="p", region_code="361000", number=1, title="t"),
                               source=source).model_dump_json().encode()


def test_only_measures_and_registries_within_their_producers_scope_reach_the_catalogue():
    known, feed = catalogue(), CatalogueFeed("kafka:9092", TOPICS, admit)
    feed.take(known, TOPICS.measure_created, measure("m-city", "/external/fuzhou-plans"))
    feed.take(known, TOPICS.measure_created, measure("m-unknown", "/external/unknown"))
    feed.take(known, TOPICS.registry_published, registry("/external/unknown"))
    assert list(known.measures) == ["m-city"] and known.registry is None
    feed.take(known, TOPICS.registry_published, registry("/external/fuzhou-plans"))
    assert known.registry == REGISTRY


def test_without_a_clients_file_every_measure_reaches_it():
    known, feed = catalogue(), CatalogueFeed("kafka:9092", TOPICS)
    feed.take(known, TOPICS.measure_created, measure("m-1", "/external/unknown"))
    assert list(known.measures) == ["m-1"]

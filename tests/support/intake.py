"""intake running in this process, connected to the test's broker before the first request; the tracker it asks
about assignments and loop steps, serving with a measure's assignments."""

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx

from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.contracts import Measure, MeasureCreated, Registry, RegistryPublished
from shared.kafka.broker import ensure_topics
from shared.web.clients import new_token, token_hash
from tests.support.apps import running, serving
from tests.support.streams import produce
from tests.support.waiting import eventually

# The measures the sample reports and ledgers name: intake refuses reports on measures it knows not to exist,
# and from units a measure does not assign (the sample reports come from 临川区政府, one of 各县(区)政府).
SAMPLE_MEASURES = [Measure(measure_id=measure_id, plan_id="fuzhou-2022", region_code="361000", number=number,
                           title=title, lead_units=["市司法局"], responsible_units=["各县(区)政府"],
                           start_date=dt.date(2022, 1, 1))
                   for measure_id, number, title in [("fuzhou-2022-11", 11, "推进严格规范公正文明执法"),
                                                     ("fuzhou-2022-17", 17, "支持法院依法受理和审理行政案件"),
                                                     ("fuzhou-2022-18", 18, "形成监督合力"),
                                                     ("fuzhou-2022-19", 19, "加强行政执法协调监督")]]
# The source they are published under straight to Kafka: a clients file lists it (clients_file), as a deployment
# lists the city's planning system's, or intake's catalogue would leave them out (shared/web/producers.py).
SAMPLE_SOURCE = "/tests/fuzhou-plans"


async def publish_sample_measures(settings_values: dict) -> None:
    settings = IntakeSettings(**settings_values)
    await ensure_topics(settings)
    await produce(settings.kafka_bootstrap_servers, f"{settings.topic_prefix}measure-created",
                  [MeasureCreated.wrap(m, source=SAMPLE_SOURCE) for m in SAMPLE_MEASURES], lambda e: e.data.measure_id)


@asynccontextmanager
async def running_intake(settings_values: dict, *, sample_measures: bool = False,
                         **settings) -> AsyncIterator[httpx.AsyncClient]:
    """`sample_measures`: the measures the sample reports name are on their topic first."""
    if sample_measures:
        await publish_sample_measures(settings_values)
    async with running(create_app(IntakeSettings(**settings_values, **settings))) as client:
        async def connected():
            return (await client.get("/readyz")).status_code == 200

        await eventually(connected)
        yield client


@contextmanager
def serving_tracker(settings_values: dict) -> Iterator[str]:
    """The tracker serving on a free port, on the test's broker and database: its URL."""
    with serving(create_tracker(TrackerSettings(**settings_values)),
                 lambda url: httpx.get(f"{url}/health").status_code == 200) as url:
        yield url


async def timeline_of(tracker_url: str, measure_id: str, unit: str) -> dict | None:
    """The assignment's loop as the tracker holds it; None for one it does not have."""
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{tracker_url}/v1/measures/{measure_id}/units/{quote(unit, safe='')}/timeline")
    return response.json() if response.status_code == 200 else None


async def assigned_by_tracker(settings_values: dict, tracker_url: str, measure: Measure, unit: str,
                              registry: Registry | None = None) -> None:
    """`measure` published straight to Kafka, and applied by the tracker: it holds the assignment of `unit` (as
    the tracker keys it). With `registry`, that is published and applied first, so the measure's names resolve."""
    await ensure_topics(TrackerSettings(**settings_values))
    if registry is not None:
        await produce(settings_values["kafka_bootstrap_servers"], topic(settings_values, "registry-published"),
                      [RegistryPublished.wrap(registry, source="/tests")], lambda _: "registry")

        async def registry_applied():
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{tracker_url}/v1/regions/{registry.regions[0].code}")).status_code == 200

        await eventually(registry_applied)
    await produce(settings_values["kafka_bootstrap_servers"], topic(settings_values, "measure-created"),
                  [MeasureCreated.wrap(measure, source="/tests")], lambda event: event.data.measure_id)
    await eventually(lambda: timeline_of(tracker_url, measure.measure_id, unit))


def clients_file(path: Path, clients: list[tuple[str, str, str, str]]) -> str:
    """A clients file (shared/web/clients.py) at `path` for (id, name, region, token) each, and the city's planning
    system that publishes the sample measures (SAMPLE_SOURCE, no token anyone holds); returns its path."""
    planning = (f"  - {{id: sample-plans, name: 抚州市规划系统, region_code: '361000', roles: [planner], "
                f"token_sha256: {token_hash(new_token())}, kafka_sources: ['{SAMPLE_SOURCE}']}}\n")
    path.write_text("clients:\n" + "".join(
        f"  - {{id: {client_id}, name: {name}, region_code: '{region}', token_sha256: {token_hash(token)}}}\n"
        for client_id, name, region, token in clients) + planning, encoding="utf-8")
    return str(path)


def topic(settings_values: dict, name: str) -> str:
    return f"{settings_values['topic_prefix']}{name}"

"""intake running in this process, connected to the test's broker before the first request."""

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from shared.contracts import Measure, MeasureCreated
from shared.kafka.broker import ensure_topics
from shared.web.clients import new_token, token_hash
from tests.support.apps import running
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

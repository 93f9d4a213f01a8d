"""GET /v1/operations: the operations page's figures (运行监控), read from the other services' /metrics over HTTP
(services meet through HTTP and events; the targets are settings.metrics_targets) and from reporting's own
registry, summed up by services/reporting/domain/operations.py. A service that does not answer is reported as down,
never an error."""

import asyncio
import time

import httpx
from fastapi import APIRouter
from prometheus_client import generate_latest

from services.reporting.domain.operations import Scrape, summarize
from services.reporting.entrypoints.http.dependencies import MetricsRegistry, MetricsTargets, SnapshotsDep
from services.reporting.storage.snapshots import Snapshots

router = APIRouter(prefix="/v1/operations", tags=["operations"])
SCRAPE_TIMEOUT_SECONDS = 3.0


async def scrape(client: httpx.AsyncClient, service: str, url: str) -> Scrape:
    try:
        response = await client.get(f"{url.rstrip('/')}/metrics")
        response.raise_for_status()
        return Scrape(service, text=response.text)
    except httpx.HTTPError as error:
        return Scrape(service, error=f"{type(error).__name__}: {error}")


async def region_names(snapshots: Snapshots) -> dict[str, str]:
    """The registry's region names, from the snapshot in hand; none when the database cannot be read (the page
    is for when things are wrong, so it does not wait on them)."""
    try:
        snapshot = await asyncio.wait_for(snapshots.current(), SCRAPE_TIMEOUT_SECONDS)
    except Exception:  # the database away or slow: codes without names
        return {}
    return {code: region.get("name") for code, region in snapshot.regions.items()}


@router.get("")
async def operations(targets: MetricsTargets, registry: MetricsRegistry, snapshots: SnapshotsDep) -> dict:
    """Each service reachable or not, its requests and 5xx answers; each district's last event and age (the
    stalest first, `quiet` past the alert rule's threshold); consumed, published and dead-lettered records per
    topic; consumer lag per partition; open alerts; webhook deliveries; the read model's age. Counters are
    totals since each service started; times in seconds (Unix time for `as_of` and `last_event_at`)."""
    async with httpx.AsyncClient(timeout=SCRAPE_TIMEOUT_SECONDS) as client:
        scrapes = await asyncio.gather(*(scrape(client, service, url) for service, url in targets.items()))
    own = Scrape("reporting", text=generate_latest(registry).decode())
    return summarize([*scrapes, own], time.time(), await region_names(snapshots))

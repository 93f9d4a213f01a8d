"""`duban simulate`: realistic district traffic through the running intake's batch endpoint or straight onto Kafka,
for demos and the benchmark (the traffic model: deploy/demo/simulation.py). Needs the demo city loaded (`make run`
loads it)."""

import asyncio
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx

from cli.dlq import add_kafka_options, kafka_overrides
from cli.intake import add_intake_option

# The traffic model, the demo, intake's limits and the broker are imported when the command runs: `duban` starts
# fast. A delivery sends a chunk of reports (deploy/demo/simulation.Simulated) and says what became of each.
Delivery = Callable[[list], Awaitable[list[str]]]


def add_commands(subparsers) -> None:
    command = subparsers.add_parser("simulate", help="send N districts' reports over D days through intake (or "
                                    "onto Kafka), with month-end peaks, late and missing reporters, duplicates and "
                                    "bad records")
    command.add_argument("--districts", type=int, default=3, help="how many of the demo city's counties (default 3)")
    command.add_argument("--days", type=int, default=60, help="the days simulated, up to today (default 60)")
    command.add_argument("--rate", type=float, default=200, help="reports sent per second at most (default 200)")
    command.add_argument("--seed", type=int, default=12)
    command.add_argument("--via", choices=("intake", "kafka"), default="intake",
                         help="intake's batch endpoint (default), or progress-reported events straight onto Kafka "
                              "(bad records then go to the dead-letter topic)")
    add_intake_option(command)
    add_kafka_options(command)
    command.set_defaults(handler=run_simulate)


def district_assignments(districts: int) -> tuple[list[str], list]:
    """The first `districts` counties of the demo registry (by code), and the assignments of their units and of
    their townships' units (services/tracker/domain/assignments.Assignment). Fewer when the registry has fewer."""
    import yaml

    from deploy.demo.load import DEMO, city_assignments
    from services.intake.domain.registry_file import load_registry

    registry = load_registry(DEMO.parent / yaml.safe_load(DEMO.read_text(encoding="utf-8"))["registry"])
    counties = sorted(region.code for region in registry.regions if region.level == "county")[:districts]
    within = {region.code for region in registry.regions if region.code in counties or region.parent_code in counties}
    return counties, [a for a in city_assignments() if a.region_code in within]


def through_intake(intake: httpx.AsyncClient, headers: dict) -> Delivery:
    async def deliver(chunk: list) -> list[str]:
        answer = await intake.post("/v1/progress:batch", json={"reports": [s.report for s in chunk]}, headers=headers)
        if answer.status_code != 202:
            raise SystemExit(f"intake answered {answer.status_code}: {answer.text[:500]}")
        return ["accepted" if item["status"] == 202 else f"refused {item['status']}" for item in answer.json()["items"]]
    return deliver


def onto_kafka(broker, topic: str) -> Delivery:
    from pydantic import ValidationError

    from shared.contracts import ProgressReport, ProgressReported
    from shared.kafka.broker import publish_event

    def event(report: dict) -> ProgressReported:
        try:
            data = ProgressReport.model_validate(report)
        except ValidationError:  # a bad record goes out as it is: the tracker must dead-letter it with the reason
            data = ProgressReport.model_construct(**report)
        return ProgressReported.wrap(data, source="/duban/simulate")

    async def deliver(chunk: list) -> list[str]:
        events = [event(s.report) for s in chunk]
        with warnings.catch_warnings():  # pydantic warns when it serialises a bad record's unvalidated fields
            warnings.simplefilter("ignore")
            await asyncio.gather(*(publish_event(broker, topic, e, e.data.assignment_key) for e in events))
        return ["published"] * len(chunk)
    return deliver


async def send(deliver: Delivery, traffic: list, rate: float, batch: int) -> Counter:
    """Sends the reports in order, `batch` at a time, at most `rate` a second. Returns outcomes counted by
    (kind, outcome): ('report', 'accepted'), ('bad', 'refused 422'), ('duplicate', 'published'), …"""
    from tqdm import tqdm

    outcomes: Counter = Counter()
    began = time.monotonic()
    with tqdm(total=len(traffic), unit="report", desc="simulate") as bar:
        for start in range(0, len(traffic), batch):
            chunk = traffic[start:start + batch]
            outcomes.update(zip((s.kind for s in chunk), await deliver(chunk), strict=True))
            bar.update(len(chunk))
            bar.set_postfix(refused=sum(n for (_, outcome), n in outcomes.items() if outcome.startswith("refused")))
            # Paced: the next batch leaves when the reports sent so far are due at `rate`.
            await asyncio.sleep(max(0.0, (start + len(chunk)) / rate - (time.monotonic() - began)))
    return outcomes


async def simulated(args, traffic: list) -> Counter:
    from services.intake.entrypoints.http.progress import MAX_BATCH_REPORTS

    batch = max(1, min(MAX_BATCH_REPORTS, int(args.rate)))  # one call a second at most rates
    if args.via == "intake":
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
        async with httpx.AsyncClient(base_url=args.intake, timeout=120) as intake:
            return await send(through_intake(intake, headers), traffic, args.rate, batch)
    from shared.contracts import Topics
    from shared.kafka.broker import create_broker
    from shared.settings import ServiceSettings

    settings = ServiceSettings(**kafka_overrides(args))
    broker = create_broker(settings, "duban-simulate")
    await broker.connect()
    try:
        return await send(onto_kafka(broker, Topics(settings.topic_prefix).progress_reported), traffic, args.rate,
                          batch)
    finally:
        await broker.stop()


def run_simulate(args) -> None:
    from deploy.demo.simulation import Shares, simulate

    counties, assignments = district_assignments(args.districts)
    now = datetime.now(UTC)
    traffic = simulate(assignments, (now - timedelta(days=args.days - 1)).date(), now, Shares(), seed=args.seed)
    print(f"{len(counties)} districts ({', '.join(counties)}), {len(assignments)} assignments, {args.days} days: "
          f"{len(traffic)} reports to send through {args.via} at up to {args.rate:g}/s")
    outcomes = asyncio.run(simulated(args, traffic))
    for (kind, outcome), count in sorted(outcomes.items()):
        print(f"  {kind:<10} {outcome:<12} {count}")

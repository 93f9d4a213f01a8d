"""Times intake admitting a batch of progress reports in-process: the rules (usecases/progress_acceptance.py on a
catalogue that knows every measure and the registry) and, with --idempotency, the Idempotency-Key claims in a real
store.

Usage: python bench/intake_admission.py [--reports 500] [--units 400] [--runs 3] [--idempotency]
The city and its reports are bench/report_latency.py's generated_city (1 city, 13 counties and zones, 200
townships; synthetic demo data): measures naming `--units` units each, and `--reports` of their reports, every
one admitted. Prints reports/s of admission (ProgressAcceptance.refusals, what POST /v1/progress:batch asks of
each report), best of the runs. With --idempotency, SecantusDB is started on a free port in a temporary directory
(stopped at the end) and the batch is admitted as the batch route admits it with an Idempotency-Key: claims on a
new key, then the same batch retried (every key taken: each report's first event id comes back); reports/s of each.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from pymongo import AsyncMongoClient  # noqa: E402

from bench.report_latency import generated_city  # noqa: E402
from deploy.local.install import install  # noqa: E402
from deploy.local.stack import LocalStack  # noqa: E402
from services.intake.storage.catalogue import Catalogue  # noqa: E402
from services.intake.storage.idempotency import IdempotencyKeys  # noqa: E402
from services.intake.usecases.progress_acceptance import ProgressAcceptance  # noqa: E402
from shared.contracts import Measure, ProgressReport, Registry, RegistryPublished, Topics  # noqa: E402

SOURCE = "/duban/bench"
BATCH_SCOPE = "/v1/progress:batch"


def city(reports: int, units: int) -> tuple[Registry, list[Measure], list[ProgressReport]]:
    """The registry, the measures (each naming `units` units) and `reports` of their reports."""
    registry, measures, sent = generated_city(max(units, reports * 2), units_per_measure=units)
    if len(sent) < reports:
        raise SystemExit(f"the generated city has only {len(sent)} reports")
    return (Registry.model_validate(registry), [Measure.model_validate(m) for m in measures],
            [ProgressReport.model_validate(r) for r in sent[:reports]])


def acceptance(registry: Registry, measures: list[Measure], idempotency=None) -> ProgressAcceptance:
    async def caught_up() -> bool:
        return True

    catalogue = Catalogue(caught_up)
    for measure in measures:
        catalogue.add(measure)
    catalogue.add_registry(RegistryPublished.wrap(registry, source=SOURCE, subject="registry"))
    return ProgressAcceptance(catalogue, lambda: None, None, idempotency, Topics(), timedelta(minutes=10))


async def time_admission(accepting: ProgressAcceptance, reports: list[ProgressReport], runs: int) -> float:
    """Best seconds to judge every report."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for report in reports:
            if errors := await accepting.refusals(report):
                raise SystemExit(f"a generated report was refused: {errors}")
        best = min(best, time.perf_counter() - started)
    return best


async def admit_batch(accepting: ProgressAcceptance, reports: list[ProgressReport], key: str) -> list[str]:
    """The event ids, as POST /v1/progress:batch admits the reports under Idempotency-Key `key`."""
    outcomes = await accepting.admit_all(dict(enumerate(reports)), SOURCE, (BATCH_SCOPE, key))
    return [event.id for event in outcomes.values()]


async def time_idempotency(database_url: str, registry: Registry, measures: list[Measure],
                           reports: list[ProgressReport], runs: int) -> tuple[float, float]:
    """Best seconds to admit the batch under a new key, and to admit it again under the same key."""
    client = AsyncMongoClient(database_url)
    accepting = acceptance(registry, measures, IdempotencyKeys(client["duban_bench"]["idempotency_keys"]))
    first = retried = float("inf")
    for _ in range(runs):
        key = uuid.uuid4().hex
        started = time.perf_counter()
        ids = await admit_batch(accepting, reports, key)
        first = min(first, time.perf_counter() - started)
        started = time.perf_counter()
        if await admit_batch(accepting, reports, key) != ids:
            raise SystemExit("a retried batch got other event ids")
        retried = min(retried, time.perf_counter() - started)
    await client.close()
    return first, retried


def with_database(measure):
    """`measure(url)` with SecantusDB running on a free port in a temporary directory, stopped after."""
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as state:
        stack = LocalStack(Path(state), default_ports=False, tie_to_parent=True)
        try:
            return measure(stack.start_database(install()))
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--units", type=int, default=400, help="units each measure names")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idempotency", action="store_true", help="also time the claims in SecantusDB")
    args = parser.parse_args()
    registry, measures, reports = city(args.reports, args.units)
    print(f"{len(reports)} reports on {len(measures)} measures naming {args.units} units each "
          f"({sum(len(r.units) for r in registry.regions)} registry units)")
    seconds = asyncio.run(time_admission(acceptance(registry, measures), reports, args.runs))
    print(f"admission: {seconds:.3f} s, {len(reports) / seconds:,.0f} reports/s (best of {args.runs})")
    if args.idempotency:
        first, retried = with_database(
            lambda url: asyncio.run(time_idempotency(url, registry, measures, reports, args.runs)))
        print(f"with an Idempotency-Key: new key {first:.3f} s, {len(reports) / first:,.0f} reports/s; retried "
              f"{retried:.3f} s, {len(reports) / retried:,.0f} reports/s (best of {args.runs})")


if __name__ == "__main__":
    main()

"""Times 考核 scoring at a city's size: reading the year's facts from reporting's collections and scoring them
(what every GET /v1/scores, bulletin and annual report does: the scores are computed afresh, never stored).

Usage: python bench/reporting_scores.py [--assignments 50000] [--runs 5] [--mongodb-url URL]
Without --mongodb-url it starts the local stack's database (SecantusDB) in a temporary directory and stops it
at the end. Data: the generated city of bench/reporting_rollup.py (tests/unit/reporting/generated.py), written by
reporting's own use cases from its events, with every tenth assignment closed out after one return (two
assignment-updated events each: loop steps) and 5,000 overdue episodes.

Prints, as p50 / max over the runs: reading the facts, scoring them (pure), and the city's ranking as the use case
answers it (both).
"""

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo


from bench.reporting_rollup import DATABASE, fresh_city, percentiles, run_on_a_database, write_alerts  # noqa: E402
from services.reporting.domain.scoring.rules import ScoringBook  # noqa: E402
from services.reporting.domain.scoring.score import score_year  # noqa: E402
from services.reporting.storage.collections import ReportingStore  # noqa: E402
from services.reporting.storage.scoring import ScoringStore  # noqa: E402
from services.reporting.usecases.record import record  # noqa: E402
from services.reporting.usecases.scoring import Scoring  # noqa: E402
from shared.contracts import AssignmentUpdated  # noqa: E402

TODAY = date(2026, 11, 22)


async def close_out(store: ReportingStore, city) -> int:
    """Every tenth assignment returned once, then closed out: revisions 2 and 3."""
    at = datetime(2026, 6, 1, tzinfo=UTC)
    events = []
    for assignment in city.assignments[::10]:
        state = {k: assignment[k] for k in ("measure_id", "unit", "unit_name", "role", "region_code")}
        events += [AssignmentUpdated(id=f"{assignment['_id']}#2", source="bench", time=at,
                                     data={**state, "revision": 2, "returned_count": 1}),
                   AssignmentUpdated(id=f"{assignment['_id']}#3", source="bench", time=at + timedelta(days=9),
                                     data={**state, "revision": 3, "returned_count": 1,
                                           "closed_out_at": at + timedelta(days=9), "loop_state": "closed_out"})]
    for i in range(0, len(events), 5_000):
        await record(store, events[i:i + 5_000])
    return len(events) // 2


async def bench(url: str, args: argparse.Namespace) -> None:
    client, store, city = await fresh_city(url, args.assignments)
    print(f"closed out {await close_out(store, city)} assignments after a return")
    await write_alerts(store, city, 0, 5_000)
    scoring, book = ScoringStore(store), ScoringBook()
    reading, scoring_only, both, kept = [], [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        facts = await scoring.facts(2026)
        reading.append(time.perf_counter() - started)
        started = time.perf_counter()
        scores = score_year(facts, book, 2026, TODAY)
        scoring_only.append(time.perf_counter() - started)
        started = time.perf_counter()
        use_case = Scoring(scoring, book, today=lambda: TODAY)
        await use_case.ranking(2026, "361000")
        both.append(time.perf_counter() - started)
        started = time.perf_counter()
        await use_case.ranking(2026, "361002")  # within DUBAN_SCORES_MAX_AGE_SECONDS: the year's scores kept
        kept.append(time.perf_counter() - started)
    print(f"{len(facts.assignments)} assignments, {len(facts.reports)} reports, {len(facts.steps)} loop steps, "
          f"{len(facts.overdue)} overdue episodes, {len(scores)} units")
    percentiles("reading the year's facts", reading)
    percentiles("scoring them (pure)", scoring_only)
    percentiles("the city's ranking (GET /v1/scores)", both)
    percentiles("a county's ranking, the year's scores kept", kept)
    await client.drop_database(DATABASE)
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mongodb-url", help="an existing server (default: start the local stack's database)")
    run_on_a_database(bench, parser.parse_args())


if __name__ == "__main__":
    main()

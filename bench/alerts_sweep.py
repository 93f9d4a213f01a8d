"""Times one alert sweep in-process: every rule over 100,000 generated assignments (pure functions, no I/O), and
their lights (亮灯).

Usage: python bench/alerts_sweep.py [--assignments 100000] [--measures 500] [--runs 3] [--seed 7]
The measures mix one-off, yearly, quarterly and undated recurring deadlines and quantitative targets; the
assignments mix never reported, in progress, late and completed units across a city, 11 counties and
townships, at every step of the supervision loop (not signed for, signed, in progress, completion requested,
closed out; some returned once or twice). Prints the alerts found by kind and severity, then the time per sweep
(reading each measure into a schedule included), the assignments per second, the time to light every assignment
from its alerts, and the time to compare two sweeps' alerts (transitions).
"""

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from services.alerts.domain.evaluate import Evaluator  # noqa: E402
from services.alerts.domain.lights import lights_of  # noqa: E402
from services.alerts.domain.rules import RulesBook  # noqa: E402
from services.alerts.domain.transitions import transitions  # noqa: E402

TODAY = date(2026, 7, 20)
DEADLINES = [
    [{"text": "2026年底前", "date": "2026-12-31", "recurrence": None}],
    [{"text": "2026年6月底前", "date": "2026-06-30", "recurrence": None}],
    [{"text": "2025年底前", "date": "2025-12-31", "recurrence": None}],
    [{"text": "每年3月1日前", "date": "2023-03-01", "recurrence": "yearly"},
     {"text": "2026年底前", "date": "2026-12-31", "recurrence": None}],
    [{"text": "每季度", "date": None, "recurrence": "quarterly"}],
    [{"text": "2026年7月底前", "date": "2026-07-31", "recurrence": None}],
    [],
]
TARGET = {"text": "出庭应诉率达95%以上", "indicator": "出庭应诉率", "comparator": ">=", "value": 95.0, "unit": "%"}
REGIONS = ["361000"] + [f"3610{n:02d}" for n in (2, 3, 21, 22, 23, 24, 25, 26, 27, 28, 30)]


def generate(assignments: int, measures: int, rng: random.Random) -> tuple[dict, list[dict]]:
    docs = {
        f"p-{n}": {"measure_id": f"p-{n}", "plan_id": "p", "title": f"措施{n}",
                   "start_date": rng.choice(["2025-01-01", "2026-01-01", None]),
                   "deadlines": rng.choice(DEADLINES), "targets": [TARGET] if n % 4 == 0 else [],
                   "published_at": datetime(2026, 7, 1, 1, tzinfo=UTC) - timedelta(days=rng.randint(0, 400))}
        for n in range(measures)
    }
    rows = []
    for n in range(assignments):
        county = rng.choice(REGIONS)
        region = county if rng.random() < 0.6 else f"{county}{rng.randint(901, 915)}"
        row = {"measure_id": f"p-{n % measures}", "unit": f"{region}.u{n % 40}", "unit_name": f"单位{n % 40}",
               "role": "responsible", "region_code": region, "status": "not_started", "percent_complete": 0,
               "period": None, "reported_at": None, "completed_at": None, "indicator_values": {}, "assigned": True,
               "loop_state": rng.choice(["assigned", "signed"]), "returned_count": rng.choice([0, 0, 0, 1, 2])}
        kind = rng.random()
        if kind > 0.3:  # reported once
            sent = datetime(2026, 7, 10, tzinfo=UTC) - timedelta(days=rng.randint(0, 400))
            status = "completed" if kind > 0.85 else "in_progress"
            row.update(status=status, percent_complete=100 if status == "completed" else rng.randint(0, 95),
                       reported_at=sent, period=f"{sent.year}-Q{(sent.month - 1) // 3 + 1}",
                       completed_at=sent if status == "completed" else None, completion_requested_at=sent,
                       loop_state=rng.choice(["completion_requested", "closed_out"]) if status == "completed"
                       else "in_progress",
                       indicator_values={"出庭应诉率": rng.uniform(60, 100)} if rng.random() < 0.5 else {})
        rows.append(row)
    return docs, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    measures, assignments = generate(args.assignments, args.measures, random.Random(args.seed))
    book = RulesBook()
    timings, alerts = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        evaluator = Evaluator(measures, book)  # a fresh evaluator: schedules included
        alerts = evaluator.alerts(assignments, TODAY)
        timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    lights = lights_of(evaluator.judged, alerts)
    light_seconds = time.perf_counter() - start
    start = time.perf_counter()
    step = transitions(alerts, Evaluator(measures, book).alerts(assignments, TODAY + timedelta(days=1)))
    diff_seconds = time.perf_counter() - start
    print(f"{len(assignments):,} assignments of {len(measures)} measures on {TODAY}: {len(alerts):,} open alerts")
    for (kind, severity), count in sorted(Counter((a.kind.value, a.severity.value) for a in alerts).items()):
        print(f"  {kind:9} {severity:9} {count:7,}")
    best, median = min(timings), statistics.median(timings)
    print(f"sweep: best {best:.2f} s, median {median:.2f} s over {args.runs} runs "
          f"({len(assignments) / best:,.0f} assignments/s)")
    colours = Counter(str(lit.light) for lit in lights.values())
    print(f"lights: {light_seconds:.2f} s ({', '.join(f'{colours[c]:,} {c}' for c in ('green', 'yellow', 'red'))})")
    print(f"next day's sweep and its transitions: {diff_seconds:.2f} s "
          f"({len(step.raised)} raised, {len(step.cleared)} cleared, {len(step.changed)} changed severity)")


if __name__ == "__main__":
    main()

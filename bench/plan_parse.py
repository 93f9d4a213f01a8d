"""Times the plan parser on a ~40 KB plan: the fuzhou and bazhong samples concatenated.

Usage: python bench/plan_parse.py [--runs 200] [--samples deploy/demo/plans] [--pdf]
--pdf times the same text cut at 28 characters a line with page numbers and running headers,
as a PDF extraction leaves it. Prints the input size, the measures found and mean / p95 / max ms.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

DEMO_PLANS = Path(__file__).resolve().parent.parent / "deploy" / "demo" / "plans"

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from services.intake.plans.parser import parse_plan  # noqa: E402

PLANS = ("fuzhou-city-2022.txt", "bazhong-city-2017.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--samples", type=Path, default=DEMO_PLANS)
    parser.add_argument("--pdf", action="store_true", help="time a PDF-like extraction of the text")
    args = parser.parse_args()
    text = "\n".join((args.samples / name).read_text(encoding="utf-8") for name in PLANS)
    if args.pdf:
        from tests.unit.plans.pdf_damage import damage
        text = damage(text)
    measures = len(parse_plan(text).measures)  # also warms up the compiled patterns
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        parse_plan(text)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"input {len(text.encode('utf-8')) / 1024:.1f} KB ({len(text)} characters), "
          f"{measures} measures, {args.runs} runs")
    print(f"mean {statistics.fmean(timings):.2f} ms  p95 {p95:.2f} ms  max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()

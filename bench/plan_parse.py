"""Times the plan parser on a ~40 KB plan: the fuzhou and bazhong samples concatenated.

Usage: python bench/plan_parse.py [--runs 200] [--samples deploy/demo/plans] [--pdf | --site | --numbers]
--pdf times the same text cut at 28 characters a line with page numbers and running headers,
as a PDF extraction leaves it; --site as a document-sharing site shows it (line breaks lost, chunks
of 300 characters each opened by its counter N、, two chunks swapped); --numbers a hostile text of 199 counters each
running 50 numbered items (~380 KB of numbering for the backbone to weigh; min 376 ms on 2 cores). Prints the
input size, the measures found and min / mean / p95 / max ms (min is the figure to compare on a shared machine:
load only adds to it).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

DEMO_PLANS = Path(__file__).resolve().parent.parent / "deploy" / "demo" / "plans"

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from services.intake.domain.plans.parser import parse_plan  # noqa: E402

PLANS = ("fuzhou-city-2022.txt", "bazhong-city-2017.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--samples", type=Path, default=DEMO_PLANS)
    parser.add_argument("--pdf", action="store_true", help="time a PDF-like extraction of the text")
    parser.add_argument("--site", action="store_true", help="time the text as a document site shows it")
    parser.add_argument("--numbers", action="store_true", help="time a long run of numbered items instead")
    args = parser.parse_args()
    text = "\n".join((args.samples / name).read_text(encoding="utf-8") for name in PLANS)
    if args.pdf:
        from tests.unit.intake.domain.plans.pdf_damage import damage
        text = damage(text)
    if args.site:
        flat = "".join(text.splitlines())
        chunks = [flat[i:i + 300] for i in range(0, len(flat), 300)]
        chunks[5], chunks[6] = chunks[6], chunks[5]
        text = "\n".join(f"{n}、{chunk}" for n, chunk in enumerate(chunks, 1))
    if args.numbers:
        from tests.unit.intake.domain.plans.hostile import long_run_of_numbers
        text = long_run_of_numbers()
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
    print(f"min {timings[0]:.2f} ms  mean {statistics.fmean(timings):.2f} ms  p95 {p95:.2f} ms  "
          f"max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()

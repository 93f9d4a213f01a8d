"""Latency from a progress report's 202 at intake to the changed figure in reporting's region report.

Usage: python bench/report_latency.py [--assignments 20000] [--samples 30] [--snapshot-max-age SECONDS]
                                      [--poll 0.1]
Starts the local stack (Kafka, SecantusDB, the four services) on free ports in a temporary directory, as
bench/pipeline.py does, loads a city through intake, waits until reporting's figures stop changing, and stops
everything at the end. The city: with --assignments 0, the demo city (deploy/demo/load.py: its registry, plan and
a quarter's reports, 875 assignments); otherwise a generated one of about that many assignments (generated_city:
1 city, 13 counties and zones, 200 townships, measures naming 400 units each, three in four assignments
reported this quarter; names and townships are synthetic demo data).

Then, one sample at a time, each after a random pause (--gap): an assignment of a county unit (or of a township's
below it) that is not completed gets a report `completed, 100%` through POST /v1/progress (202), and
GET /v1/reports/regions/{county} is polled every `--poll` seconds until its `completed` count moved; the sample is
the time from the 202 to that answer. Prints p50 / p95 / max over the samples (and any that did not show within
`--timeout`).

Only public interfaces are used (intake's and reporting's HTTP APIs, the demo loader, the stack launcher), so
the same script measures before and after a change of how reporting learns of reports (issue 11). Reporting's
own freshness setting is passed only when asked (--snapshot-max-age, DUBAN_SNAPSHOT_MAX_AGE_SECONDS); the value in
effect is printed, read from services/reporting/settings.py when it still has it.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

import httpx  # noqa: E402

from deploy.demo.load import ALERT_RULES, BATCH, load_demo  # noqa: E402
from deploy.local.stack import LocalStack  # noqa: E402
from shared.domain.calendar import CHINA  # noqa: E402

CITY = "361000"
COUNTIES = ["361002", "361003", "361021", "361022", "361023", "361024", "361025", "361026", "361027", "361028",
            "361030", "361071", "361072"]  # 抚州市's GB/T 2260 codes; its two development zones' own 7x codes
UNITS_PER_MEASURE = 400  # within the contract's 500 units a measure may name
STATUSES = [("not_started", 0), ("in_progress", 40), ("in_progress", 70), ("completed", 100), ("blocked", 30)]


def generated_city(assignments: int, townships: int = 200, seed: int = 11, units_per_measure: int = UNITS_PER_MEASURE,
                   ) -> tuple[dict, list[dict], list[dict]]:
    """A registry (the Registry contract as JSON), measures (Measure) naming about `assignments` units in all,
    `units_per_measure` each, and this quarter's reports (ProgressReport) for three in four of them. Synthetic demo
    data."""
    rng = random.Random(seed)

    def region(code: str, name: str, level: str, parent: str | None, departments: int) -> dict:
        units = [{"unit_id": f"{code}.government", "name": f"{name}政府", "kind": "government"}]
        units += [{"unit_id": f"{code}.d{k}", "name": f"{name}部门{k}", "kind": "department"}
                  for k in range(1, departments + 1)]
        return {"code": code, "name": name, "level": level, "parent_code": parent, "synthetic": True,
                "gbt": level != "township" and not code.startswith("36107"), "units": units}

    regions = [region(CITY, "演示市", "city", None, 40)]
    regions += [region(code, f"演示县{n + 1}", "county", CITY, 15) for n, code in enumerate(COUNTIES)]
    regions += [region(f"{COUNTIES[n % len(COUNTIES)]}{101 + n // len(COUNTIES):03d}", f"演示镇{n + 1}", "township",
                       COUNTIES[n % len(COUNTIES)], 2) for n in range(townships)]
    units = [(unit, r["code"]) for r in regions for unit in r["units"]]
    now = datetime.now(UTC)
    quarter_began = datetime(now.year, 3 * ((now.astimezone(CHINA).month - 1) // 3) + 1, 1, tzinfo=CHINA)
    measures, reports = [], []
    for number in range(1, -(-assignments // units_per_measure) + 1):
        named = rng.sample(units, min(len(units), units_per_measure, assignments - len(measures) * units_per_measure))
        measure_id = f"bench-{number}"
        measures.append({"measure_id": measure_id, "plan_id": "bench", "region_code": CITY, "number": number,
                         "title": f"演示措施{number}", "chapter": "一、演示", "start_date": f"{now.year}-01-01",
                         "responsible_units": [unit["name"] for unit, _ in named],
                         "deadlines": [{"text": f"{now.year}年底前", "date": f"{now.year}-12-31"}]})
        for unit, region_code in named:
            if rng.random() < 0.75:
                status, percent = rng.choice(STATUSES)
                at = quarter_began + (now - quarter_began) * rng.random()
                reports.append({"measure_id": measure_id, "unit": unit["unit_id"], "region_code": region_code,
                                "period": current_quarter(), "percent_complete": percent, "status": status,
                                "reported_at": at.isoformat()})
    return {"regions": regions}, measures, reports


def load_generated(intake: httpx.Client, reporting: httpx.Client, tracker: httpx.Client, assignments: int) -> dict:
    """Publishes generated_city through intake: the registry, once the tracker has it the measures, once
    reporting counts their assignments the reports. Returns what was sent."""
    registry, measures, reports = generated_city(assignments)
    intake.post("/v1/registry", json=registry).raise_for_status()
    wait_for(lambda: tracker.get(f"/v1/regions/{COUNTIES[0]}").status_code == 200, "the tracker's registry")
    for measure in measures:
        intake.post("/v1/measures", json=measure).raise_for_status()
    expected = sum(len(m["responsible_units"]) for m in measures)
    wait_for(lambda: figures(reporting, CITY).get("assignments", 0) >= expected, f"{expected} assignments")
    for start in range(0, len(reports), BATCH):  # no Idempotency-Key: each generated batch is sent once
        answer = intake.post("/v1/progress:batch", json={"reports": reports[start:start + BATCH]})
        answer.raise_for_status()
        if answer.json()["refused"]:
            raise SystemExit(f"intake refused generated reports: {answer.text[:500]}")
    return {"measures": len(measures), "assignments": expected, "progress_reports": len(reports)}


def wait_for(done, what: str, timeout: float = 600) -> None:
    """Polls `done()` every second. Raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {timeout:.0f} s")
        time.sleep(1)


def figures(reporting: httpx.Client, region_code: str) -> dict:
    answer = reporting.get(f"/v1/reports/regions/{region_code}")
    answer.raise_for_status()
    return answer.json()


def settle(reporting: httpx.Client, quiet_seconds: float, timeout: float = 1800) -> dict:
    """Waits until the city's figures have not changed for `quiet_seconds` (the load is in). Returns them.
    Raises TimeoutError."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        current = figures(reporting, CITY)
        if current.get("assignments") and current == last:
            if time.monotonic() - since >= quiet_seconds:
                return current
        else:
            last, since = current, time.monotonic()
        time.sleep(1)
    raise TimeoutError(f"reporting's figures for {CITY} still changed after {timeout:.0f} s")


def candidates(reporting: httpx.Client, counties: list[str], wanted: int) -> list[tuple[str, dict]]:
    """(county code, assignment row) for `wanted` assignments in a county or below that are not completed (fewer
    when there are not so many), taken round-robin across the counties so successive samples land on different
    regions."""
    each = -(-wanted // max(1, len(counties)))
    per_county = []
    for county in counties:
        rows: list[dict] = []
        for unit in reporting.get(f"/v1/reports/regions/{county}/units").json():
            if len(rows) >= each:
                break
            answer = reporting.get(f"/v1/reports/regions/{county}/units/{unit['unit']}")
            answer.raise_for_status()
            rows += [row for row in answer.json()["rows"] if row["status"] != "completed"]
        per_county.append([(county, row) for row in rows])
    mixed = []
    for n in range(max(map(len, per_county), default=0)):
        mixed += [rows[n] for rows in per_county if n < len(rows)]
    return mixed[:wanted]


def current_quarter() -> str:
    today = datetime.now(CHINA).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def sample(intake: httpx.Client, reporting: httpx.Client, county: str, row: dict, poll: float,
           timeout: float) -> float | None:
    """Seconds from the report's 202 until the county's `completed` count differs from before it (None: not
    within `timeout`)."""
    before = figures(reporting, county)["completed"]
    answer = intake.post("/v1/progress", json={
        "measure_id": row["measure_id"], "unit": row["unit"], "region_code": row["region_code"],
        "period": current_quarter(), "percent_complete": 100, "status": "completed", "narrative": "bench"})
    accepted = time.perf_counter()
    if answer.status_code != 202:
        raise SystemExit(f"intake answered {answer.status_code}: {answer.text[:500]}")
    while time.perf_counter() - accepted < timeout:
        if figures(reporting, county)["completed"] != before:
            return time.perf_counter() - accepted
        time.sleep(poll)
    return None


def snapshot_max_age(asked: float | None) -> str:
    if asked is not None:
        return f"{asked:g} s (set by --snapshot-max-age)"
    try:
        from services.reporting.settings import ReportingSettings
        default = ReportingSettings.model_fields["snapshot_max_age_seconds"].default
    except (ImportError, KeyError):
        return "no snapshot_max_age_seconds setting in services/reporting/settings.py"
    return f"{default:g} s (the default of services/reporting/settings.py)"


def run(urls: dict[str, str], assignments: int, samples: int, gap: float, poll: float, timeout: float,
        quiet: float, max_age: str) -> None:
    with httpx.Client(base_url=urls["intake"], timeout=300) as intake, \
            httpx.Client(base_url=urls["reporting"], timeout=60) as reporting, \
            httpx.Client(base_url=urls["tracker"], timeout=60) as tracker:
        began = time.perf_counter()
        loaded = (load_generated(intake, reporting, tracker, assignments) if assignments
                  else load_demo(urls["intake"], urls["tracker"]))
        city = settle(reporting, quiet)
        print(f"city loaded in {time.perf_counter() - began:.0f} s: {loaded}; reporting sees "
              f"{city['assignments']} assignments, {city['completed']} completed", flush=True)
        counties = [child["region_code"] for child in city["children"]]
        chosen = candidates(reporting, counties, samples)
        if len(chosen) < samples:
            print(f"only {len(chosen)} assignments below the counties are not completed: {len(chosen)} samples")
        waits, missed, pauses = [], 0, random.Random(5)
        for n, (county, row) in enumerate(chosen, 1):
            time.sleep(pauses.uniform(0, gap))
            wait = sample(intake, reporting, county, row, poll, timeout)
            missed += wait is None
            if wait is not None:
                waits.append(wait)
            print(f"sample {n:>3}: {row['measure_id']} {row['unit']} -> {county}: "
                  + ("not seen" if wait is None else f"{wait:.2f} s"), flush=True)
    print(f"\nreporting snapshot max age in effect: {max_age}")
    if waits:
        ordered = sorted(waits)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        print(f"202 -> changed figure in GET /v1/reports/regions/{{county}} (n={len(ordered)}, poll {poll:g} s): "
              f"p50 {statistics.median(ordered):.2f} s   p95 {p95:.2f} s   max {ordered[-1]:.2f} s")
    if missed:
        print(f"{missed} samples not seen within {timeout:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=20_000,
                        help="a generated city of about this many assignments; 0: the demo city (default 20000)")
    parser.add_argument("--samples", type=int, default=30, help="reports timed, one at a time (default 30)")
    parser.add_argument("--gap", type=float, default=10,
                        help="before each sample, a pause drawn from 0 to this many seconds, so that reports come at "
                             "any point of reporting's refresh cycle as real ones do (default 10)")
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between reads of the figure (default 0.1)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a sample may take (default 120)")
    parser.add_argument("--quiet", type=float, default=30,
                        help="seconds the loaded city's figures must stay unchanged before sampling (default 30)")
    parser.add_argument("--snapshot-max-age", type=float,
                        help="DUBAN_SNAPSHOT_MAX_AGE_SECONDS for the services (default: reporting's own default)")
    args = parser.parse_args()
    settings = {"alert_rules_file": str(ALERT_RULES)}
    if args.snapshot_max_age is not None:
        settings["snapshot_max_age_seconds"] = str(args.snapshot_max_age)
    stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-bench-")), default_ports=False, tie_to_parent=True)
    try:
        urls = stack.start_services(stack.start_infrastructure(), **settings)
        run(urls, args.assignments, args.samples, args.gap, args.poll, args.timeout, args.quiet,
            snapshot_max_age(args.snapshot_max_age))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()

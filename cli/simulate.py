"""`duban simulate`: realistic district traffic through the running intake's batch endpoint, for demos and the
benchmark (the traffic model: deploy/demo/simulation.py). Needs the demo city loaded (`make run` loads it)."""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from cli.intake import add_intake_option

# The traffic model, the demo and intake's limits are imported when the command runs: `duban` starts fast.


def add_commands(subparsers) -> None:
    command = subparsers.add_parser("simulate", help="send N districts' reports over D days through intake, with "
                                    "month-end peaks, late and missing reporters, duplicates and bad records")
    command.add_argument("--districts", type=int, default=3, help="how many of the demo city's counties (default 3)")
    command.add_argument("--days", type=int, default=60, help="the days simulated, up to today (default 60)")
    command.add_argument("--rate", type=float, default=200, help="reports sent per second at most (default 200)")
    command.add_argument("--seed", type=int, default=12)
    add_intake_option(command)
    command.set_defaults(handler=run_simulate)


def district_assignments(districts: int) -> tuple[list[str], list]:
    """The first `districts` counties of the demo registry (by code), and the assignments of their units and of
    their townships' units (services/tracker/domain/assignments.Assignment). Fewer when the registry has fewer."""
    import yaml

    from deploy.demo.load import DEMO, city_assignments
    from services.intake.registry import load_registry

    registry = load_registry(DEMO.parent / yaml.safe_load(DEMO.read_text(encoding="utf-8"))["registry"])
    counties = sorted(region.code for region in registry.regions if region.level == "county")[:districts]
    within = {region.code for region in registry.regions if region.code in counties or region.parent_code in counties}
    return counties, [a for a in city_assignments() if a.region_code in within]


def send(intake: httpx.Client, traffic: list, rate: float, headers: dict) -> Counter:
    """Sends the reports (deploy/demo/simulation.Simulated) in order in batches, at most `rate` a second.
    Returns outcomes counted by (kind, status): ('report', 202), ('bad', 422), …"""
    from tqdm import tqdm

    from services.intake.api.progress import MAX_BATCH_REPORTS

    outcomes: Counter = Counter()
    batch = max(1, min(MAX_BATCH_REPORTS, int(rate)))  # one call a second at most rates
    began = time.monotonic()
    with tqdm(total=len(traffic), unit="report", desc="simulate") as bar:
        for start in range(0, len(traffic), batch):
            chunk = traffic[start:start + batch]
            answer = intake.post("/v1/progress:batch", json={"reports": [s.report for s in chunk]}, headers=headers)
            if answer.status_code != 202:
                raise SystemExit(f"intake answered {answer.status_code}: {answer.text[:500]}")
            outcomes.update((s.kind, item["status"]) for s, item in zip(chunk, answer.json()["items"], strict=True))
            bar.update(len(chunk))
            bar.set_postfix(accepted=sum(n for (_, status), n in outcomes.items() if status == 202),
                            refused=sum(n for (_, status), n in outcomes.items() if status != 202))
            # Paced: the next batch leaves when the reports sent so far are due at `rate`.
            time.sleep(max(0.0, (start + len(chunk)) / rate - (time.monotonic() - began)))
    return outcomes


def run_simulate(args) -> None:
    from deploy.demo.simulation import Shares, simulate

    counties, assignments = district_assignments(args.districts)
    now = datetime.now(UTC)
    traffic = simulate(assignments, (now - timedelta(days=args.days - 1)).date(), now, Shares(), seed=args.seed)
    print(f"{len(counties)} districts ({', '.join(counties)}), {len(assignments)} assignments, {args.days} days: "
          f"{len(traffic)} reports to send at up to {args.rate:g}/s")
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    with httpx.Client(base_url=args.intake, timeout=120) as intake:
        outcomes = send(intake, traffic, args.rate, headers)
    for (kind, status), count in sorted(outcomes.items()):
        print(f"  {kind:<10} {status}  {count}")

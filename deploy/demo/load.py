"""Loads the demo city through intake's public HTTP API, as a city office and its districts would."""

import datetime as dt
import random
from pathlib import Path

import httpx
import yaml

from services.intake.domain.plans.measures import plan_measures
from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.registry_file import load_registry
from services.tracker.domain.assignments import Assignment, UnitLookup, assignments_for

DEMO = Path(__file__).parent / "fuzhou.yaml"
BATCH = 500  # reports per call: well within the batch endpoint's limit and its 512 KiB body
ALERT_RULES = Path(__file__).parent / "alert-rules.yaml"


def load_demo(intake_url: str, path: Path = DEMO) -> dict[str, int]:
    demo = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = demo["plan"]
    registry, document = path.parent / demo["registry"], path.parent / plan["file"]
    # The named reports come after the generated ones of the same day, dated so that a second load sends the very
    # same reports (intake's default, the time of sending, would make each a new content under its first event id).
    reports = [*generated_reports(demo, registry, document),
               *({"reported_at": f"{demo['generated']['reported_on']}T18:00:00+08:00", **report}
                 for report in demo["progress"])]
    with httpx.Client(base_url=intake_url, timeout=60) as intake:
        intake.post("/v1/registry", files={"file": (registry.name, registry.read_bytes())}).raise_for_status()
        imported = intake.post(
            "/v1/plans:import",
            data={"plan_id": plan["plan_id"], "region_code": plan["region_code"], "start_date": plan["start_date"]},
            files={"file": (document.name, document.read_bytes())},
        )
        imported.raise_for_status()
        publish_reports(intake, reports, f"demo|{plan['plan_id']}")
    lookup = UnitLookup(load_registry(registry))
    reported = {(r["measure_id"], lookup.reporting_unit(r["unit"], r["region_code"])) for r in reports}
    return {"measures": len(imported.json()["measures"]), "progress_reports": len(reports),
            "assignments_reported": len(reported)}


def publish_reports(intake: httpx.Client, reports: list[dict], key: str) -> None:
    """Through the batch endpoint, each batch under an Idempotency-Key derived from `key`: the demo's reports are
    generated the same on every run, so a second `make run` on a stack that holds the demo gets the first run's
    event ids back, and the tracker, which keeps a report once per event id, counts nothing twice.
    Raises RuntimeError naming the first report intake did not accept."""
    for start in range(0, len(reports), BATCH):
        answer = intake.post("/v1/progress:batch", json={"reports": reports[start:start + BATCH]},
                             headers={"Idempotency-Key": f"{key}|{start}"})
        answer.raise_for_status()
        if refused := [item for item in answer.json()["items"] if item["status"] != 202]:
            raise RuntimeError(f"intake did not accept demo report {start + refused[0]['index']}: {refused[0]}")


def demo_assignments(demo: dict, registry: Path, document: Path) -> list[Assignment]:
    """The demo plan's assignments, resolved against the demo registry, in the plan's order."""
    plan = demo["plan"]
    measures = plan_measures(parse_plan(document.read_text(encoding="utf-8")), plan["plan_id"],
                             plan["region_code"], dt.date.fromisoformat(plan["start_date"]))
    lookup = UnitLookup(load_registry(registry))
    return [assignment for measure in measures for assignment in assignments_for(measure, lookup)[0]]


def city_assignments(path: Path = DEMO) -> list[Assignment]:
    """The demo city's resolved assignments: what its units report on (for the simulator and the benchmark)."""
    demo = yaml.safe_load(path.read_text(encoding="utf-8"))
    everything = demo_assignments(demo, path.parent / demo["registry"], path.parent / demo["plan"]["file"])
    return [assignment for assignment in everything if assignment.resolved]


def generated_reports(demo: dict, registry: Path, document: Path) -> list[dict]:
    """A quarter's reports from the plan's resolved assignments, as their units might send them."""
    spec = demo["generated"]
    rng = random.Random(spec["seed"])
    kinds, weights = zip(*spec["shares"].items(), strict=True)
    reports = []
    for assignment in demo_assignments(demo, registry, document):
        kind = rng.choices(kinds, weights)[0]
        if kind == "silent" or not assignment.resolved:
            continue
        percent, status = {
            "completed": (100, "completed"),
            "on_track": (rng.randint(75, 95), "in_progress"),
            "lagging": (rng.randint(20, 65), "in_progress"),
            "blocked": (rng.randint(30, 60), "blocked"),
        }[kind]
        reports.append({
            "measure_id": assignment.measure_id, "unit": assignment.unit, "region_code": assignment.region_code,
            "period": spec["period"], "percent_complete": percent, "status": status,
            "reported_at": f"{spec['reported_on']}T{rng.randint(9, 17):02d}:00:00+08:00",
            "narrative": "演示数据",
        })
    return reports

"""Loads the demo city through intake's public HTTP API, as a city office and its districts would."""

import datetime as dt
import random
from pathlib import Path

import httpx
import yaml
from httpx_retries import Retry, RetryTransport

from deploy.demo.loop import DemoLoop, demo_loop, walk
from services.intake.domain.plans.measures import plan_measures
from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.registry_file import load_registry
from services.tracker.domain.assignments import Assignment, UnitLookup, assignments_for
from shared.contracts import Measure, Registry

DEMO = Path(__file__).parent / "fuzhou.yaml"
BATCH = 500  # reports per call: well within the batch endpoint's limit and its 512 KiB body
ALERT_RULES = Path(__file__).parent / "alert-rules.yaml"


def load_demo(intake_url: str, tracker_url: str, path: Path = DEMO, token: str | None = None) -> dict[str, int]:
    """Loads the demo city through intake (with `token`, a city admin's key, where the services have a clients
    file): the registry, the plan, the counties' measures, the reports and the supervision loop (deploy/demo/loop.py,
    each step once the tracker, asked at `tracker_url`, applied the one before); says how much it sent: measures,
    progress reports (the returned units' after the return too), assignments reported on, and the loop's counts
    (signed, completion_requested, closed_out, awaiting_verification, returned), each applied by the tracker when it
    returns. Raises RuntimeError for what intake or the tracker refused, TimeoutError for a step never applied."""
    demo = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = demo["plan"]
    registry, document = path.parent / demo["registry"], path.parent / plan["file"]
    reports = demo_reports(demo, registry, document)
    current = current_statuses(reports, registry)
    loop = demo_loop_of(demo, registry, document, current)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with (httpx.Client(base_url=intake_url, timeout=60, headers=headers, transport=patient()) as intake,
          httpx.Client(base_url=tracker_url, timeout=60, headers=headers, transport=patient()) as tracker):
        intake.post("/v1/registry", files={"file": (registry.name, registry.read_bytes())}).raise_for_status()
        imported = intake.post(
            "/v1/plans:import",
            data={"plan_id": plan["plan_id"], "region_code": plan["region_code"], "start_date": plan["start_date"]},
            files={"file": (document.name, document.read_bytes())},
        )
        imported.raise_for_status()
        county = county_measures(demo, load_registry(registry))
        for measure in county:
            intake.post("/v1/measures", json=measure.model_dump(mode="json"),
                        headers={"Idempotency-Key": f"demo|{measure.measure_id}"}).raise_for_status()
        publish_reports(intake, reports, f"demo|{plan['plan_id']}")
        walk(intake, tracker, loop, lambda follow_ups: publish_reports(intake, follow_ups,
                                                                       f"demo|{plan['plan_id']}|returned"))
    return {"measures": len(imported.json()["measures"]) + len(county), "township_measures": len(county),
            "progress_reports": len(reports) + len(loop.follow_ups), "assignments_reported": len(current),
            **loop.summary()}


def patient(transport: httpx.BaseTransport | None = None) -> RetryTransport:
    """A client's transport that waits out the services' rate limit: a key's requests past DUBAN_RATE_LIMIT are
    answered 429 with Retry-After and not acted on, so each is sent again after that wait (httpx-retries), and the
    demo loads under a clients file's default limit too."""
    return RetryTransport(transport, retry=Retry(
        total=50, allowed_methods=["GET", "POST", "PUT"], status_forcelist=[429], respect_retry_after_header=True,
        max_backoff_wait=30))


def demo_reports(demo: dict, registry: Path, document: Path) -> list[dict]:
    """The generated reports, then the named ones (fuzhou.yaml's `progress`)."""
    # The named reports come after the generated ones of the same day, dated so that a second load sends the very
    # same reports (intake's default, the time of sending, would make each a new content under its first event id).
    return [*generated_reports(demo, registry, document),
            *({"reported_at": f"{demo['generated']['reported_on']}T18:00:00+08:00", **report}
              for report in demo["progress"])]


def current_statuses(reports: list[dict], registry: Path) -> dict[str, str]:
    """Assignment key (the unit as the tracker keys it) -> the status of its latest report."""
    lookup = UnitLookup(load_registry(registry))
    return {f"{r['measure_id']}|{lookup.reporting_unit(r['unit'], r['region_code'])}": r["status"]
            for r in sorted(reports, key=lambda r: r["reported_at"])}


def demo_loop_of(demo: dict, registry: Path, document: Path, current: dict[str, str]) -> DemoLoop:
    """The demo's supervision loop (deploy/demo/loop.py) on the assignments whose reports' statuses are `current`."""
    issuers = {measure.measure_id: measure.region_code for measure in demo_measures(demo, registry, document)}
    return demo_loop(demo["loop"], demo_assignments(demo, registry, document), issuers, current)


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


def county_measures(demo: dict, registry: Registry) -> list[Measure]:
    """The demo's county measures for their townships (fuzhou.yaml's county_measures), once per county that has
    townships, `{county}` in unit names replaced by the county's name."""
    spec = demo["county_measures"]
    with_townships = {region.parent_code for region in registry.regions if region.level == "township"}
    counties = [region for region in registry.regions if region.code in with_townships]
    return [Measure(**{**measure, "measure_id": f"{spec['plan_id']}-{county.code}-{measure['number']}",
                       "plan_id": spec["plan_id"], "region_code": county.code, "start_date": spec["start_date"],
                       "lead_units": [name.format(county=county.name) for name in measure["lead_units"]],
                       "responsible_units": [name.format(county=county.name)
                                             for name in measure["responsible_units"]]})
            for county in counties for measure in spec["measures"]]


def demo_measures(demo: dict, registry: Path, document: Path) -> list[Measure]:
    """The demo's measures: the city plan's in its order, then the counties' for their townships."""
    plan = demo["plan"]
    measures = plan_measures(parse_plan(document.read_text(encoding="utf-8")), plan["plan_id"],
                             plan["region_code"], dt.date.fromisoformat(plan["start_date"]))
    return [*measures, *county_measures(demo, load_registry(registry))]


def demo_assignments(demo: dict, registry: Path, document: Path) -> list[Assignment]:
    """The demo's assignments, resolved against the demo registry, in its measures' order."""
    lookup = UnitLookup(load_registry(registry))
    return [assignment for measure in demo_measures(demo, registry, document)
            for assignment in assignments_for(measure, lookup)[0]]


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

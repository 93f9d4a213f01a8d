"""Loads the demo city through intake's public HTTP API, as a city office and its districts would."""

from pathlib import Path

import httpx
import yaml

DEMO = Path(__file__).parent / "fuzhou.yaml"


def load_demo(intake_url: str, path: Path = DEMO) -> dict[str, int]:
    demo = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = demo["plan"]
    with httpx.Client(base_url=intake_url, timeout=60) as intake:
        registry = path.parent / demo["registry"]
        intake.post("/v1/registry", files={"file": (registry.name, registry.read_bytes())}).raise_for_status()
        document = path.parent / plan["file"]
        imported = intake.post(
            "/v1/plans:import",
            data={"plan_id": plan["plan_id"], "region_code": plan["region_code"]},
            files={"file": (document.name, document.read_bytes())},
        )
        imported.raise_for_status()
        for report in demo["progress"]:
            intake.post("/v1/progress", json=report).raise_for_status()
    return {"measures": len(imported.json()["measures"]), "progress_reports": len(demo["progress"])}

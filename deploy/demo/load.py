"""Loads the demo city through intake's public HTTP API, as a district's system would."""

from pathlib import Path

import httpx
import yaml

DEMO = Path(__file__).parent / "fuzhou.yaml"


def load_demo(intake_url: str, path: Path = DEMO) -> dict[str, int]:
    demo = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = {"plan_id": demo["plan_id"], "region_code": demo["region_code"]}
    with httpx.Client(base_url=intake_url, timeout=30) as intake:
        for measure in demo["measures"]:
            intake.post("/v1/measures", json={**plan, **measure}).raise_for_status()
        for report in demo["progress"]:
            intake.post("/v1/progress", json=report).raise_for_status()
    return {"measures": len(demo["measures"]), "progress_reports": len(demo["progress"])}

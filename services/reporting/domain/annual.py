"""The annual report dataset (年度报告素材): what a city writes its 年度报告 from, for one region and year.

Evaluated at the year's last day (or today, for the current year), over the assignments as the tracker last
published them:

- `figures`: the region's rollup and each child region's (snapshot.region_report, cadence `year`, so the
  reporting rate counts units that reported during the year);
- `measures`: per measure, in the plan's order, its figures over the region's assignments, a status
  (已完成 when every assignment is completed, 未启动 when none has started, otherwise 推进中) and the reports
  made during the year with their narrative (工作进展) and evidence (佐证材料: `evidence` the names and links as
  written and the stored files' names; `evidence_files` the stored files' references, each once, not their
  bytes, which intake keeps): each report that was current
  at some revision of its assignment and was not withdrawn (reporting_revisions), `reported_on` its day in China
  (what the page and the workbook print beside the narrative);
- `overdue`: every assignment the figures count overdue (the alerts' judgement) with the due date its alert names;
- `scores`: the year's 考核 scores within the region (domain/scoring/score.py's ranking), when given.

Pure: the year's reports are read from storage (collections.ReportingStore.revisions_counted) and passed in.
"""

from datetime import date

from services.reporting.domain.flags import flagged_on
from services.reporting.domain.snapshot import Snapshot
from shared.domain.calendar import local_date
from shared.domain.regions import within

MEASURE_STATUS_NAMES = {"completed": "已完成", "in_progress": "推进中", "not_started": "未启动"}


def annual_as_of(year: int, today: date) -> date:
    return min(date(year, 12, 31), today)


def annual_report(snapshot: Snapshot, region_code: str, year: int, today: date, reports: list[dict],
                  scores: dict | None = None) -> dict:
    """`reports`: the reports made during the year (any region; filtered here), as revisions."""
    as_of = annual_as_of(year, today)
    figures = snapshot.region_report(region_code, as_of, "year")
    by_measure = snapshot.grouped_report(region_code, as_of, "year", "measures")["rows"]
    reports = sorted((r for r in reports if within(r.get("region_code") or "", region_code)
                      and (local_date(r.get("reported_at")) or date.min).year == year),
                     key=lambda r: (r["measure_id"], r["reported_at"], r.get("unit", "")))
    names = _unit_names(snapshot)
    per_measure: dict[str, list[dict]] = {}
    for report in reports:
        per_measure.setdefault(report["measure_id"], []).append({
            "unit": report["unit"], "unit_name": names.get(report["unit"], report["unit"]),
            "region_code": report.get("region_code"), "period": report.get("period"),
            "reported_at": _iso(report.get("reported_at")), "reported_on": _iso(local_date(report.get("reported_at"))),
            "status": report.get("status"),
            "percent_complete": report.get("percent_complete"), "narrative": report.get("narrative") or "",
            "evidence": list(report.get("evidence") or []), "evidence_files": list(report.get("evidence_files") or [])})
    measures = []
    for row in by_measure:
        measure = snapshot.measures.get(row["measure_id"]) or {}
        status = ("completed" if row["completed"] == row["assignments"]
                  else "not_started" if row["not_started"] == row["assignments"] else "in_progress")
        year_reports = per_measure.get(row["measure_id"], [])
        measures.append({
            **row, "lead_units": measure.get("lead_units") or [],
            "deadlines": [d.get("text") for d in measure.get("deadlines") or []],
            "status": status, "status_name": MEASURE_STATUS_NAMES[status], "reports": year_reports,
            "evidence": sorted({item for report in year_reports for item in report["evidence"]}
                               | {file["name"] for report in year_reports for file in report["evidence_files"]}),
            "evidence_files": sorted({file["id"]: file for report in year_reports
                                      for file in report["evidence_files"]}.values(), key=lambda f: f["name"])})
    return {**snapshot.region_label(region_code), "year": year, "as_of": as_of.isoformat(),
            "figures": figures, "measures": measures, "overdue": overdue_items(snapshot, region_code, as_of),
            "scores": scores}


def overdue_items(snapshot: Snapshot, region_code: str, as_of: date) -> list[dict]:
    """Each assignment in the region and below that the figures count overdue at `as_of` (the alerts service's
    judgement, flags.py), with the due date its overdue alert names (None where the alert named none)."""
    due = flagged_on(snapshot.flags, as_of).overdue_due
    items = []
    for fact in snapshot.evaluation(as_of).facts_within(region_code):
        if not fact.overdue:
            continue
        measure = snapshot.measures.get(fact.measure_id) or {}
        missed = due.get((fact.measure_id, fact.unit))
        items.append({"measure_id": fact.measure_id, "number": measure.get("number"), "title": measure.get("title"),
                      "unit": fact.unit, "unit_name": fact.unit_name, "region_code": fact.region_code,
                      "region_name": snapshot.region_label(fact.region_code)["name"], "status": fact.status,
                      "percent_complete": fact.percent, "due": missed and missed.isoformat(),
                      "days_overdue": missed and (as_of - missed).days})
    return sorted(items, key=lambda i: (i["due"] is None, i["due"] or "", i["number"] or 0, i["region_code"],
                                        i["unit"]))


def _unit_names(snapshot: Snapshot) -> dict[str, str]:
    names = {unit["unit_id"]: unit["name"] for region in snapshot.regions.values() for unit in region.get("units", [])}
    names.update({a["unit"]: a["unit_name"] for a in snapshot.assignments if a.get("unit_name")})
    return names


def _iso(value) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value

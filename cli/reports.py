"""`duban report annual`, `duban report region` and `duban report bulletin`: the reporting service's exports and
documents (.docx in the GB/T 9704 layout), written to files; `duban report scores`: the year's 考核 scores, printed."""

import json
import os
from pathlib import Path

import httpx

DEFAULT_REPORTING = "http://127.0.0.1:8003"


def add_commands(subparsers) -> None:
    report = subparsers.add_parser("report", help="reports and exports from the reporting service").add_subparsers(
        dest="action", required=True)
    annual = report.add_parser("annual", help="the annual report (年度报告) as .docx, or its dataset as .xlsx, "
                               ".json or .html")
    annual.add_argument("--region", required=True, help="GB/T 2260 code, e.g. 361000")
    annual.add_argument("--year", required=True, type=int)
    annual.add_argument("--out", help="the file to write (.docx, .xlsx, .json or .html; default annual-CODE-YEAR.xlsx)")
    annual.set_defaults(handler=run_annual)
    region = report.add_parser("region", help="a region's rollup (the region, its children, units) as .xlsx or .csv")
    region.add_argument("--region", required=True, help="GB/T 2260 code")
    region.add_argument("--as-of", help="YYYY-MM-DD (default: today in China)")
    region.add_argument("--out", help="the file to write (.xlsx or .csv; default report-CODE.xlsx)")
    region.set_defaults(handler=run_region)
    bulletin = report.add_parser("bulletin", help="督办通报 of a region and period as .docx")
    bulletin.add_argument("--region", required=True, help="GB/T 2260 code")
    bulletin.add_argument("--period", required=True, help="2026-10 (a month), 2026-Q3, 2026-H1 or 2026")
    bulletin.add_argument("--issue", type=int, help="the issue number (第N期), if the bulletins are numbered")
    bulletin.add_argument("--out", help="the file to write (default bulletin-CODE-PERIOD.docx)")
    bulletin.set_defaults(handler=run_bulletin)
    scores = report.add_parser("scores", help="the year's 考核 scores: a region's ranking, or one unit's lines")
    scores.add_argument("--region", help="GB/T 2260 code (default: the service's home region)")
    scores.add_argument("--year", type=int, help="default: this year")
    scores.add_argument("--unit", help="one unit's every line (rule, points, the events behind it)")
    scores.set_defaults(handler=run_scores)
    for command in (annual, region, bulletin, scores):
        command.add_argument("--reporting", default=DEFAULT_REPORTING, help=f"default {DEFAULT_REPORTING}")
        command.add_argument("--token", default=os.environ.get("DUBAN_TOKEN"),
                             help="a viewer's key, when the services have a clients file (default: $DUBAN_TOKEN)")


def fetch(args, path: str, params: dict) -> httpx.Response:
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    response = httpx.get(f"{args.reporting.rstrip('/')}{path}", params=params, timeout=120, headers=headers)
    if response.status_code >= 400:
        raise SystemExit(f"{path}: HTTP {response.status_code}: {response.text[:500]}")
    return response


def run_annual(args) -> None:
    out = Path(args.out or f"annual-{args.region}-{args.year}.xlsx")
    params = {"region_code": args.region, "year": args.year}
    if out.suffix == ".html":
        content = fetch(args, f"/reports/annual/{args.region}/{args.year}", {}).content
    elif out.suffix == ".docx":
        content = fetch(args, "/v1/reports/annual.docx", params).content
    elif out.suffix == ".json":
        content = json.dumps(fetch(args, "/v1/reports/annual", params).json(), ensure_ascii=False,
                             indent=2).encode()
    else:
        content = fetch(args, "/v1/reports/annual.xlsx", params).content
    out.write_bytes(content)
    print(f"annual report {args.region} {args.year} written to {out}")


def run_region(args) -> None:
    out = Path(args.out or f"report-{args.region}.xlsx")
    suffix = "csv" if out.suffix == ".csv" else "xlsx"
    params = {"as_of": args.as_of} if args.as_of else {}
    out.write_bytes(fetch(args, f"/v1/reports/regions/{args.region}.{suffix}", params).content)
    print(f"report {args.region} written to {out}")


def run_bulletin(args) -> None:
    out = Path(args.out or f"bulletin-{args.region}-{args.period}.docx")
    params = {"period": args.period, **({"issue": args.issue} if args.issue else {})}
    out.write_bytes(fetch(args, f"/v1/reports/regions/{args.region}/bulletin.docx", params).content)
    print(f"bulletin {args.region} {args.period} written to {out}")


def run_scores(args) -> None:
    params = {"year": args.year} if args.year else {}
    if args.unit:
        unit = fetch(args, f"/v1/scores/units/{args.unit}", params).json()
        print(f"{unit['unit_name']} {unit['year']}: {unit['total']:g} (基础分 {unit['base']:g})")
        for line in unit["lines"]:
            print(f"  {line['points']:+g}  {line['rule_name']}  {line['measure_id']} ×{line['count']:g}  "
                  f"{' '.join(line['events'])}")
        return
    ranking = fetch(args, "/v1/scores", {**params, **({"region_code": args.region} if args.region else {})})
    found = ranking.json()
    mean = "—" if found["total"] is None else f"{found['total']:g}"
    print(f"{found['name'] or found['region_code']} {found['year']}: {found['units']} 个单位, 平均 {mean}")
    for row in found["regions"]:
        print(f"  {row['rank']}. {row['name'] or row['region_code']}  {row['total']:g} ({row['units']} 个单位)")
    for row in found["unit_ranking"]:
        print(f"  {row['rank']}. {row['unit_name']}  {row['total']:g}  (+{row['gained']:g} {row['lost']:g})")

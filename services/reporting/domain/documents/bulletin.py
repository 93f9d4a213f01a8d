"""督办通报: a region's periodic supervision bulletin, its content from the reports and its .docx.

For a region and a reporting period (a label as progress reports carry it: 2026-10, 2026-Q3, 2026-H1, 2026), at
the period's last day (or today, while the period runs), with the period's cadence for the reporting rate:

- `figures`: the region's rollup (snapshot.region_report);
- `ranking`: the child regions side by side (snapshot.ranking, ranking.py's score), or the region's units where
  it has no child regions with assignments (a township);
- `units`: every unit with an assignment overdue, lagging or silent (the figures' own flags: rollup.evaluate and
  the alerts service's judgement, flags.py), the most overdue first, with the measures concerned;
- `overdue`: each overdue assignment with its due date and days overdue (annual.overdue_items);
- `scores`: the 考核 scores of the period's year within the region (domain/scoring/score.py's ranking), when given;
- `named`: the units named in the bulletin (通报点名): those with an overdue assignment, the most overdue
  first. Lagging and silent units are listed in the table but not named: a deadline missed is a breach,
  progress behind 序时进度 a warning.

Errors: ValueError for a period that may not be asked about at `today` (domain/years.py: not begun, or before the
first plan year).
"""

from datetime import date

from services.reporting.domain.annual import overdue_items
from services.reporting.domain.documents import wording
from services.reporting.domain.documents.layout import OfficialDocument
from services.reporting.domain.documents.scores import scores_section
from services.reporting.domain.lights import LIGHT_NAMES
from services.reporting.domain.periods import period_of
from services.reporting.domain.snapshot import Snapshot
from services.reporting.domain.years import period_refusal
from shared.domain.calendar import label_end

DEMANDS = ("请被通报单位认真对照逾期和滞后事项，分析原因，明确整改措施和完成时限，于本通报印发之日起15个工作日内将整改"
           "情况书面报送本办。各地区、各部门要对照方案任务清单，压实牵头单位和责任单位责任，按时报送工作进展和佐证材料，"
           "确保各项任务按期保质完成。")


def bulletin(snapshot: Snapshot, region_code: str, label: str, today: date, scores: dict | None = None) -> dict:
    """The bulletin's content for the region and period `label` (see the module's docstring for each part)."""
    if refusal := period_refusal(label, today):
        raise ValueError(refusal.detail)
    cadence = wording.cadence_of(label)
    period = period_of(label_end(label), cadence)
    as_of = min(period.end, today)
    figures = snapshot.region_report(region_code, as_of, cadence)
    of = "regions" if any(child["assignments"] for child in figures["children"]) else "units"
    ranking = snapshot.ranking(region_code, as_of, cadence, of)["rows"]
    overdue = overdue_items(snapshot, region_code, as_of)
    units = _units(snapshot.assignment_rows(region_code, as_of, cadence)["rows"], overdue)
    return {**snapshot.region_label(region_code), "period": period.as_dict(), "period_name": wording.period_name(label),
            "as_of": as_of.isoformat(), "figures": {k: v for k, v in figures.items() if k != "children"},
            "ranking_of": of, "ranking": ranking, "units": units, "overdue": overdue,
            "named": [unit for unit in units if unit["overdue"]], "scores": scores}


def _units(rows: list[dict], overdue: list[dict]) -> list[dict]:
    longest: dict[str, int] = {}
    for item in overdue:
        longest[item["unit"]] = max(longest.get(item["unit"], 0), item["days_overdue"] or 0)
    units: dict[str, dict] = {}
    for row in rows:
        flags = [kind for kind in ("overdue", "lagging", "silent") if row[kind]]
        if not flags:
            continue
        unit = units.setdefault(row["unit"], {
            "unit": row["unit"], "unit_name": row["unit_name"], "region_code": row["region_code"],
            "region_name": row["region_name"], "overdue": [], "lagging": [], "silent": [],
            "longest_overdue_days": longest.get(row["unit"], 0)})
        for kind in flags:
            unit[kind].append(row["number"])
    return sorted(units.values(), key=lambda u: (-len(u["overdue"]), -u["longest_overdue_days"], -len(u["lagging"]),
                                                 -len(u["silent"]), u["region_code"], u["unit"]))


def bulletin_docx(content: dict, issue: int | None = None) -> bytes:
    """The bulletin as a .docx (layout.py): masthead, title, 一、总体情况 二、排名情况 then 考核得分排名 (when the
    content has scores: documents/scores.py) 三、逾期和滞后事项 (（一）by unit, （二）each overdue item) 四、通报点名
    五、工作要求. `issue`: the issue number, if numbered."""
    name = content["name"] or content["region_code"]
    as_of = date.fromisoformat(content["as_of"])
    document = OfficialDocument()
    issue_line = f"{as_of.year}年第{issue}期" if issue else content["period_name"]
    document.masthead("督办通报", issue_line, wording.issuer(content), wording.chinese_date(as_of))
    document.title(f"关于{name}法治政府建设实施方案{content['period_name']}落实情况的通报")
    document.paragraph(f"为推动法治政府建设实施方案各项任务落地见效，现将截至{wording.chinese_date(as_of)}"
                       f"{name}各项任务落实情况通报如下。")
    document.heading("总体情况")
    document.paragraph(f"全{_scope(content)}{wording.overview(content['figures'])}")
    _ranking(document, content)
    if content.get("scores"):
        scores_section(document, content["scores"])
    _lagging(document, content)
    document.heading("通报点名")
    named = content["named"]
    if named:
        listed = "；".join(f"{u['unit_name']}（逾期{len(u['overdue'])}项，最长逾期{u['longest_overdue_days']}天）"
                          for u in named)
        document.paragraph(f"对以下{len(named)}个存在逾期未完成任务的单位予以通报：{listed}。")
    else:
        document.paragraph("本期无逾期未完成任务的单位，不予点名通报。")
    document.heading("工作要求")
    document.paragraph(DEMANDS)
    return document.to_bytes()


def _scope(content: dict) -> str:
    return {"city": "市", "county": "县（区）", "township": "乡镇（街道）"}.get(content["level"], "")


def _ranking(document: OfficialDocument, content: dict) -> None:
    document.heading("排名情况")
    what = "各地区" if content["ranking_of"] == "regions" else "各责任单位"
    document.paragraph(f"{what}综合排名如下。{wording.ranking_method()}")
    label = "地区" if content["ranking_of"] == "regions" else "责任单位"
    rows = [[row["rank"] or "—", row.get("name") or row.get("unit_name") or row.get("region_code") or row.get("unit"),
             LIGHT_NAMES.get(row["figures"]["light"], "—"), row["score"], row["components"]["completion_rate"],
             row["components"]["on_time_rate"], row["figures"]["overdue"], row["figures"]["lagging"]]
            for row in content["ranking"]]
    document.table(["排名", label, "亮灯", "综合得分", "完成率(%)", "按期完成率(%)", "逾期(项)", "滞后(项)"], rows,
                   [12, 32, 12, 16, 16, 18, 14, 14])


def _lagging(document: OfficialDocument, content: dict) -> None:
    document.heading("逾期和滞后事项")
    units = content["units"]
    document.subheading("按责任单位")
    if not units:
        document.paragraph("本期无逾期、滞后或未按期报送的事项。")
    else:
        document.paragraph(f"共{len(units)}个责任单位存在逾期、进度滞后或未按期报送进展的任务（措施序号见下表）。")
        document.table(["责任单位", "所属区域", "逾期", "滞后", "未按期报送"],
                       [[u["unit_name"], u["region_name"] or u["region_code"], _numbers(u["overdue"]),
                         _numbers(u["lagging"]), _numbers(u["silent"])] for u in units], [30, 16, 36, 24, 22])
    document.subheading("逾期未完成事项")
    overdue = content["overdue"]
    if not overdue:
        document.paragraph("本期无逾期未完成事项。")
        return
    document.paragraph(wording.items_listed(len(overdue), "逾期未完成事项"))
    document.table(["序号", "措施", "责任单位", "应完成日期", "逾期天数"],
                   [[item["number"], item["title"], item["unit_name"], item["due"], item["days_overdue"]]
                    for item in overdue[:wording.ITEMS_LISTED]], [10, 48, 30, 20, 14])


# After each 、 between numbers a zero-width space: LibreOffice finds no line break in "1、5、12、…" (digits
# with ideographic commas), and wraps such a cell one character at a time.
NUMBER_SEPARATOR = "、\u200b"


def _numbers(numbers: list) -> str:
    """Measure numbers as 第3、5、12项 (an empty list: —)."""
    if not numbers:
        return "—"
    return f"第{NUMBER_SEPARATOR.join(str(n) for n in sorted(numbers, key=lambda n: (n is None, n or 0)))}项"

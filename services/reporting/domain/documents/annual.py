"""年度报告 as a .docx: the annual report dataset (services/reporting/domain/annual.py) in the GB/T 9704 layout.

Sections: 一、总体情况 (the region's figures), 二、各地区落实情况 (each child region, when it has any), 考核得分排名
(when the dataset has the year's scores: documents/scores.py), 三、各项措施
落实情况 (per chapter of the plan, （一）（二）…: each measure's status, lead units, deadlines, completed of
assigned), 四、主要工作进展 (per measure, each unit's latest narrative of the year, with its evidence), 五、逾期
未完成事项. A draft the rule-of-law office edits before it files the report (due to the higher government by
1 March): the figures and the units' own words, nothing the platform would have to invent.
"""

from datetime import date

from services.reporting.domain.documents import wording
from services.reporting.domain.documents.layout import OfficialDocument
from services.reporting.domain.documents.scores import scores_section
from services.reporting.domain.lights import LIGHT_NAMES

STATUS_NAMES = {"completed": "已完成", "in_progress": "推进中", "not_started": "未启动", "blocked": "受阻"}


def annual_docx(report: dict) -> bytes:
    """`report`: annual.annual_report's dataset."""
    name = report["name"] or report["region_code"]
    as_of = date.fromisoformat(report["as_of"])
    document = OfficialDocument()
    document.title(f"{name}{report['year']}年度法治政府建设情况报告")
    document.paragraph(f"现将{name}{report['year']}年度法治政府建设实施方案落实情况报告如下（数据截至"
                       f"{wording.chinese_date(as_of)}）。")
    document.heading("总体情况")
    document.paragraph(f"{report['year']}年度，{wording.overview(report['figures'])}")
    children = [child for child in report["figures"]["children"] if child["assignments"]]
    if children:
        document.heading("各地区落实情况")
        document.table(["地区", "亮灯", "任务数", "已完成(销号)", "待核查", "完成率(%)", "按期完成率(%)", "逾期",
                        "滞后", "报送率(%)"],
                       [[c["name"] or c["region_code"], LIGHT_NAMES.get(c["light"], "—"), c["assignments"],
                         c["completed"], c["awaiting_verification"], c["completion_rate"], c["on_time_rate"],
                         c["overdue"], c["lagging"], c["reporting_rate"]] for c in children],
                       [26, 12, 12, 14, 12, 14, 16, 10, 10, 14])
    if report.get("scores"):
        scores_section(document, report["scores"])
    _measures(document, report["measures"])
    _progress(document, report["measures"])
    document.heading("逾期未完成事项")
    overdue = report["overdue"]
    if overdue:
        listed = wording.items_listed(len(overdue), "任务逾期未完成")
        document.paragraph(f"截至{wording.chinese_date(as_of)}，{listed}")
        document.table(["序号", "措施", "责任单位", "当前状态", "进度(%)", "应完成日期", "逾期天数"],
                       [[i["number"], i["title"], i["unit_name"], STATUS_NAMES.get(i["status"], i["status"]),
                         i["percent_complete"], i["due"], i["days_overdue"]] for i in overdue[:wording.ITEMS_LISTED]],
                       [10, 40, 28, 14, 12, 20, 14])
    else:
        document.paragraph("本年度无逾期未完成的任务。")
    return document.to_bytes()


def _measures(document: OfficialDocument, measures: list[dict]) -> None:
    document.heading("各项措施落实情况")
    chapters: dict[str, list[dict]] = {}
    for measure in measures:
        chapters.setdefault(measure.get("chapter") or "其他", []).append(measure)
    for chapter, rows in chapters.items():
        document.subheading(_without_number(chapter))
        document.table(["序号", "措施", "牵头单位", "时限要求", "完成情况", "状态"],
                       [[m["number"], m["title"], "、".join(m["lead_units"]), "；".join(filter(None, m["deadlines"])),
                         f"{m['completed']}/{m['assignments']}", m["status_name"]] for m in rows],
                       [12, 40, 26, 24, 18, 18])


def _progress(document: OfficialDocument, measures: list[dict]) -> None:
    """Each measure's reports of the year: per unit the latest narrative (reports come oldest first)."""
    written = [(m, latest) for m in measures
               if (latest := {r["unit"]: r for r in m["reports"] if r["narrative"]})]
    if not written:
        return
    document.heading("主要工作进展")
    for measure, latest in written:
        lines = "；".join(f"{r['unit_name']}：{r['narrative'].rstrip('。；;')}" for r in latest.values())
        evidence = f"（佐证材料：{'、'.join(measure['evidence'])}）" if measure["evidence"] else ""
        document.paragraph(f"{measure['number']}. {measure['title']}。{lines}。{evidence}")


def _without_number(chapter: str) -> str:
    """A chapter named `一、依法全面履行政府职能` under a （一） subheading drops its own number."""
    head, separator, rest = chapter.partition("、")
    return rest if separator and head and all(c in "一二三四五六七八九十" for c in head) else chapter

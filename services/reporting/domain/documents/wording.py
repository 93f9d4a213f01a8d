"""Chinese wording shared by the documents: dates, periods, percentages, the issuing office, the overview sentence.

The figures are the reports' own (snapshot.region_report: rollup.Tally.as_dict); this module only words them.
"""

from datetime import date

from services.reporting.domain.periods import Cadence
from services.reporting.domain.ranking import WEIGHTS

COMPONENT_NAMES = {"completion_rate": "完成率", "on_time_rate": "按期完成率", "average_progress": "平均进度",
                   "reporting_rate": "报送率", "attainment_rate": "指标达标率"}
# A document lists at most this many overdue items (the longest overdue first: the lists are sorted by due date);
# the full list is in the workbooks (/v1/reports/annual.xlsx). A city with thousands would otherwise print
# hundreds of pages, and python-docx writes about 600 table rows a second.
ITEMS_LISTED = 200
HALVES = {"1": "上半年", "2": "下半年"}
QUARTERS = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}


def chinese_date(day: date) -> str:
    """2026-11-01 → 2026年11月1日 (the standard writes dates in Arabic numerals, without leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_name(label: str) -> str:
    """2026 → 2026年度, 2026-H1 → 2026年上半年, 2026-Q3 → 2026年第三季度, 2026-10 → 2026年10月."""
    year, _, part = label.partition("-")
    if not part:
        return f"{year}年度"
    if part[0] == "H":
        return f"{year}年{HALVES[part[1:]]}"
    if part[0] == "Q":
        return f"{year}年{QUARTERS[part[1:]]}"
    return f"{year}年{int(part)}月"


def cadence_of(label: str) -> Cadence:
    """The length of the period a label names (labels as shared/contracts/progress.py's Period)."""
    _, _, part = label.partition("-")
    return "year" if not part else "half" if part[0] == "H" else "quarter" if part[0] == "Q" else "month"


def percent(value: float | None) -> str:
    """A percentage figure (already ×100, one decimal) as written in the text; 暂无 where it has no denominator."""
    return "暂无" if value is None else f"{value:.1f}%"


def issuer(region: dict) -> str:
    """The office that issues a region's bulletin: the 全面依法治市(县、区)委员会办公室, or for a township its
    government."""
    name = region.get("name") or region["region_code"]
    if region.get("level") == "township":
        return f"{name}人民政府"
    kind = "市" if region.get("level") == "city" else "区" if name.endswith("区") else "县"
    return f"中共{name}委全面依法治{kind}委员会办公室"


def overview(figures: dict) -> str:
    """One paragraph of the region's figures: assignments by where they stand (completed: closed out, 销号),
    overdue, lagging, silent, reporting."""
    return (f"共分解任务{figures['assignments']}项，已完成{figures['completed']}项（经核查销号，完成率"
            f"{percent(figures['completion_rate'])}），其中按期完成{figures['completed_on_time']}项（按期完成率"
            f"{percent(figures['on_time_rate'])}）；已申请办结待核查{figures['awaiting_verification']}项，推进中{figures['in_progress']}项，未启动{figures['not_started']}项，"
            f"受阻{figures['blocked']}项。逾期未完成{figures['overdue']}项，进度滞后{figures['lagging']}项，"
            f"未按期报送进展{figures['silent']}项。{figures['units']}个责任单位中，本期有{figures['units_reported']}个"
            f"报送了进展（报送率{percent(figures['reporting_rate'])}）；平均进度"
            f"{figures['average_percent_complete']:.1f}%，已报送指标{figures['targets_reported']}项，达标"
            f"{figures['targets_met']}项（达标率{percent(figures['attainment_rate'])}）。")


def ranking_method() -> str:
    """How the ranking's score is made, from ranking.py's weights (not restated by hand)."""
    parts = "、".join(f"{COMPONENT_NAMES[name]}（{round(100 * weight)}%）" for name, weight in WEIGHTS.items())
    return (f"综合得分按{parts}加权计算，满分100分；不适用的指标（如尚无到期任务、尚无报送指标）不计入，"
            "其余权重按比例折算。")


def items_listed(count: int, what: str) -> str:
    """The sentence before a list of `count` items of which at most ITEMS_LISTED are shown."""
    if count <= ITEMS_LISTED:
        return f"共{count}项{what}："
    return f"共{count}项{what}，以下列出逾期时间最长的{ITEMS_LISTED}项（完整清单见系统导出的逾期事项表）："

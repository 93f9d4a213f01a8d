"""考核得分 in the documents: the year's scores within a region (domain/scoring/score.py's ranking) as the 通报's and
the 年度报告's ranking section: child regions by their mean score, then units by their totals."""

from services.reporting.domain.documents import wording
from services.reporting.domain.documents.layout import OfficialDocument

REGION_HEADERS = ["排名", "地区", "考核单位数", "平均得分"]
UNIT_HEADERS = ["排名", "责任单位", "所属区域", "加分", "扣分", "得分"]


def method(scores: dict) -> str:
    """How the scores were made, in one paragraph (the rules' version: the first 8 hex digits of its hash)."""
    version = f"（考核规则版本{scores['rules_version'][:8]}）" if scores.get("rules_version") else ""
    return (f"{scores['year']}年度考核得分以基础分{scores['base_points']:g}分起算{version}：按期销号加分，逾期、"
            "办结申请被退回、进展逾期报送或未报送、比率指标未达标及方案规定的指标事项扣分；地区得分为其所属责任单位"
            "得分的平均值。每项加减分的规则和依据事件见 /v1/scores/units/{单位}。")


def region_rows(scores: dict) -> list[list]:
    return [[r["rank"] or "—", r["name"] or r["region_code"], r["units"], r["total"]] for r in scores["regions"]]


def unit_rows(scores: dict) -> list[list]:
    """The units, at most wording.ITEMS_LISTED of them (the highest scores first)."""
    return [[u["rank"] or "—", u["unit_name"], u["region_name"] or u["region_code"], u["gained"], u["lost"],
             u["total"]] for u in scores["unit_ranking"][:wording.ITEMS_LISTED]]


def scores_section(document: OfficialDocument, scores: dict) -> None:
    """A heading 考核得分排名, the method, the regions' table (where the region has child regions with units) and
    the units' table."""
    document.heading("考核得分排名")
    if not scores["units"]:
        document.paragraph(f"{scores['year']}年度暂无参加考核的责任单位。")
        return
    document.paragraph(method(scores))
    if scores["regions"]:
        document.subheading("各地区得分")
        document.table(REGION_HEADERS, region_rows(scores), [16, 60, 30, 30])
    document.subheading("各责任单位得分")
    document.table(UNIT_HEADERS, unit_rows(scores), [14, 46, 30, 16, 16, 16])

"""考核得分排名 in the 通报, the 年度报告 .docx and the printable annual page: the scores' own rankings, read back."""

from datetime import datetime

import pytest

from services.reporting.domain.annual import annual_report
from services.reporting.domain.annual_page import annual_page
from services.reporting.domain.documents.annual import annual_docx
from services.reporting.domain.documents.bulletin import bulletin, bulletin_docx
from services.reporting.domain.scoring.rules import ScoringBook
from services.reporting.domain.scoring.score import Facts, ranking, score_year
from shared.domain.calendar import CHINA
from tests.unit.reporting.domain.documents.conftest import TODAY
from tests.unit.reporting.domain.documents.reading import open_docx, tables, texts

CLOSED = datetime(2026, 6, 1, tzinfo=CHINA)


@pytest.fixture(scope="module")
def scores(small_snapshot):
    """The small city's assignments scored: the first closed out on time, every other one with nothing due."""
    assignments = [{**a, "closed_out_at": None, "event_id": f"{a['measure_id']}|{a['unit']}#1"}
                   for a in small_snapshot.assignments]
    assignments[0]["closed_out_at"] = CLOSED
    first = assignments[0]
    steps = [{"event_id": "closing#2", "key": f"{first['measure_id']}|{first['unit']}", "revision": 2,
              "returned_count": 0, "closed_out_at": CLOSED, "time": CLOSED}]
    measures = {key: {**m, "start_date": "2026-12-01"} for key, m in small_snapshot.measures.items()}
    facts = Facts(measures, assignments, steps, regions=small_snapshot.regions)
    return {"year": 2026, "rules_version": "ab" * 32, "base_points": 100.0,
            **ranking(score_year(facts, ScoringBook(), 2026, TODAY), "361000", small_snapshot.regions)}


def test_the_bulletin_ranks_regions_and_units_by_score_after_its_composite_ranking(small_snapshot, scores):
    content = bulletin(small_snapshot, "361000", "2026-10", TODAY, scores)
    lines = texts(open_docx(bulletin_docx(content, issue=10)))
    headings = [line for line in lines if line[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}]
    assert headings == ["一、总体情况", "二、排名情况", "三、考核得分排名", "四、逾期和滞后事项", "五、通报点名",
                        "六、工作要求"]
    assert any(line.startswith("2026年度考核得分以基础分100分起算（考核规则版本abababab）") for line in lines)
    _, regions, units, *_ = tables(open_docx(bulletin_docx(content)))
    assert regions[0] == ["排名", "地区", "考核单位数", "平均得分"]
    assert [row[3] for row in regions[1:]] == [str(r["total"]) for r in scores["regions"]]
    assert units[1][1] == scores["unit_ranking"][0]["unit_name"] and units[1][5] == "102.0"
    assert len(units) == 1 + scores["units"]


def test_the_annual_report_has_the_ranking_in_its_docx_and_page(small_snapshot, scores):
    report = annual_report(small_snapshot, "361000", 2026, TODAY, [], scores)
    assert report["scores"] is scores
    lines = texts(open_docx(annual_docx(report)))
    headings = [line for line in lines if line[:2] in {"一、", "二、", "三、", "四、", "五、"}]
    assert headings == ["一、总体情况", "二、各地区落实情况", "三、考核得分排名", "四、各项措施落实情况",
                        "五、逾期未完成事项"]  # no reports passed in: no 主要工作进展
    page = annual_page(report)
    assert "<h2>四、考核得分排名</h2>" in page and "<h2>五、逾期事项" in page
    assert f"<td>{scores['unit_ranking'][0]['unit_name']}</td>" in page
    assert "考核得分排名" not in annual_page(annual_report(small_snapshot, "361000", 2026, TODAY, []))

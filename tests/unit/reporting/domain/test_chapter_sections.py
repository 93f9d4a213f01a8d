"""The per-chapter breakdown names each chapter and section the plan puts its measures in."""

from datetime import date

from services.intake.domain.plans.measures import plan_measures
from services.intake.domain.plans.parser import parse_plan
from services.reporting.domain.snapshot import Snapshot
from tests.unit.intake.domain.plans.plan_test_helpers import sample_text
from tests.unit.reporting.generated import generate_city

AS_OF = date(2026, 11, 22)


def test_fuzhou_measures_fall_in_one_chapter_and_nine_sections_in_plan_order():
    fuzhou = plan_measures(parse_plan(sample_text("fuzhou-city-2022")), "fuzhou-2022", "361000")
    city = generate_city(townships=8, measures=len(fuzhou), assignments=400, seed=3)
    measures = {}
    for generated, parsed in zip(city.measures, fuzhou, strict=True):  # fuzhou's outline on generated figures
        measures[generated["_id"]] = {**generated, "chapter": parsed.chapter, "section": parsed.section}
    snapshot = Snapshot(city.views(), measures, city.regions)
    rows = snapshot.grouped_report("361000", AS_OF, "quarter", "chapters")["rows"]
    sections = list(dict.fromkeys(m.section for m in fuzhou))
    assert [(row["chapter"], row["section"]) for row in rows] == [("二、任务措施", s) for s in sections]
    assert len(rows) == 9 and sections[0] == "(一)依法全面履行政府职能"
    assert sum(row["measures"] for row in rows) == len(fuzhou)
    region = snapshot.region_report("361000", AS_OF)
    assert sum(row["assignments"] for row in rows) == region["assignments"]


def test_measures_published_before_sections_existed_group_by_chapter_alone():
    city = generate_city(townships=8, measures=6, assignments=60, seed=3)
    snapshot = Snapshot(city.views(), {m["_id"]: m for m in city.measures}, city.regions)
    rows = snapshot.grouped_report("361000", AS_OF, "quarter", "chapters")["rows"]
    assert rows and all(row["section"] is None for row in rows)
    assert len({row["chapter"] for row in rows}) == len(rows)

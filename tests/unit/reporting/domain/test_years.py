"""Which years and periods reporting may be asked about (services/reporting/domain/years.py): from the first plan year
the platform accepts to the year in progress, a period once begun; one rule that every route taking a year or a
period depends on."""

from datetime import date

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from services.reporting.domain.years import FIRST_YEAR, NotAskable, period_refusal, year_refusal
from services.reporting.entrypoints.http.dependencies import asked_period, asked_year, asked_year_or_this
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("year", "slug"), [
    (FIRST_YEAR - 1, "year-out-of-range"), (1900, "year-out-of-range"), (FIRST_YEAR, None), (2026, None),
    (2027, "year-not-begun"), (9999, "year-not-begun"),
])
def test_a_year_from_the_first_plan_year_to_the_year_in_progress_may_be_asked(year, slug):
    refusal = year_refusal(year, TODAY)
    assert (refusal and refusal.slug) == slug


def test_a_refused_year_says_why_in_chinese_with_the_years_that_may_be_asked():
    assert year_refusal(2027, TODAY) == NotAskable("year-not-begun", "2027 年尚未开始：可查询 2000 年至 2026 年")
    assert year_refusal(1999, TODAY) == NotAskable(
        "year-out-of-range", "1999 年早于平台受理的最早方案年份（2000 年）：可查询 2000 年至 2026 年")


@pytest.mark.parametrize(("label", "slug"), [
    ("1900-Q1", "year-out-of-range"), ("1999", "year-out-of-range"), ("2000-01", None), ("2026-Q4", None),
    ("2026-12", None), ("2026-H2", None), ("2026", None), ("2027", "period-not-begun"),
    ("2027-01", "period-not-begun"), ("9999-Q1", "period-not-begun"),
])
def test_a_period_may_be_asked_once_begun_from_the_first_plan_year_on(label, slug):
    refusal = period_refusal(label, TODAY)
    assert (refusal and refusal.slug) == slug
    assert refusal is None or refusal.detail.isascii() is False  # said in Chinese


def test_every_reporting_route_taking_a_year_or_a_period_asks_the_rule():
    app = create_app(ReportingSettings())
    rule = {"year": {asked_year, asked_year_or_this}, "period": {asked_period}}
    taking = {}
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        for dependency in context.dependant.dependencies:
            for param in dependency.query_params:
                if param.name in rule:
                    taking[context.path] = dependency.call in rule[param.name]
        for param in context.dependant.query_params:
            if param.name in rule:
                taking[context.path] = False  # taken straight, past the rule
    assert taking and all(taking.values()), taking
    assert {"/v1/reports/annual", "/v1/reports/annual.xlsx", "/v1/reports/annual.docx", "/v1/scores",
            "/v1/scores/units/{unit}", "/v1/reports/regions/{region_code}/lights",
            "/v1/reports/regions/{region_code}/bulletin.docx"} <= taking.keys()

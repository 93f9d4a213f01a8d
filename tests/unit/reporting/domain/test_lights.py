"""亮灯 in reporting: an assignment's light on a day from the alerts' changes, a unit's and a region's from the
assignments beneath, and the light at each month end."""

from datetime import date, datetime

import pytest

from services.reporting.domain.lights import LightChange, light_figures, lights_on, month_ends_of, overall
from services.reporting.domain.periods import period_of
from services.reporting.domain.rollup import evaluate, tally
from services.reporting.domain.snapshot import Snapshot


def change(n: int, light: str, judged_on: str, unit="a", measure="m1", region="361002") -> LightChange:
    return LightChange(f"{measure}|{unit}#light-{n}", measure, unit, region, light, date.fromisoformat(judged_on),
                       datetime.fromisoformat(f"{judged_on}T16:00:00+00:00"))


@pytest.mark.parametrize(("red", "yellow", "green", "light"), [
    (0, 0, 0, None),  # nothing lit: no light, not green
    (0, 0, 7, "green"),
    (1, 0, 0, "red"),
    (1, 0, 4, "red"),  # one in five red: red
    (1, 0, 5, "yellow"),  # below one in five red: any red makes it yellow
    (0, 1, 4, "yellow"),  # one in five yellow: yellow
    (0, 1, 5, "green"),  # below one in five yellow, none red: green
    (1, 1, 8, "yellow"),
    (2, 0, 8, "red"),
])
def test_a_unit_or_regions_light_from_the_assignments_beneath_at_its_edges(red, yellow, green, light):
    assert overall(red, yellow, green) == light
    assert light_figures(["red"] * red + ["yellow"] * yellow + ["green"] * green + [None]) == {
        "light": light, "lights_red": red, "lights_yellow": yellow, "lights_green": green}


def test_an_assignments_light_on_a_day_is_its_latest_change_judged_by_then_whatever_order_they_came_in():
    changes = [change(3, "green", "2026-05-10"), change(1, "yellow", "2026-03-02"), change(2, "red", "2026-04-01"),
               change(12, "red", "2026-05-20", unit="b"), change(9, "green", "2026-05-19", unit="b")]
    assert lights_on(changes, date(2026, 3, 1)) == {}  # unlit before its first change
    assert lights_on(changes, date(2026, 3, 31))[("m1", "a")].light == "yellow"
    assert lights_on(changes, date(2026, 4, 30))[("m1", "a")].light == "red"
    assert lights_on(changes, date(2026, 5, 31))[("m1", "a")].light == "green"
    # The 12th change is later than the 9th (by n, not by the id's text).
    assert lights_on(list(reversed(changes)), date(2026, 5, 31))[("m1", "b")].light == "red"


def test_the_months_of_a_year_are_read_at_their_end_the_current_one_today_and_later_ones_not_at_all():
    months = month_ends_of(2026, date(2026, 3, 15))
    assert months[:4] == [("2026-01", date(2026, 1, 31)), ("2026-02", date(2026, 2, 28)),
                          ("2026-03", date(2026, 3, 15)), ("2026-04", None)]
    assert len(months) == 12 and months[-1] == ("2026-12", None)


def test_the_figures_count_each_light_and_give_the_sets_light():
    views = [{"measure_id": "m1", "unit": unit, "region_code": "361002", "status": "in_progress"}
             for unit in "abcdef"]
    lights = {("m1", "a"): "red", ("m1", "b"): "yellow", ("m1", "c"): "green", ("m1", "d"): "green",
              ("m1", "e"): "green"}
    day = date(2026, 6, 30)
    figures = tally(evaluate(views, {"m1": {}}, day, period_of(day), lights=lights))
    assert (figures.lights_red, figures.lights_yellow, figures.lights_green) == (1, 1, 3)  # f is unlit
    assert figures.as_dict()["light"] == figures.light == "red"  # one red of five lit


def test_the_light_history_gives_each_month_end_for_the_region_its_children_units_and_assignments():
    regions = {"361000": {"code": "361000", "name": "抚州市", "level": "city", "parent_code": None},
               "361002": {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000"},
               "361003": {"code": "361003", "name": "东乡区", "level": "county", "parent_code": "361000"}}
    changes = [change(1, "yellow", "2026-01-20"), change(2, "red", "2026-02-03"),
               change(1, "green", "2026-01-05", unit="b", region="361003"),
               change(1, "green", "2026-02-27", unit="c", region="361003"),
               change(1, "red", "2026-03-01", unit="z", region="362000")]  # another city: not beneath
    snapshot = Snapshot([], {"m1": {"number": 1}}, regions, light_changes=changes)
    history = snapshot.light_history("361000", 2026, date(2026, 3, 10))
    assert history["months"][:3] == ["2026-01", "2026-02", "2026-03"]
    assert [m["light"] for m in history["lights"][:4]] == ["yellow", "red", "red", None]
    assert [(m["lights_red"], m["lights_yellow"], m["lights_green"]) for m in history["lights"][:2]] == [
        (0, 1, 1), (1, 0, 2)]
    children = {c["region_code"]: [m["light"] for m in c["lights"][:3]] for c in history["children"]}
    assert children == {"361002": ["yellow", "red", "red"], "361003": ["green", "green", "green"]}
    assert [(u["unit"], [m["light"] for m in u["lights"][:2]]) for u in history["units"]] == [
        ("a", ["yellow", "red"]), ("b", ["green", "green"]), ("c", [None, "green"])]
    assert [(a["unit"], a["lights"][:3]) for a in history["assignments"]] == [
        ("a", ["yellow", "red", "red"]), ("b", ["green", "green", "green"]), ("c", [None, "green", "green"])]
    assert history["lights"][11] == {"light": None, "lights_red": 0, "lights_yellow": 0, "lights_green": 0}

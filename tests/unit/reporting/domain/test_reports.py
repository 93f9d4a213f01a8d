"""The reports built from a snapshot: region with children, breakdowns, rankings."""

from datetime import date

from tests.unit.reporting.generated import COUNTIES

AS_OF = date(2026, 11, 22)
COUNTS = ("assignments", "completed", "completed_on_time", "in_progress", "not_started", "blocked", "overdue",
          "lagging", "silent", "units", "units_reported", "targets_reported", "targets_met")


def test_the_region_report_has_the_legacy_fields_and_children_that_add_up(snapshot):
    report = snapshot.region_report("361000", AS_OF)
    assert {"assignments", "completed", "in_progress", "not_started", "blocked",
            "average_percent_complete"} <= report.keys()
    assert (report["name"], report["level"], report["period"]["label"]) == ("演示市", "city", "2026-Q4")
    assert [child["region_code"] for child in report["children"]] == sorted(COUNTIES)
    for count in COUNTS:
        assert report[count] == report["own_units"][count] + sum(child[count] for child in report["children"])
    county = snapshot.region_report("361002", AS_OF)
    assert county["level"] == "county" and all(c["level"] == "township" for c in county["children"])
    assert county["assignments"] == next(c for c in report["children"] if c["region_code"] == "361002")[
        "assignments"]


def test_every_report_of_a_region_names_its_trail_from_the_registrys_root(snapshot, city):
    township = "361002101"
    expected = [{"region_code": code, "name": city.regions[code]["name"], "level": level}
                for code, level in (("361000", "city"), ("361002", "county"), (township, "township"))]
    assert snapshot.region_report(township, AS_OF)["trail"] == expected
    assert snapshot.assignment_rows(township, AS_OF, "quarter")["trail"] == expected
    assert snapshot.region_report("361000", AS_OF)["trail"] == expected[:1]
    assert snapshot.trail("999999") == [{"region_code": "999999", "name": None, "level": "county"}]  # not registered


def test_by_measure_partitions_the_regions_assignments_and_by_chapter_groups_the_measures(snapshot, city):
    region = snapshot.region_report("361002", AS_OF)
    measures = snapshot.grouped_report("361002", AS_OF, "quarter", "measures")["rows"]
    chapters = snapshot.grouped_report("361002", AS_OF, "quarter", "chapters")["rows"]
    for count in ("assignments", "completed", "overdue", "targets_met"):
        assert sum(row[count] for row in measures) == sum(row[count] for row in chapters) == region[count]
    assert [row["number"] for row in measures] == sorted(row["number"] for row in measures)
    assert sum(row["measures"] for row in chapters) == len(measures)


def test_by_lead_unit_counts_each_measure_under_the_unit_leading_it_even_from_another_region(snapshot, city):
    rows = snapshot.grouped_report("361002", AS_OF, "quarter", "lead_units")["rows"]
    assert rows and all(row["unit"].startswith("361000.") for row in rows)  # the city's departments lead
    assert sum(row["assignments"] for row in rows) == snapshot.region_report("361002", AS_OF)["assignments"]
    assert sum(row["measures"] for row in rows) == len(city.measures)


def test_units_and_rankings_show_the_figures_behind_each_rank(snapshot):
    units = snapshot.grouped_report("361000", AS_OF, "quarter", "units")["rows"]
    assert sum(row["assignments"] for row in units) == 3_000
    regions = snapshot.ranking("361000", AS_OF, "quarter", "regions")["rows"]
    assert {row["region_code"] for row in regions} == set(COUNTIES)
    assert [row["score"] for row in regions] == sorted((row["score"] for row in regions), reverse=True)
    assert regions[0]["rank"] == 1 and regions[0]["figures"]["assignments"] > 0
    ranked_units = snapshot.ranking("361002", AS_OF, "quarter", "units")["rows"]
    assert all(row["region_code"].startswith("361002") for row in ranked_units)


def test_an_evaluation_is_kept_per_as_of_date_and_cadence(snapshot):
    assert snapshot.evaluation(AS_OF, "quarter") is snapshot.evaluation(AS_OF, "quarter")
    assert snapshot.region_report("361000", AS_OF, "year")["units_reported"] >= snapshot.region_report(
        "361000", AS_OF, "quarter")["units_reported"]


def test_the_alert_list_is_the_regions_open_alerts_worst_first_with_counts_by_kind_and_severity(snapshot,
                                                                                              open_alerts):
    county = snapshot.alert_rows("361002", limit=5)
    within_county = [a for a in open_alerts if a["region_code"].startswith("361002")]
    assert county["total"] == len(within_county) > 5 and len(county["rows"]) == 5
    assert sum(n for by_severity in county["counts"].values() for n in by_severity.values()) == county["total"]
    everything = snapshot.alert_rows("361002", limit=1000)["rows"]
    order = {"critical": 0, "warning": 1, "info": 2}
    assert [order[a["severity"]] for a in everything] == sorted(order[a["severity"]] for a in everything)
    assert everything[0]["title"].startswith("演示措施") and everything[0]["region_name"]
    silent = snapshot.alert_rows("361002", kinds=["silent"])
    assert silent["total"] == sum(county["counts"]["silent"].values())
    assert {a["kind"] for a in silent["rows"]} == {"silent"}


def test_a_day_the_alerts_service_has_not_judged_has_unknown_flags_and_the_rest_of_its_figures(snapshot):
    today = snapshot.region_report("361000", AS_OF, today=AS_OF)
    future = snapshot.region_report("361000", date(2027, 1, 15), today=AS_OF)  # what is due by then, not judged yet
    assert today["overdue"] + today["lagging"] + today["silent"] > 0
    for report in (future, future["own_units"], *future["children"]):
        assert (report["overdue"], report["lagging"], report["silent"]) == (None, None, None)
    assert future["assignments"] == today["assignments"] and future["period"]["label"] == "2027-Q1"

"""Overdue, lagging and silent in the figures: the alerts service's flags, open at the end of the as-of day (China)."""

from datetime import UTC, date, datetime

from services.reporting.domain.flags import Flag, Flagged, first_judgement, flagged_on, judged, open_flags
from services.reporting.domain.periods import period_of
from services.reporting.domain.rollup import evaluate, tally

DAY = date(2026, 11, 22)
END_OF_DAY = datetime(2026, 11, 22, 16, tzinfo=UTC)  # midnight in Beijing


def flag(kind="lagging", unit="a", opened=datetime(2026, 11, 1, tzinfo=UTC), closed=None, measure="m1") -> Flag:
    return Flag(kind, measure, unit, opened, closed)


def test_an_alert_counts_on_a_day_when_it_was_open_at_that_days_end_in_china():
    assert flagged_on([flag()], DAY).lagging == {("m1", "a")}
    # Opened at 23:59 in Beijing: open at the end of the day; at 00:00 the next day: not yet.
    assert flagged_on([flag(opened=datetime(2026, 11, 22, 15, 59, tzinfo=UTC))], DAY).lagging == {("m1", "a")}
    assert flagged_on([flag(opened=END_OF_DAY)], DAY).lagging == set()
    # Cleared during the day: no longer counted that day; cleared after it ended: still counted for it.
    assert flagged_on([flag(closed=datetime(2026, 11, 22, 2, tzinfo=UTC))], DAY).lagging == set()
    assert flagged_on([flag(closed=END_OF_DAY)], DAY).lagging == {("m1", "a")}
    assert flagged_on([flag(closed=datetime(2026, 11, 22, 2, tzinfo=UTC))], date(2026, 11, 21)).lagging == {
        ("m1", "a")}


def test_a_day_not_over_yet_counts_the_alerts_open_now_and_a_day_before_any_alert_counts_none():
    flags = [flag(), flag(unit="b", closed=datetime(2026, 11, 10, tzinfo=UTC))]
    assert flagged_on(flags, date(2027, 1, 1)).lagging == {("m1", "a")}
    assert flagged_on(flags, date(2026, 10, 31)) == Flagged()


def test_a_day_is_judged_today_and_on_past_days_from_the_first_episode_never_after_today():
    first = first_judgement([flag(kind="due_soon", opened=datetime(2026, 1, 1, tzinfo=UTC)),
                             flag(opened=datetime(2026, 11, 21, 16, 1, tzinfo=UTC))])  # 00:01 on 11-22 in Beijing
    assert first == datetime(2026, 11, 21, 16, 1, tzinfo=UTC)  # due soon is not a flagged kind
    assert judged(first, DAY, today=date(2026, 12, 1)) and not judged(first, date(2026, 11, 21), date(2026, 12, 1))
    assert not judged(first, date(2027, 1, 15), today=date(2026, 12, 1))  # the alerts service judges days as they come
    assert judged(None, DAY, today=DAY) and not judged(None, date(2026, 11, 21), today=DAY)  # nothing flagged yet


def test_kinds_are_kept_apart_other_kinds_ignored_and_an_assignment_counts_once_for_several_subjects():
    flags = [flag(), flag(), flag(kind="silent"), flag(kind="silent", unit="b"), flag(kind="overdue", unit="c"),
             flag(kind="due_soon", unit="d")]
    assert flagged_on(flags, DAY) == Flagged(frozenset({("m1", "a")}), frozenset({("m1", "a"), ("m1", "b")}),
                                             frozenset({("m1", "c")}))


def test_late_is_an_overdue_alert_open_at_the_completion_of_any_day_not_only_the_as_of_day():
    cleared = datetime(2026, 3, 5, tzinfo=UTC)
    flagged = flagged_on([flag(kind="overdue", opened=datetime(2026, 3, 2, tzinfo=UTC), closed=cleared),
                          flag(kind="lagging", unit="b", opened=datetime(2026, 3, 2, tzinfo=UTC))], DAY)
    assert flagged.overdue == set()  # cleared long before the as-of day …
    assert flagged.late(("m1", "a"), datetime(2026, 3, 4, tzinfo=UTC))  # … yet open when it was completed
    assert flagged.late(("m1", "a"), cleared)  # the report that completed it cleared the alert
    assert flagged.late(("m1", "a"), "2026-03-04T08:00:00+08:00") and flagged.late(("m1", "a"), None)
    assert not flagged.late(("m1", "a"), datetime(2026, 3, 2, tzinfo=UTC))  # before it opened
    assert not flagged.late(("m1", "a"), datetime(2026, 3, 5, 0, 1, tzinfo=UTC))  # after it closed
    assert not flagged.late(("m1", "b"), None)  # a lagging alert is not an overdue one


def test_the_figures_count_flagged_assignments_and_ignore_flags_of_assignments_they_do_not_hold():
    assignments = [{"measure_id": "m1", "unit": unit, "region_code": "361002", "status": "in_progress",
                    "percent_complete": 10} for unit in ("a", "b", "c")]
    flagged = flagged_on([flag(), flag(kind="silent"), flag(kind="silent", unit="b"), flag(unit="x"),
                          flag(unit="a", measure="gone")], DAY)
    facts = evaluate(assignments, {"m1": {}}, DAY, period_of(DAY), flagged)
    assert [(f.unit, f.lagging, f.silent) for f in facts] == [("a", True, True), ("b", False, True),
                                                            ("c", False, False)]
    assert (tally(facts).lagging, tally(facts).silent) == (1, 2)


def test_an_open_overdue_alert_gives_its_due_date_and_the_day_it_was_open_says_which():
    opened = "2026-01-01T00:05:00+08:00"
    flags = open_flags([
        {"kind": "overdue", "measure_id": "m1", "unit": "a", "opened_at": opened,
         "figures": {"due": "2025-12-31", "days_overdue": 1}},
        {"kind": "overdue", "measure_id": "m1", "unit": "b", "opened_at": opened, "figures": {"due": "31 December"}},
        {"kind": "due_soon", "measure_id": "m1", "unit": "c", "opened_at": opened}])
    flags.append(flag(kind="overdue", unit="d", opened=datetime(2025, 1, 1, tzinfo=UTC),
                      closed=datetime(2025, 2, 1, tzinfo=UTC)))
    assert [f.unit for f in flags] == ["a", "b", "d"]
    flagged = flagged_on(flags, DAY)
    assert flagged.overdue == {("m1", "a"), ("m1", "b")}
    assert flagged.overdue_due == {("m1", "a"): date(2025, 12, 31), ("m1", "b"): None}  # not a date: none named

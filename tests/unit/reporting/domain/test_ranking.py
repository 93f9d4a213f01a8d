"""横向排名: the composite score, its renormalised weights, and competition ranks."""

import pytest

from services.reporting.domain.ranking import WEIGHTS, rank, score
from services.reporting.domain.rollup import Tally


def figures(assignments=10, completed=5, on_time=5, overdue=0, percent=50.0, units=2, reported=2,
            targets=0, met=0) -> Tally:
    return Tally(assignments=assignments, completed=completed, completed_on_time=on_time, overdue=overdue,
                 due_or_completed=completed + overdue, percent_total=percent * assignments, units=units,
                 units_reported=reported, targets_reported=targets, targets_met=met)


def test_the_weights_sum_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1)


def test_the_score_weighs_each_share_and_leaves_out_those_without_a_denominator():
    # completion 0.5, on time 4/5, progress 0.6, reporting 1/2, attainment 3/4
    full = figures(completed=4, on_time=4, overdue=1, percent=60, reported=1, targets=4, met=3)
    assert score(full) == pytest.approx(round(100 * (.3 * .4 + .2 * .8 + .2 * .6 + .15 * .5 + .15 * .75), 1))
    no_targets = figures(completed=4, on_time=4, overdue=1, percent=60, reported=1)
    assert score(no_targets) == round(100 * (.3 * .4 + .2 * .8 + .2 * .6 + .15 * .5) / .85, 1)
    assert score(Tally()) is None


def test_ranks_are_best_first_with_ties_sharing_a_rank_and_empty_entries_unranked():
    ranked = rank({"b": figures(completed=2, on_time=2), "a": figures(completed=2, on_time=2),
                   "c": figures(completed=9, on_time=9, percent=90), "z": Tally()})
    assert [(r.key, r.rank) for r in ranked] == [("c", 1), ("a", 2), ("b", 2), ("z", None)]
    row = ranked[0].as_dict()
    assert row["components"]["completion_rate"] == 90.0 and row["figures"]["assignments"] == 10


def test_being_late_costs_rank_even_with_the_same_completion():
    punctual, late = figures(completed=5, on_time=5), figures(completed=5, on_time=1, overdue=3)
    assert [r.key for r in rank({"late": late, "punctual": punctual})] == ["punctual", "late"]

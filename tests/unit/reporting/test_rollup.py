from services.reporting.domain.rollup import rollup, rollup_by


def assignment(unit: str, status: str, percent: float) -> dict:
    return {"unit": unit, "status": status, "percent_complete": percent}


def test_rollup_counts_statuses_and_averages_the_percent_the_units_typed():
    figures = rollup([assignment("a", "completed", 100), assignment("b", "in_progress", 45),
                      assignment("b", "not_started", 0), assignment("c", "blocked", 20)])
    assert figures.as_dict() == {"assignments": 4, "completed": 1, "in_progress": 1, "not_started": 1,
                                 "blocked": 1, "average_percent_complete": 41.2}


def test_rollup_of_nothing_is_zero_not_an_error():
    assert rollup([]).average_percent_complete == 0.0


def test_rollup_by_unit_sums_back_to_the_whole():
    rows = [assignment(u, s, p)
            for u, s, p in [("a", "completed", 100), ("b", "in_progress", 50), ("a", "not_started", 0)]]
    by_unit = rollup_by(rows, "unit")
    assert list(by_unit) == ["a", "b"]
    assert sum(f.assignments for f in by_unit.values()) == rollup(rows).assignments

"""What `duban tracker rebuild` prints: counts, skipped events, and the differing keys."""

from collections import Counter

from services.tracker.usecases.rebuild import CollectionDifference, Rebuild, report
from shared.rebuilding import Skipped


def test_identical_states_are_said_to_be_identical_with_how_to_serve_the_rebuilt_one():
    result = Rebuild("duban", "duban-rebuild", read=Counter({"measure-created": 3}),
                     applied=Counter({"measure-created": 3}),
                     comparison=[CollectionDifference("measures", 3, 3)])
    lines = report(result)
    assert result.identical and "  measure-created: 3 records read, 3 applied" in lines
    assert "  measures: 3 live, 3 rebuilt, identical" in lines and "IDENTICAL" in lines[-2]
    assert "DUBAN_MONGODB_DATABASE=duban-rebuild" in lines[-1]


def test_differences_name_their_keys_and_skipped_events_are_counted_by_reason():
    result = Rebuild(
        "duban", "other", skipped=[Skipped("t", 0, 1, "contract violation (X): …"),
                                   Skipped("t", 2, 3, "failed after 1 attempts: completion-requested refused "
                                                      "(conflict): y")],
        comparison=[CollectionDifference("period_progress", 2, 13, missing=["a"],
                                         extra=[f"k{i:02d}" for i in range(12)], differing=["b"])])
    lines = report(result)
    assert result.identical is False and lines[-2].startswith("DIFFERENT")
    assert ("  skipped (the live consumer dead-letters these): 2 (1 contract violation (X), "
            "1 completion-requested refused (conflict))") in lines
    assert "    only live (1): a" in lines and "    differing (1): b" in lines
    assert "    only rebuilt (12): k00, k01, k02, k03, k04, k05, k06, k07, k08, k09 … (+2)" in lines


def test_without_a_comparison_there_is_no_verdict():
    result = Rebuild("duban", "other")
    assert result.identical is None and not any(line.startswith(("IDENTICAL", "DIFFERENT")) for line in report(result))

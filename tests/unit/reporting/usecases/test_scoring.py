"""The scoring use case on an in-memory store: scores under the rules loaded, and the rules file's content recorded
only when it differs from the last recorded."""

import asyncio
from datetime import date
from pathlib import Path

from services.reporting.domain.scoring.score import Facts
from services.reporting.settings import load_scoring_rules
from services.reporting.usecases.scoring import Scoring

FACTS = Facts({"m1": {"plan_id": "p1", "start_date": "2026-12-01"}},  # no period due yet
              [{"measure_id": "m1", "unit": "u1", "unit_name": "一局", "region_code": "361002", "event_id": "m1|u1#1"}])


class FakeScoringStore:
    def __init__(self):
        self.recorded: list[tuple[str, str]] = []

    async def facts(self, year: int) -> Facts:
        return FACTS

    async def record_rules(self, file, loaded_at) -> bool:
        if self.recorded and self.recorded[-1][0] == file.version:
            return False
        self.recorded.append((file.version, file.content))
        return True


async def test_scores_under_the_rules_loaded_and_each_new_content_recorded(tmp_path: Path):
    rules, store = tmp_path / "scoring.yaml", FakeScoringStore()
    for content in ("base_points: 80\n", "base_points: 80\n", "base_points: 90\n"):
        rules.write_text(content, encoding="utf-8")
        scoring = Scoring(store, *load_scoring_rules(rules), today=lambda: date(2026, 12, 1))
        await scoring.record_rules()
    assert [content for _, content in store.recorded] == ["base_points: 80\n", "base_points: 90\n"]
    ranking = await scoring.ranking(2026, "361000")
    assert ranking["rules_version"] == store.recorded[-1][0] and ranking["base_points"] == 90.0
    assert [(row["unit"], row["total"], row["region_name"]) for row in ranking["unit_ranking"]] == [
        ("u1", 90.0, None)]
    assert (await scoring.scores(2026))["u1"]["lines"] == []


async def test_the_built_in_defaults_record_nothing():
    store = FakeScoringStore()
    scoring = Scoring(store, *load_scoring_rules(None))
    scoring.file = None  # as when scoring.yaml was not installed with the package
    await scoring.record_rules()
    assert store.recorded == [] and scoring.rules_version is None


class CountingStore(FakeScoringStore):
    """Counts the reads of the facts, each taking a moment (as the database's would)."""

    def __init__(self):
        super().__init__()
        self.reads = 0

    async def facts(self, year: int) -> Facts:
        self.reads += 1
        await asyncio.sleep(0.01)
        return FACTS


async def test_a_years_scores_are_computed_once_while_fresh_and_again_when_old_or_of_another_day():
    store, now, today = CountingStore(), [0.0], [date(2026, 12, 1)]
    scoring = Scoring(store, *load_scoring_rules(None), today=lambda: today[0], max_age_seconds=60,
                      clock=lambda: now[0])
    answers = await asyncio.gather(*(scoring.ranking(2026, "361000") for _ in range(5)), scoring.scores(2026))
    assert store.reads == 1 and all(answer == answers[0] for answer in answers[:5])  # one computation for all
    now[0] = 59.9
    await scoring.ranking(2026, "361000")
    assert store.reads == 1
    now[0] = 60.0
    await scoring.ranking(2026, "361000")
    assert store.reads == 2  # a minute old: computed anew
    today[0] = date(2026, 12, 2)
    await scoring.scores(2026)
    assert store.reads == 3  # another day: the overdue days and periods due differ
    await scoring.scores(2025)
    assert store.reads == 4  # each year its own


async def test_no_age_computes_the_scores_for_every_request():
    store = CountingStore()
    scoring = Scoring(store, *load_scoring_rules(None), today=lambda: date(2026, 12, 1), max_age_seconds=0)
    for _ in range(3):
        await scoring.ranking(2026, "361000")
    assert store.reads == 3

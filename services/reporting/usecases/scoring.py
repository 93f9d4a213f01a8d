"""考核: the year's scores under the rules loaded, computed from the facts (so a changed rules file, once loaded,
re-scores every year from the same events), and the record of the rules file's versions.

A year's scores are kept for `max_age_seconds` (DUBAN_SCORES_MAX_AGE_SECONDS) and computed by one request at a time:
at 50,000 assignments reading the facts takes ~11 s and scoring them ~4 s (bench/reporting_scores.py), too long to
repeat for every page that shows a ranking, while a yearly score a minute old misleads nobody. Scoring runs in a
worker thread, so the service keeps answering meanwhile."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import structlog

from services.reporting.domain.scoring.rules import ScoringBook
from services.reporting.domain.scoring.score import Facts, ranking, score_year
from services.reporting.storage.scoring import ScoringStore
from shared.domain.calendar import today_in_china
from shared.rules_files import RulesFile

log = structlog.get_logger()


@dataclass(frozen=True)
class Scored:
    """A year's facts and scores, computed at `at` (monotonic seconds) as of the day `on`."""

    at: float
    on: date
    facts: Facts
    scores: dict[str, dict]


@dataclass
class Scoring:
    """The store, the rules book and the file it was read from (None: the built-in defaults); each year's scores
    kept `max_age_seconds` (0: computed for every request)."""

    store: ScoringStore
    book: ScoringBook
    file: RulesFile | None = None
    today: Callable[[], date] = field(default=today_in_china)
    max_age_seconds: float = 60.0
    clock: Callable[[], float] = field(default=time.monotonic)
    _kept: dict[int, Scored] = field(default_factory=dict, init=False, repr=False)
    _computing: dict[int, asyncio.Lock] = field(default_factory=dict, init=False, repr=False)

    @property
    def rules_version(self) -> str | None:
        return self.file.version if self.file else None

    async def scores(self, year: int) -> dict[str, dict]:
        """unit → its score (domain/scoring/score.py), scored as of today."""
        return (await self.scored(year)).scores

    async def ranking(self, year: int, region_code: str) -> dict:
        """The region's score with its child regions and units ranked (score.ranking), the year and the rules'
        version."""
        scored = await self.scored(year)
        return {"year": year, "rules_version": self.rules_version, "base_points": self.book.base_points,
                **ranking(scored.scores, region_code, scored.facts.regions)}

    async def scored(self, year: int) -> Scored:
        """The year's scores as kept, or computed anew once they are older than `max_age_seconds` or of another day;
        requests arriving while they are computed wait for that one computation."""
        if (kept := self.fresh(year)) is not None:
            return kept
        async with self._computing.setdefault(year, asyncio.Lock()):
            if (kept := self.fresh(year)) is not None:  # computed while this request waited
                return kept
            on, facts = self.today(), await self.store.facts(year)
            scores = await asyncio.to_thread(score_year, facts, self.book, year, on)
            self._kept[year] = Scored(self.clock(), on, facts, scores)
            return self._kept[year]

    def fresh(self, year: int) -> Scored | None:
        kept = self._kept.get(year)
        if kept is None or kept.on != self.today() or self.clock() - kept.at >= self.max_age_seconds:
            return None
        return kept

    async def record_rules(self) -> None:
        """Record the rules file's content when it differs from the last recorded (storage/scoring.py)."""
        if self.file is not None and await self.store.record_rules(self.file, datetime.now(UTC)):
            log.info("scoring rules recorded", version=self.file.version, path=str(self.file.path))

"""考核: the year's scores under the rules loaded, computed afresh from the facts at each request (so a changed rules
file, once loaded, re-scores every year from the same events), and the record of the rules file's versions."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import structlog

from services.reporting.domain.scoring.rules import ScoringBook
from services.reporting.domain.scoring.score import ranking, score_year
from services.reporting.storage.scoring import ScoringStore
from shared.domain.calendar import today_in_china
from shared.rules_files import RulesFile

log = structlog.get_logger()


@dataclass
class Scoring:
    """The store, the rules book and the file it was read from (None: the built-in defaults)."""

    store: ScoringStore
    book: ScoringBook
    file: RulesFile | None = None
    today: Callable[[], date] = field(default=today_in_china)

    @property
    def rules_version(self) -> str | None:
        return self.file.version if self.file else None

    async def scores(self, year: int) -> dict[str, dict]:
        """unit → its score (domain/scoring/score.py), scored as of today."""
        return score_year(await self.store.facts(year), self.book, year, self.today())

    async def ranking(self, year: int, region_code: str) -> dict:
        """The region's score with its child regions and units ranked (score.ranking), the year and the rules'
        version."""
        facts = await self.store.facts(year)
        scores = score_year(facts, self.book, year, self.today())
        return {"year": year, "rules_version": self.rules_version, "base_points": self.book.base_points,
                **ranking(scores, region_code, facts.regions)}

    async def record_rules(self) -> None:
        """Record the rules file's content when it differs from the last recorded (storage/scoring.py)."""
        if self.file is not None and await self.store.record_rules(self.file, datetime.now(UTC)):
            log.info("scoring rules recorded", version=self.file.version, path=str(self.file.path))

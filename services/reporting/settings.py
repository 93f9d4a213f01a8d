from pathlib import Path

from pydantic import Field

from services.reporting.domain.scoring.rules import ScoringBook
from shared.rules_files import RulesFile, parse_rules_file, read_rules_file
from shared.settings import ServiceSettings

DEFAULT_SCORING_FILE = Path(__file__).with_name("scoring.yaml")


class ReportingSettings(ServiceSettings):
    # Its own database (it shares no collection with another service); DUBAN_MONGODB_DATABASE overrides it.
    mongodb_database: str = "duban_reporting"
    # The region the dashboard opens on (抚州市 in the demo city).
    home_region_code: str = "361000"
    # One consumer group for every reporting instance (entrypoints/kafka/subscribers.py), read in batches.
    reporting_consumer_group: str = "duban-reporting"
    batch_size: int = Field(500, ge=1)
    apply_attempts: int = Field(5, ge=1)
    retry_backoff_seconds: float = Field(0.5, ge=0)
    # How old the in-memory read model may grow before it is refreshed in the background (storage/snapshots.py);
    # 0 refreshes it on every request. A refresh reads only what changed (storage/read_model.py: under 0.1 s after
    # 100 changes at 50,000 assignments), so a second keeps figures fresh at little cost.
    snapshot_max_age_seconds: float = Field(1.0, ge=0)
    # How far before the latest `updated_at` it has seen a refresh reads again: covers the clocks of the other
    # reporting instances that write and a write committed a moment after a later-stamped one.
    read_model_overlap_seconds: float = Field(10.0, ge=0)
    # The same for the report history past days are rebuilt from (every counted revision: slower to read and
    # evaluate, and a past day's figures seldom change: only the series' last point, today, can be this much behind).
    history_max_age_seconds: float = 300.0
    # 督办通报 on a schedule (usecases/bulletins.py): from this day of each month (China), the bulletin of the month
    # before is made for each region in bulletin_regions (empty: the home region) and stored, listed at
    # GET /v1/reports/documents; 0 turns the schedule off. Checked every bulletin_check_seconds.
    bulletin_day_of_month: int = Field(0, ge=0, le=28)
    bulletin_regions: list[str] = []
    bulletin_check_seconds: float = Field(3600.0, gt=0)
    # DUBAN_SCORING_RULES_FILE: the 考核 scoring rules per plan (see scoring.yaml). None: scoring.yaml beside this
    # file, or the built-in defaults when it was not installed with the package.
    scoring_rules_file: Path | None = None
    # DUBAN_SCORES_MAX_AGE_SECONDS: a year's 考核 scores are computed at most this often (usecases/scoring.py);
    # 0: for every request.
    scores_max_age_seconds: float = Field(60.0, ge=0)
    # intake's address as the dashboard's users reach it: the measure page links each evidence file to
    # `<evidence_url>/v1/evidence/{id}` (download) and `…/preview` (images and PDF, shown in the browser).
    evidence_url: str = "http://127.0.0.1:8000"
    # The other services whose /metrics the operations page (运行监控, GET /v1/operations) sums up with reporting's
    # own, by name (a JSON object in DUBAN_METRICS_TARGETS): `make run` passes the ports they got
    # (deploy/local/stack.py); docker-compose.yml names its containers.
    metrics_targets: dict[str, str] = {"intake": "http://127.0.0.1:8000", "tracker": "http://127.0.0.1:8001",
                                       "alerts": "http://127.0.0.1:8002"}


def load_scoring_rules(path: Path | None) -> tuple[ScoringBook, RulesFile | None]:
    """The scoring rules book and the file it was read from (None: the built-in defaults); a file named explicitly
    must exist and be valid (RulesError naming the file and the place)."""
    file = read_rules_file(path, DEFAULT_SCORING_FILE)
    return (ScoringBook(), None) if file is None else (parse_rules_file(file, ScoringBook.from_mapping), file)

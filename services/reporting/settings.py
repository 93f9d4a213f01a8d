from pydantic import Field

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    # The region the dashboard opens on (抚州市 in the demo city).
    home_region_code: str = "361000"
    # How old the in-memory snapshot of the tracker's state may grow before it is read again in the
    # background (services/reporting/storage.py); 0 reads the state on every request.
    snapshot_max_age_seconds: float = 10.0
    # The same for the report history past days are rebuilt from (all reports: slower to read and evaluate,
    # and a past day's figures seldom change: only the series' last point, today, can be this much behind).
    history_max_age_seconds: float = 300.0
    # 督办通报 on a schedule (document_store.py): from this day of each month (China), the bulletin of the month
    # before is made for each region in bulletin_regions (empty: the home region) and stored, listed at
    # GET /v1/reports/documents; 0 turns the schedule off. Checked every bulletin_check_seconds.
    bulletin_day_of_month: int = Field(0, ge=0, le=28)
    bulletin_regions: list[str] = []
    bulletin_check_seconds: float = Field(3600.0, gt=0)
    # The other services whose /metrics the operations page (运行监控, GET /v1/operations) sums up with reporting's
    # own, by name (a JSON object in DUBAN_METRICS_TARGETS): `make run` passes the ports they got
    # (deploy/local/stack.py); docker-compose.yml names its containers.
    metrics_targets: dict[str, str] = {"intake": "http://127.0.0.1:8000", "tracker": "http://127.0.0.1:8001",
                                       "alerts": "http://127.0.0.1:8002"}

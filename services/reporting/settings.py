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

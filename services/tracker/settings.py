from shared.settings import ServiceSettings


class TrackerSettings(ServiceSettings):
    consumer_group: str = "duban-tracker"
    # A progress report may overtake its measure (they travel on different topics): wait this many tries.
    apply_attempts: int = 5
    retry_backoff_seconds: float = 0.5
    database_outage_budget_seconds: float = 60.0

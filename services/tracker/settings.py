from shared.settings import ServiceSettings


class TrackerSettings(ServiceSettings):
    # Its own database (it shares no collection with another service); DUBAN_MONGODB_DATABASE overrides it.
    mongodb_database: str = "duban_tracker"
    consumer_group: str = "duban-tracker"
    # Events per bulk write: larger batches write faster, smaller ones redeliver less after a crash.
    batch_size: int = 500
    # A progress report may overtake its measure (they travel on different topics): wait this many tries.
    apply_attempts: int = 5
    retry_backoff_seconds: float = 0.5
    database_outage_budget_seconds: float = 60.0
    # The outbox of assignment-updated events is published after every batch that wrote one, and this often for
    # what a crash or a Kafka outage left behind.
    outbox_interval_seconds: float = 5.0

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    # The CloudEvents `source` of every event intake publishes.
    event_source: str = "/duban/intake"
    # Seconds a client is asked to wait before retrying while Kafka is unreachable.
    retry_after_seconds: int = 5
    # A registry file (YAML) intake resolves unit names against before any registry is published to it.
    registry_file: str | None = None

from pydantic import SecretStr

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    # Its own database (it shares no collection with another service); DUBAN_MONGODB_DATABASE overrides it.
    mongodb_database: str = "duban_intake"
    # The CloudEvents `source` of every event intake publishes.
    event_source: str = "/duban/intake"
    # Seconds a client is asked to wait before retrying while Kafka is unreachable.
    retry_after_seconds: int = 5
    # A registry file (YAML) intake resolves unit names against before any registry is published to it.
    registry_file: str | None = None
    # The tracker's HTTP API, asked for a unit's assignments when a pre-filled ledger template is downloaded.
    tracker_url: str = "http://127.0.0.1:8001"
    tracker_timeout_seconds: float = 10.0
    # Intake's own credential at the tracker (a `reporter` of the whole region), when the tracker has a clients file:
    # intake has authorised its caller already, and asks the tracker as itself.
    tracker_token: SecretStr | None = None

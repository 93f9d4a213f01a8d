from pydantic import Field, SecretStr

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
    # Evidence files (佐证材料, POST /v1/evidence): the largest file accepted, in bytes (the request may add 64 KiB
    # of form fields), and a virus scanner run on each file before it is stored: a command line reading the file
    # on stdin and answering by exit status as ClamAV's do (0 clean, 1 infected), e.g. `clamdscan --no-summary -`;
    # unset: no scan. A scan past its time, or one that fails, stores nothing (503).
    evidence_max_bytes: int = Field(20 * 2**20, gt=0, le=1024 * 2**20)
    evidence_scan_command: str | None = None
    evidence_scan_timeout_seconds: float = Field(60.0, gt=0)
    # Intake's own credential at the tracker (a `reporter` of the whole region), when the tracker has a clients file:
    # intake has authorised its caller already, and asks the tracker as itself.
    tracker_token: SecretStr | None = None

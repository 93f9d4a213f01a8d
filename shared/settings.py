"""Settings every service shares, read from DUBAN_* environment variables with local defaults."""

from datetime import timedelta

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.domain.calendar import CLOCK_SKEW


class ServiceSettings(BaseSettings):
    """The infrastructure a service talks to. Each service's own settings extend this class."""

    model_config = SettingsConfigDict(env_prefix="DUBAN_", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # SASL/SCRAM-SHA-512 credentials for a Kafka that requires them (deploy/README.md: Kafka for integrators); unset:
    # no authentication. kafka_ssl: TLS to the brokers (SASL_SSL), with the system's CA certificates.
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl: bool = False
    # Prepended to every topic name, so several deployments (or test runs) can share one cluster.
    topic_prefix: str = ""
    mongodb_url: str = "mongodb://127.0.0.1:27017"
    # Each service defaults to a database of its own (duban_<service>: its settings.py); one name given here serves
    # all four from one database, which works too since no two services share a collection.
    mongodb_database: str = "duban"
    log_level: str = "INFO"
    # The clients that may publish and act, their regions and token hashes (shared/web/clients.py); without one,
    # intake and the operators' routes are open to anyone who can reach them.
    clients_file: str | None = None
    # intake's CloudEvents source (its DUBAN_EVENT_SOURCE): with a clients file, an event a consumer reads whose source
    # is `<this>/clients/<id>` is held to that client's scope, as any other producer's (shared/web/producers.py).
    intake_source: str = "/duban/intake"
    # Requests one client (by its bearer token) may send to one process of the service, in the `limits` library's
    # notation, one moving window each; past it, 429 with Retry-After (shared/web/limits.py). "": no limit.
    rate_limit: str = "20/second;1200/minute"
    # How long a publish may wait for the broker before intake answers 503.
    publish_timeout_seconds: float = 5.0
    # `development` (the default) or anything else (`production`): outside development, settings that only protect
    # in production must be given (DUBAN_SECRETS_KEY).
    environment: str = "development"
    # Fernet key(s), comma-separated, sealing secrets kept at rest (shared/secrets.py). Never logged.
    secrets_key: SecretStr | None = None

    # Minutes a district's clock may run ahead: a report's time after now plus this is refused at intake and
    # dead-lettered by the tracker (shared/calendar.ReportWindow).
    report_clock_skew_minutes: float = CLOCK_SKEW.total_seconds() / 60
    # How often the metrics read from Kafka or the database (consumer lag, open alerts…) are refreshed
    # (shared/metrics.py); Prometheus scrapes every 15 s (deploy/prometheus/prometheus.yml).
    metrics_sample_seconds: float = Field(15.0, gt=0)

    @field_validator("rate_limit")
    @classmethod
    def _readable_rates(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # a ValueError naming the notation stops the start
        return value

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(minutes=self.report_clock_skew_minutes)

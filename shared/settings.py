"""Settings every service shares, read from DUBAN_* environment variables with local defaults."""

from datetime import timedelta

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.domain.calendar import CLOCK_SKEW
from shared.web.clients import Role

# Asymmetric signatures only: with `none` anyone signs, and with an HMAC algorithm the issuer's public key would
# serve as the shared secret (whoever has it, everyone, could sign).
OIDC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519", "EdDSA")


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
    # OIDC bearer tokens of the deployment's identity provider, beside the clients file (shared/web/oidc.py): unset
    # issuer, none. The JWKS is found by discovery at <issuer>/.well-known/openid-configuration unless given.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    # The claims holding a token's region (a GB/T 2260 code) and roles; dotted paths reach nested claims
    # (`realm_access.roles`). The role map (JSON, `{"idp-group": ["viewer"]}`) turns the IdP's names into duban's.
    oidc_region_claim: str = "region_code"
    oidc_roles_claim: str = "roles"
    oidc_role_map: dict[str, list[Role]] = {}
    oidc_algorithms: list[str] = ["RS256", "PS256", "ES256", "Ed25519"]
    oidc_leeway_seconds: float = Field(60.0, ge=0, le=300)
    oidc_timeout_seconds: float = Field(5.0, gt=0)
    oidc_jwks_max_age_seconds: float = Field(900.0, gt=0)
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

    @field_validator("oidc_algorithms")
    @classmethod
    def _asymmetric_algorithms(cls, value: list[str]) -> list[str]:
        if not value or any(name not in OIDC_ALGORITHMS for name in value):
            raise ValueError(f"oidc_algorithms: only {', '.join(OIDC_ALGORITHMS)} (not {value})")
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> "ServiceSettings":
        if self.oidc_issuer and not self.oidc_audience:
            raise ValueError("oidc_audience is required with oidc_issuer (a token for another service must fail)")
        return self

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(minutes=self.report_clock_skew_minutes)

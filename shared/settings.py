"""Settings every service shares, read from DUBAN_* environment variables with local defaults."""

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    mongodb_database: str = "duban"
    log_level: str = "INFO"
    # The clients that may publish and act, their regions and token hashes (shared/clients.py); without one,
    # intake and the operators' routes are open to anyone who can reach them.
    clients_file: str | None = None
    # How long a publish may wait for the broker before intake answers 503.
    publish_timeout_seconds: float = 5.0
    # `development` (the default) or anything else (`production`): outside development, settings that only protect
    # in production must be given (DUBAN_SECRETS_KEY).
    environment: str = "development"
    # Fernet key(s), comma-separated, sealing secrets kept at rest (shared/secrets.py). Never logged.
    secrets_key: SecretStr | None = None

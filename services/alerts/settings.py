from pathlib import Path

from pydantic import Field

from services.alerts.domain.rules import RulesBook
from shared.rules_files import parse_rules_file, read_rules_file
from shared.settings import ServiceSettings

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.yaml")


class AlertsSettings(ServiceSettings):
    # Its own database (it shares no collection with another service); DUBAN_MONGODB_DATABASE overrides it.
    mongodb_database: str = "duban_alerts"
    # DUBAN_ALERT_RULES_FILE: the rules' thresholds per plan (see rules.yaml). None: rules.yaml beside this file,
    # or the built-in defaults when it was not installed with the package.
    alert_rules_file: Path | None = None
    # DUBAN_ALERTS_SWEEP_INTERVAL_SECONDS: every assignment is judged this often (deadlines pass without any event);
    # 0: no periodic sweep (POST /v1/alerts:sweep still sweeps).
    alerts_sweep_interval_seconds: float = 60.0
    # The alerts' own consumer group on measure-created, registry-published and assignment-updated, shared by every
    # alerts process (they split the partitions).
    alerts_consumer_group: str = "duban-alerts"
    # Webhooks: each delivery attempt's timeout; attempts before a delivery is given up (recorded as failed); the
    # backoff between attempts (first, doubling, capped); how many deliveries run at once; how often due retries
    # are looked for.
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 8
    webhook_first_backoff_seconds: float = 2.0
    webhook_max_backoff_seconds: float = 600.0
    webhook_concurrency: int = 16
    webhook_poll_seconds: float = 1.0
    # Notifications (services/alerts/notifications): remind a unit this many days before a deadline (0: on the day;
    # only within the rules' due_soon_days, when a due-soon alert is open), on its first overdue day and every
    # `notification_overdue_every_days` after (0: only the first); how often open alerts are checked for that
    # (0: never by itself); how long an alert must have stayed open before it is reminded of (alerts raised and
    # cleared within seconds while a district's data arrives reach nobody); delivery as for webhooks; how long a
    # channel waits after its vendor said "too fast".
    notification_days_before: list[int] = [7, 3, 1, 0]
    notification_overdue_every_days: int = 7
    notification_plan_interval_seconds: float = 300.0
    notification_hold_off_seconds: float = Field(600.0, ge=0)
    notification_timeout_seconds: float = 5.0
    notification_max_attempts: int = 6
    notification_first_backoff_seconds: float = 5.0
    notification_max_backoff_seconds: float = 600.0
    notification_throttled_retry_seconds: float = 600.0
    # Webhook URLs to loopback, link-local, private and other internal addresses are refused (shared/destinations.py)
    # unless inside one of these networks (JSON list of CIDRs, e.g. '["10.8.0.0/16"]') or for one of these host
    # names (JSON list, e.g. '["oa.fz.gov.cn"]'), checked at subscription and before every delivery.
    webhook_allowed_networks: list[str] = []
    webhook_allowed_hosts: list[str] = []


def load_rules(path: Path | None) -> RulesBook:
    """The rules book from a YAML file; a file named explicitly must exist and be valid."""
    file = read_rules_file(path, DEFAULT_RULES_FILE)
    return RulesBook() if file is None else parse_rules_file(file, RulesBook.from_mapping)

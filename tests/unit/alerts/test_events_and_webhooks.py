"""The alert events' contract and the webhook signature and backoff."""

import hashlib
import hmac
from datetime import UTC, date, datetime

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.evaluation import cleared_event, parse_event, raised_event
from services.alerts.webhooks import DeliveryPolicy, signature
from shared.contracts import AlertCleared, AlertRaised, Topics

ALERT = Alert(kind=Kind.OVERDUE, severity=Severity.WARNING, measure_id="p-1", unit="361002.government",
              unit_name="临川区政府", region_code="361002", reason="已超过期限", figures={"days_overdue": 3},
              plan_id="p")
OPENED = datetime(2026, 7, 3, 1, tzinfo=UTC)


def test_a_raised_and_a_cleared_event_carry_the_alert_its_episode_and_ids_derived_from_the_episode():
    raised = parse_event(raised_event(ALERT, "e1", OPENED, date(2026, 7, 3)))
    assert isinstance(raised, AlertRaised)
    assert (raised.id, raised.subject, raised.data.key, raised.data.closed_at) == ("e1.raised", ALERT.key, ALERT.key,
                                                                                   None)
    stored = {"_id": ALERT.key, "episode": "e1", "alert": ALERT.to_json(), "opened_at": OPENED}
    closed = datetime(2026, 7, 9, tzinfo=UTC)
    cleared = parse_event(cleared_event(stored, closed, date(2026, 7, 9)))
    assert isinstance(cleared, AlertCleared)
    assert (cleared.id, cleared.data.opened_at, cleared.data.closed_at, cleared.data.as_of) == (
        "e1.cleared", OPENED, closed, "2026-07-09")
    # The same transition published again (after a crash) is the same event.
    assert parse_event(raised_event(ALERT, "e1", OPENED, date(2026, 7, 3))).id == raised.id


def test_the_alert_topics_are_declared_with_the_others():
    assert {"x.alert-raised", "x.alert-severity-changed", "x.alert-cleared"} <= set(Topics("x.").all())


def test_the_signature_is_hmac_sha256_of_the_exact_body():
    body = '{"id":"e1.raised","data":{"reason":"已超过期限"}}'.encode()
    assert signature("s3cret", body) == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature("s3cret", body + b" ") != signature("s3cret", body)


def test_retries_back_off_exponentially_up_to_the_cap():
    policy = DeliveryPolicy(first_backoff_seconds=2, max_backoff_seconds=30)
    assert [policy.backoff(n) for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]

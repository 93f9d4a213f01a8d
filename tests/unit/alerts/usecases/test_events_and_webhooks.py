"""The alert events' contract and the webhook signature (checked by the `standardwebhooks` reference library, as a
receiver would), secret rotation and backoff."""

import base64
from datetime import UTC, date, datetime, timedelta

import pytest
import standardwebhooks

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.signatures import legacy_secret, new_secret, rotated, secret_key, signed_headers
from services.alerts.main import create_app
from services.alerts.settings import AlertsSettings
from services.alerts.usecases.evaluate import cleared_event, parse_event, raised_event
from services.alerts.usecases.webhooks import Deliverer, DeliveryPolicy, live_keys
from shared.contracts import AlertCleared, AlertRaised, Topics
from shared.destinations import DestinationPolicy, DestinationRefused
from shared.secrets import DEVELOPMENT_KEY, SecretBox, SecretsKeyError

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


BODY = '{"id":"e1.raised","data":{"reason":"已超过期限"}}'.encode()


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def test_a_receiver_using_the_standard_webhooks_library_verifies_the_signed_headers():
    secret = new_secret()
    headers = signed_headers([secret_key(secret)], "e1.raised", now(), BODY)
    assert standardwebhooks.Webhook(secret).verify(BODY, headers) == {"id": "e1.raised",
                                                                      "data": {"reason": "已超过期限"}}
    for tampered in (BODY + b" ", BODY.replace(b"e1", b"e2")):
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(secret).verify(tampered, headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):  # another id under the same signature
        standardwebhooks.Webhook(secret).verify(BODY, {**headers, "webhook-id": "e2.raised"})
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(new_secret()).verify(BODY, headers)


def test_a_delivery_older_than_the_receivers_tolerance_is_refused_as_a_replay():
    secret = new_secret()
    for seconds_ago, verifies in ((240, True), (6 * 60, False)):
        headers = signed_headers([secret_key(secret)], "e1.raised", now() - seconds_ago, BODY)
        if verifies:
            standardwebhooks.Webhook(secret).verify(BODY, headers)
        else:
            with pytest.raises(standardwebhooks.WebhookVerificationError, match="too old"):
                standardwebhooks.Webhook(secret).verify(BODY, headers)


def test_during_a_rotation_both_secrets_sign_so_a_receiver_holding_either_verifies():
    box, old, new = SecretBox(DEVELOPMENT_KEY), new_secret(), new_secret()
    start = datetime(2026, 7, 3, tzinfo=UTC)
    secrets = rotated([{"sealed": box.seal(old), "expires_at": None}], box.seal(new), start, timedelta(hours=24))
    subscription = {"secrets": secrets}
    headers = signed_headers(live_keys(subscription, box, start + timedelta(hours=23)), "e1", now(), BODY)
    assert headers["webhook-signature"].count("v1,") == 2 and " " in headers["webhook-signature"]
    for held in (old, new):
        standardwebhooks.Webhook(held).verify(BODY, headers)
    # After the grace period only the new secret signs.
    headers = signed_headers(live_keys(subscription, box, start + timedelta(hours=25)), "e1", now(), BODY)
    standardwebhooks.Webhook(new).verify(BODY, headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(old).verify(BODY, headers)


def test_a_rotation_without_grace_ends_the_old_secret_and_a_second_rotation_drops_the_first_ones():
    start = datetime(2026, 7, 3, tzinfo=UTC)
    assert rotated([{"sealed": "a", "expires_at": None}], "b", start, timedelta(0)) == [
        {"sealed": "b", "expires_at": None}]
    twice = rotated(rotated([{"sealed": "a", "expires_at": None}], "b", start, timedelta(hours=1)), "c", start,
                    timedelta(hours=2))
    assert twice == [{"sealed": "c", "expires_at": None}, {"sealed": "b", "expires_at": start + timedelta(hours=2)}]


def test_secrets_are_whsec_and_base64_and_a_legacy_secret_keeps_its_key_bytes():
    assert len(secret_key(new_secret())) == 32 and new_secret() != new_secret()
    for malformed in ("s3cret-of-sixteen-chars", "whsec_not base64!"):
        with pytest.raises(ValueError):
            secret_key(malformed)
    # A receiver that held the plain secret "steady-secret-0123" verifies with whsec_ + base64 of it.
    assert secret_key(legacy_secret("steady-secret-0123")) == b"steady-secret-0123"
    assert legacy_secret("steady-secret-0123") == "whsec_" + base64.b64encode(b"steady-secret-0123").decode()


def test_retries_back_off_exponentially_up_to_the_cap():
    policy = DeliveryPolicy(first_backoff_seconds=2, max_backoff_seconds=30)
    assert [policy.backoff(n) for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]


async def test_a_delivery_connects_to_the_checked_address_keeping_the_name_for_host_and_tls():
    deliverer = Deliverer(None, DeliveryPolicy(), SecretBox(DEVELOPMENT_KEY), DestinationPolicy.of([], ["localhost"]))
    try:
        request = await deliverer.request("https://localhost:8443/hook?x=1", BODY, {"webhook-id": "e1"})
        assert request.url.host in ("127.0.0.1", "::1") and request.url.port == 8443
        assert (request.headers["host"], request.extensions["sni_hostname"]) == ("localhost:8443", "localhost")
        assert request.url.path == "/hook" and request.url.query == b"x=1" and request.content == BODY
        with pytest.raises(DestinationRefused, match="loopback"):
            await deliverer.request("http://127.0.0.1/hook", BODY, {})
    finally:
        await deliverer.close()


def test_the_alerts_service_does_not_start_outside_development_without_a_secrets_key(monkeypatch):
    monkeypatch.delenv("DUBAN_SECRETS_KEY", raising=False)
    with pytest.raises(SecretsKeyError, match="DUBAN_SECRETS_KEY"):
        create_app(AlertsSettings(environment="production"))

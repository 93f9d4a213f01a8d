"""Alert events delivered to webhook subscribers on real sockets, verified as receivers verify them: with the
`standardwebhooks` reference library. Receivers listen on 127.0.0.1, so the service allow-lists 127.0.0.0/8 (a
loopback URL is refused otherwise, which one test checks)."""

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
import standardwebhooks
import standardwebhooks.webhooks

from services.alerts.main import create_app as create_alerts
from services.alerts.webhooks import legacy_secret, new_secret
from tests.integration.test_alerts_events import KEY, store_late_measure, sweep
from tests.support.apps import alerts_settings, running
from tests.support.waiting import eventually

LOOPBACK = ["127.0.0.0/8"]


class Receiver:
    """A webhook receiver on a real socket (127.0.0.1, a free port): records each request, answers `statuses` in
    turn (then 200)."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/hook"

    async def __aenter__(self) -> "Receiver":
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()  # the request line
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        self.requests.append((headers, body))
        status = self.statuses.pop(0) if self.statuses else 200
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_app(settings_values: dict, allowed_networks: list[str]):
    return create_alerts(alerts_settings(
        settings_values, webhook_first_backoff_seconds=0.2, webhook_max_attempts=3, webhook_timeout_seconds=2,
        webhook_poll_seconds=0.2, webhook_allowed_networks=allowed_networks))


@pytest.fixture
async def webhook_services(settings_values, database):
    async with running(webhook_app(settings_values, LOOPBACK)) as client:
        yield client


async def subscribe(client, region_code: str, url: str, secret: str | None = None) -> dict:
    response = await client.post("/v1/subscriptions", json={"region_code": region_code, "url": url,
                                                            **({"secret": secret} if secret else {})})
    assert response.status_code == 201, response.text
    return response.json()


async def settled(client, subscription_id: str) -> list[dict]:
    async def done():
        found = (await client.get(f"/v1/subscriptions/{subscription_id}/deliveries")).json()
        return found if found and all(d["status"] != "pending" for d in found) else None

    return await eventually(done)


class Later(datetime):
    """The receiver's clock, `shift` ahead: a captured delivery presented again that much later."""

    shift = timedelta(0)

    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + cls.shift


async def test_alert_events_reach_the_regions_subscribers_signed_retried_and_recorded(webhook_services, database,
                                                                                      monkeypatch):
    client = webhook_services
    await store_late_measure(database)
    steady_secret = new_secret()
    async with Receiver() as steady, Receiver([503, 500]) as flaky, Receiver() as elsewhere:
        steady_view = await subscribe(client, "361000", steady.url, secret=steady_secret)
        flaky_view = await subscribe(client, "360000", flaky.url)  # duban generates the secret and answers it once
        subscriptions = {
            "steady": steady_view["id"], "flaky": flaky_view["id"],
            "down": (await subscribe(client, "361000", f"http://127.0.0.1:{closed_port()}/hook"))["id"],
            "elsewhere": (await subscribe(client, "361002", elsewhere.url))["id"],  # a county: not the city's alert
        }
        assert "secret" not in steady_view and flaky_view["secret"].startswith("whsec_")
        listed = (await client.get("/v1/subscriptions")).json()
        assert {s["id"] for s in listed} == set(subscriptions.values())
        for shown in [*listed, (await client.get(f"/v1/subscriptions/{subscriptions['flaky']}")).json()]:
            assert "secret" not in shown and "secrets" not in shown
            assert flaky_view["secret"] not in json.dumps(shown) and steady_secret not in json.dumps(shown)
        # At rest, sealed: neither the secret nor its key's base64 is in the stored document.
        stored = await database["webhook_subscriptions"].find_one({"_id": subscriptions["steady"]})
        assert steady_secret.removeprefix("whsec_") not in json.dumps(stored, default=str)
        assert (await sweep(client))["raised"] == 1

        deliveries = {name: await settled(client, i) for name, i in subscriptions.items() if name != "elsewhere"}
        assert [len(a["attempts"]) for a in deliveries["steady"]] == [1]
        assert (deliveries["flaky"][0]["status"], [a.get("status_code") for a in deliveries["flaky"][0]["attempts"]]) \
            == ("delivered", [503, 500, 200])
        assert (deliveries["down"][0]["status"], len(deliveries["down"][0]["attempts"])) == ("failed", 3)
        assert "error" in deliveries["down"][0]["attempts"][0]
        assert (await client.get(f"/v1/subscriptions/{subscriptions['elsewhere']}/deliveries")).json() == []

        [(headers, payload)] = steady.requests
        event = standardwebhooks.Webhook(steady_secret).verify(payload, headers)
        assert (event["type"], event["data"]["key"]) == ("alert-raised", KEY)
        assert headers["webhook-id"] == headers["ce-id"] == event["id"]
        # Every retry is signed afresh under the generated secret, with the same id.
        assert [standardwebhooks.Webhook(flaky_view["secret"]).verify(p, h)["id"] for h, p in flaky.requests] \
            == [event["id"]] * 3
        assert elsewhere.requests == []

        # The same delivery presented again six minutes later (a replay) is refused by the receiver's library.
        monkeypatch.setattr(standardwebhooks.webhooks, "datetime", Later)
        Later.shift = timedelta(minutes=6)
        with pytest.raises(standardwebhooks.WebhookVerificationError, match="too old"):
            standardwebhooks.Webhook(steady_secret).verify(payload, headers)

        assert (await client.delete(f"/v1/subscriptions/{subscriptions['steady']}")).status_code == 204
        assert (await client.get(f"/v1/subscriptions/{subscriptions['steady']}")).status_code == 404


async def test_a_rotated_secret_signs_beside_the_new_one_for_the_grace_period(webhook_services, database):
    client = webhook_services
    await store_late_measure(database)
    old = new_secret()
    async with Receiver() as receiver:
        subscription = (await subscribe(client, "361000", receiver.url, secret=old))["id"]
        rotation = await client.post(f"/v1/subscriptions/{subscription}:rotate-secret", json={"grace_seconds": 3600})
        assert rotation.status_code == 200, rotation.text
        new = rotation.json()["secret"]
        expires = datetime.fromisoformat(rotation.json()["previous_secret_expires_at"])
        assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)
        shown = (await client.get(f"/v1/subscriptions/{subscription}")).json()
        assert new not in json.dumps(shown) and shown["previous_secret_expires_at"] is not None
        assert (await sweep(client))["raised"] == 1
        await settled(client, subscription)
        [(headers, payload)] = receiver.requests
        assert len(headers["webhook-signature"].split(" ")) == 2
        for held in (old, new):  # a receiver verifies whichever secret it holds
            standardwebhooks.Webhook(held).verify(payload, headers)

        mine = new_secret()  # a subscriber may bring its own; it is not echoed
        ended = await client.post(f"/v1/subscriptions/{subscription}:rotate-secret",
                                  json={"secret": mine, "grace_seconds": 0})
        assert ended.status_code == 200 and "secret" not in ended.json()
        assert ended.json()["previous_secret_expires_at"] is None
        unknown = await client.post("/v1/subscriptions/nothing:rotate-secret", json={})
        assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"


async def test_malformed_secrets_and_internal_destinations_are_refused_with_a_problem(settings_values, database):
    async with running(webhook_app(settings_values, [])) as client:
        for url, named in (("http://127.0.0.1:9/hook", "loopback"), ("http://localhost:9/hook", "loopback"),
                           ("http://[::1]:9/hook", "loopback"), ("http://169.254.169.254/latest", "link-local"),
                           ("http://10.0.0.8/hook", "private"), ("http://192.168.1.20/hook", "private"),
                           ("http://no-such-host.invalid/hook", "does not resolve")):
            response = await client.post("/v1/subscriptions", json={"region_code": "361000", "url": url})
            assert response.status_code == 422, (url, response.text)
            problem = response.json()
            assert response.headers["content-type"] == "application/problem+json"
            assert problem["type"] == "/problems/destination-refused" and named in problem["detail"]
            assert problem["errors"][0]["field"] == "url"
        for secret in ("a-secret-of-16-chars-but-plain", "whsec_c2hvcnQ=", "whsec_%%%"):
            response = await client.post("/v1/subscriptions", json={"region_code": "361000", "secret": secret,
                                                                     "url": "http://127.0.0.1:9/hook"})
            assert response.status_code == 422 and response.json()["errors"][0]["field"] == "secret", response.text
        assert (await client.get("/v1/subscriptions")).json() == []


async def test_delivery_checks_the_destination_again_and_old_plain_secrets_are_migrated(settings_values, database):
    """A subscription stored when its URL was allowed (or before the check existed, with a plain secret) whose
    destination is no longer allowed at delivery time (the allow-list shrank, or the name now resolves inside)."""
    await store_late_measure(database)
    async with Receiver() as receiver:
        await database["webhook_subscriptions"].insert_one({
            "_id": "legacy", "region_code": "361000", "url": receiver.url, "secret": "steady-secret-0123",
            "created_at": datetime.now(UTC)})
        async with running(webhook_app(settings_values, [])) as client:
            stored = await database["webhook_subscriptions"].find_one({"_id": "legacy"})
            assert "secret" not in stored and "steady-secret-0123" not in json.dumps(stored, default=str)
            assert (await sweep(client))["raised"] == 1
            [refused] = await settled(client, "legacy")
            assert refused["status"] == "failed" and "loopback" in refused["attempts"][0]["error"]
            assert receiver.requests == []
        await database["webhook_deliveries"].delete_many({})
        await database["open_alerts"].delete_many({})  # so the sweep raises it anew
        async with running(webhook_app(settings_values, LOOPBACK)) as client:
            assert (await sweep(client))["raised"] == 1
            [delivered] = await settled(client, "legacy")
            assert delivered["status"] == "delivered"
        # The receiver that held the plain secret verifies with it in whsec_ form.
        [(headers, payload)] = receiver.requests
        standardwebhooks.Webhook(legacy_secret("steady-secret-0123")).verify(payload, headers)

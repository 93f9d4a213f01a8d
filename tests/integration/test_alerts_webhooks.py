"""Alert events delivered to webhook subscribers on real sockets, verified as receivers verify them: with the
`standardwebhooks` reference library. Receivers listen on 127.0.0.1, so the service allow-lists 127.0.0.0/8 (a
loopback URL is refused otherwise, which one test checks)."""

import asyncio
import json
import socket
import ssl
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import standardwebhooks
import standardwebhooks.webhooks
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.alerts.domain.signatures import legacy_secret, new_secret
from services.alerts.main import create_app as create_alerts
from services.alerts.usecases.webhooks import Deliverer, DeliveryPolicy
from shared.destinations import DestinationPolicy
from shared.secrets import DEVELOPMENT_KEY, SecretBox
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


def certificate_authority_and_server(names: list[str], directory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A test CA trusted by the client context, and a server context with its certificate for `names`."""
    def issued(subject, issuer_name, key, signing_key, *extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(
            key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(datetime.now(UTC) - timedelta(minutes=5))
            .not_valid_after(datetime.now(UTC) + timedelta(hours=1)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "duban test CA")])
    ca = issued(ca_name, ca_name, ca_key, ca_key, (x509.BasicConstraints(ca=True, path_length=None), True),
                (x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                               key_encipherment=False, data_encipherment=False, key_agreement=False,
                               encipher_only=False, decipher_only=False), True),
                (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False))
    server = issued(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]), ca_name, server_key, ca_key,
                    (x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False),
                    (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False))
    (directory / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (directory / "server.key").write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(directory / "server.pem", directory / "server.key")
    client_context = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return client_context, server_context


@pytest.mark.parametrize(("certified", "verifies"), [(["localhost"], True), (["elsewhere.example"], False)])
async def test_an_https_delivery_sent_to_an_address_verifies_the_certificate_for_the_name(
        tmp_path, certified, verifies):
    """The pinned request (Deliverer.request) keeps the name for SNI and the certificate check: a certificate for
    the name passes, one for another name fails, though the connection goes to an address."""
    client_context, server_context = certificate_authority_and_server(certified, tmp_path)
    seen = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append((await reader.readuntil(b"\r\n\r\n")).decode())
        writer.write(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    deliverer = Deliverer(None, DeliveryPolicy(), SecretBox(DEVELOPMENT_KEY), DestinationPolicy.of([], ["localhost"]))
    deliverer.client = httpx.AsyncClient(verify=client_context, timeout=5)
    try:
        request = await deliverer.request(f"https://localhost:{port}/hook", b"{}", {"webhook-id": "e1"})
        assert request.url.host in ("127.0.0.1", "::1")
        request.url = request.url.copy_with(host="127.0.0.1")  # the IPv4 listener, whichever address came first
        if verifies:
            assert (await deliverer.client.send(request)).status_code == 204
            assert f"host: localhost:{port}" in seen[0].lower()
        else:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED|match"):
                await deliverer.client.send(request)
            assert seen == []
    finally:
        await deliverer.close()
        server.close()
        await server.wait_closed()


async def test_a_refused_secret_or_credential_is_not_repeated_in_the_problem_or_the_log(webhook_services, capfd):
    client = webhook_services
    almost = "whsec_" + "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw"[:-1] + "!"  # not base64: refused
    refused = await client.post("/v1/subscriptions", json={"region_code": "361000", "url": "http://127.0.0.1:9/x",
                                                           "secret": almost})
    too_long = "SEC" + "k" * 300
    channel = await client.post("/v1/channels", json={"kind": "dingtalk", "name": "临川区工作群",
                                                      "region_code": "361002", "access_token": "token-" + "t" * 300,
                                                      "secret": too_long})
    assert refused.status_code == 422 and channel.status_code == 422
    logged = capfd.readouterr().err  # the service's log lines (JSON on the process's stderr) during the test
    for answer, secret in ((refused, almost), (channel, too_long), (channel, "token-" + "t" * 300)):
        assert secret not in answer.text and secret[6:30] not in answer.text
        assert secret not in logged

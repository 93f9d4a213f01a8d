"""OIDC tokens (shared/web/oidc.py): claims mapped to a credential, and verification at its edges, against a local
issuer answering in memory (over a real socket, with running services: tests/integration/test_oidc.py)."""

import asyncio
import base64
import json
import time

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey

from shared.settings import ServiceSettings
from shared.web.audit import AuditTrail
from shared.web.authentication import Caller, authorise, issuer_of, requires
from shared.web.clients import ClientEntry, Clients, Role, token_hash
from shared.web.oidc import REFETCH_SECONDS, RETRY_SECONDS, ClaimMapping, InvalidToken, Issuer, IssuerUnavailable
from shared.web.problems import PROBLEM_JSON, install_problem_handlers
from tests.support.oidc import AUDIENCE, DISCOVERY_PATH, JWKS_PATH, LocalIssuer
from tests.unit.shared.web.test_roles import SERVICES, KeptRecords

V, R, P, A = Role.viewer, Role.reporter, Role.planner, Role.admin
COUNTY = {"sub": "u-7", "region_code": "361002", "roles": ["viewer"]}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier_of(local: LocalIssuer, **options) -> Issuer:
    return Issuer(local.url, AUDIENCE, ClaimMapping(), algorithms=["RS256", "ES256"], transport=local.transport(),
                  **options)


# The claim mapping

def test_the_region_and_roles_claims_become_a_credential_named_by_the_subject():
    client = ClaimMapping().client({**COUNTY, "preferred_username": "linchuan.office", "roles": ["viewer", "x"]})
    assert (client.client_id, client.name, client.region_code, client.roles, client.subject) == (
        "oidc:u-7", "linchuan.office", "361002", frozenset({V}), "u-7")
    assert ClaimMapping().client({**COUNTY, "name": "临川区督查室"}).name == "临川区督查室"
    assert ClaimMapping().client(COUNTY).name == "u-7"
    assert ClaimMapping().client({**COUNTY, "roles": "viewer reporter"}).roles == {V, R}
    assert ClaimMapping().client({**COUNTY, "sub": "a b/c"}).client_id == "oidc:a%20b%2Fc"  # safe in an event source


def test_nested_claims_and_a_role_map_turn_the_identity_providers_names_into_dubans():
    mapping = ClaimMapping("attributes.region", "realm_access.roles",
                           {"county-office": frozenset({V, P}), "county-system": frozenset({R})})
    claims = {"sub": "u-8", "attributes": {"region": "361002901"},
              "realm_access": {"roles": ["county-office", "offline_access", "admin"]}}
    client = mapping.client(claims)
    assert client.region_code == "361002901" and client.roles == {V, P}  # `admin` unmapped grants nothing
    assert ClaimMapping(roles_claim="realm_access.roles").client(claims | {"region_code": "361000"}).roles == {A}


@pytest.mark.parametrize("claims, named", [
    ({"sub": "u", "roles": ["viewer"]}, "region_code"),
    ({"sub": "u", "roles": ["viewer"], "region_code": "36100"}, "region_code"),
    ({"sub": "u", "roles": ["viewer"], "region_code": 361002}, "region_code"),
    ({"sub": "u", "region_code": "361002"}, "roles"),
    ({"sub": "u", "region_code": "361002", "roles": ["auditor", 7]}, "roles"),
])
def test_a_token_without_a_region_code_or_a_duban_role_is_refused_naming_the_claim(claims, named):
    with pytest.raises(InvalidToken, match=f"`{named}`"):
        ClaimMapping().client(claims)


# Verification

async def test_a_valid_token_becomes_its_credential_and_the_keys_are_fetched_once():
    local = LocalIssuer()
    issuer = verifier_of(local)
    for _ in range(3):
        client = await issuer.client(local.token("u-7", region_code="361002", roles=["viewer"]))
        assert client.subject == "u-7" and client.region_code == "361002" and client.roles == {V}
    assert local.requests == {DISCOVERY_PATH: 1, JWKS_PATH: 1}


@pytest.mark.parametrize("claims, reason", [
    ({"exp": -120}, "expired"),
    ({"aud": "another-service"}, "'aud'"),
    ({"aud": None}, "'aud'"),
    ({"iss": "https://idp.test/realms/other"}, "'iss'"),
    ({"nbf": 600}, "not yet valid"),
    ({"sub": None}, "'sub'"),
])
async def test_claims_outside_the_rules_are_refused(claims, reason):
    # `exp` and `nbf` are given in seconds from when the test runs: a time taken when the module is collected has
    # passed by the time a long suite reaches the test (a `nbf` 600 s ahead was 28 minutes behind in CI).
    now = int(time.time())
    claims = {name: now + value if name in ("exp", "nbf") else value for name, value in claims.items()}
    local = LocalIssuer()
    with pytest.raises(InvalidToken, match=reason):
        await verifier_of(local).client(local.token(**COUNTY | claims))


async def test_an_audience_among_several_is_enough():
    local = LocalIssuer()
    assert await verifier_of(local).client(local.token(**COUNTY, aud=["account", AUDIENCE]))
    with pytest.raises(InvalidToken, match="'aud'"):
        await verifier_of(local).client(local.token(**COUNTY, aud=["account", "duban-other"]))


async def test_the_clock_may_be_a_little_off_but_no_more():
    local = LocalIssuer()
    issuer = verifier_of(local, leeway_seconds=60)
    now = int(time.time())
    assert await issuer.client(local.token(**COUNTY | {"exp": now - 30, "nbf": now + 30}))
    with pytest.raises(InvalidToken, match="expired"):
        await issuer.client(local.token(**COUNTY | {"exp": now - 90}))


async def test_a_signature_by_another_key_under_a_known_key_id_is_refused():
    local = LocalIssuer()
    forged = LocalIssuer(local.url)  # its own key-1
    with pytest.raises(InvalidToken, match="signature"):
        await verifier_of(local).client(forged.token(**COUNTY))


async def test_an_unknown_key_id_is_refused_after_one_fetch_and_invented_ones_fetch_nothing_more():
    local, clock = LocalIssuer(), Clock()
    local.add_key("not-published", publish=False)
    issuer = verifier_of(local, clock=clock)
    await issuer.client(local.token(**COUNTY))
    for _ in range(5):
        with pytest.raises(InvalidToken, match="key id 'not-published'"):
            await issuer.client(local.token(**COUNTY, kid="not-published"))
    assert local.requests[JWKS_PATH] == 1


async def test_a_key_the_issuer_rotated_in_is_fetched_when_a_token_names_it():
    local, clock = LocalIssuer(), Clock()
    issuer = verifier_of(local, clock=clock)
    await issuer.client(local.token(**COUNTY))
    local.add_key("key-2")
    clock.now += REFETCH_SECONDS
    assert (await issuer.client(local.token(**COUNTY, kid="key-2"))).region_code == "361002"
    assert local.requests[JWKS_PATH] == 2 and local.requests[DISCOVERY_PATH] == 1


async def test_keys_past_their_age_are_fetched_again_and_kept_while_the_issuer_is_away():
    local, clock = LocalIssuer(), Clock()
    issuer = verifier_of(local, clock=clock, max_age_seconds=60)
    await issuer.client(local.token(**COUNTY))
    clock.now += 61
    local.published.remove("key-1")
    local.add_key("key-2")  # key-1 withdrawn
    with pytest.raises(InvalidToken, match="key id 'key-1'"):
        await issuer.client(local.token(**COUNTY))
    away = verifier_of(local, clock=clock, max_age_seconds=60)
    await away.client(local.token(**COUNTY, kid="key-2"))
    clock.now += 61
    away.transport = httpx.MockTransport(lambda request: httpx.Response(502))
    assert await away.client(local.token(**COUNTY, kid="key-2"))  # the stale keys serve


async def test_while_one_request_waits_on_a_slow_issuer_the_others_use_the_keys_held():
    local, clock, answered = LocalIssuer(), Clock(), asyncio.Event()
    issuer = verifier_of(local, clock=clock, max_age_seconds=60)
    await issuer.client(local.token(**COUNTY))
    clock.now += 61

    async def slow(request: httpx.Request) -> httpx.Response:
        await answered.wait()
        return httpx.Response(200, json=local.documents()[JWKS_PATH])

    issuer.transport = httpx.MockTransport(slow)
    waiting = asyncio.create_task(issuer.client(local.token(**COUNTY)))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    assert (await asyncio.wait_for(issuer.client(local.token(**COUNTY)), 1)).region_code == "361002"
    answered.set()
    assert (await waiting).region_code == "361002"


async def test_an_issuer_that_does_not_answer_is_unavailable_and_not_asked_again_at_once():
    local, clock = LocalIssuer(), Clock()
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise httpx.ConnectError("connection refused", request=request)

    issuer = Issuer(local.url, AUDIENCE, ClaimMapping(), algorithms=["RS256"], transport=httpx.MockTransport(refuse),
                    clock=clock)
    for _ in range(3):
        with pytest.raises(IssuerUnavailable):
            await issuer.client(local.token(**COUNTY))
    assert len(calls) == 1
    clock.now += RETRY_SECONDS
    issuer.transport = local.transport()
    assert await issuer.client(local.token(**COUNTY))


async def test_a_discovery_document_naming_another_issuer_is_not_trusted():
    local = LocalIssuer()
    impostor = LocalIssuer("https://idp.test/realms/impostor")
    issuer = Issuer(local.url, AUDIENCE, ClaimMapping(), algorithms=["RS256"], transport=impostor.transport())
    with pytest.raises(IssuerUnavailable):
        await issuer.client(local.token(**COUNTY))


async def test_a_jwks_url_given_skips_discovery():
    local = LocalIssuer()
    issuer = verifier_of(local, jwks_url=f"{local.url}{JWKS_PATH}")
    assert await issuer.client(local.token(**COUNTY))
    assert local.requests == {JWKS_PATH: 1}


def unsigned(header: dict, claims: dict) -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{encode(header)}.{encode(claims)}.c2lnbmF0dXJl"


async def test_none_and_a_public_key_used_as_an_hmac_secret_are_refused():
    local = LocalIssuer()
    issuer = verifier_of(local)
    claims = {**COUNTY, "iss": local.url, "aud": AUDIENCE, "exp": int(time.time()) + 60}
    with pytest.raises(InvalidToken, match="algorithm 'none'"):
        await issuer.client(unsigned({"alg": "none", "kid": "key-1"}, claims))
    public = json.dumps(local.signing["key-1"].as_dict(private=False)).encode()
    forged = jwt.encode({"alg": "HS256", "kid": "key-1"}, claims, OctKey.import_key(public))
    with pytest.raises(InvalidToken, match="algorithm 'HS256'"):
        await issuer.client(forged)
    with pytest.raises(InvalidToken, match="not a readable JWT"):
        await issuer.client("bm90.YSBKV1Q.x")
    assert local.requests[JWKS_PATH] == 0  # refused before any key was needed


def test_settings_refuse_symmetric_algorithms_and_an_issuer_without_audience():
    with pytest.raises(ValueError, match="oidc_algorithms"):
        ServiceSettings(oidc_algorithms=["RS256", "HS256"])
    with pytest.raises(ValueError, match="oidc_algorithms"):
        ServiceSettings(oidc_algorithms=["none"])
    with pytest.raises(ValueError, match="oidc_audience"):
        ServiceSettings(oidc_issuer="https://idp.test/realms/duban")


def test_the_role_map_and_claim_names_are_read_from_the_environment(monkeypatch):
    for name, value in {"ISSUER": "https://idp.test/realms/duban", "AUDIENCE": AUDIENCE,
                        "ROLES_CLAIM": "realm_access.roles", "ROLE_MAP": '{"county-office": ["viewer", "planner"]}'
                        }.items():
        monkeypatch.setenv(f"DUBAN_OIDC_{name}", value)
    mapping = issuer_of(ServiceSettings()).mapping
    assert mapping.client({"sub": "u", "region_code": "361002", "realm_access": {"roles": ["county-office"]}}
                          ).roles == {V, P}


# Through a service's routes

KEY = "key-of-dongxiang"


def guarded_app(local: LocalIssuer, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    app = FastAPI()
    app.state.clients = Clients([ClientEntry(id="dongxiang", name="东乡区系统", region_code="361003",
                                             token_sha256=token_hash(KEY), roles=[Role.reporter])])
    app.state.issuer = Issuer(local.url, AUDIENCE, ClaimMapping(role_map={"county-viewers": frozenset({V})}),
                              algorithms=["RS256"], transport=transport or local.transport())
    app.state.audit_log = KeptRecords()
    install_problem_handlers(app)
    app.add_middleware(AuditTrail)

    @app.get("/v1/reports/regions/{region_code}", dependencies=[requires(V)])
    def figures(region_code: str, caller: Caller) -> dict:
        authorise(caller, region_code, "the figures")
        return {"region_code": region_code, "caller": caller.client_id}

    return app


async def get(app: FastAPI, path: str, token: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        return await http.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_routes_take_oidc_tokens_beside_the_clients_files_keys_and_the_trail_names_the_subject():
    local = LocalIssuer()
    app = guarded_app(local)
    viewer = local.token("u-7", region_code="361002", roles=["county-viewers"], name="临川区督查室")
    own = await get(app, "/v1/reports/regions/361002", viewer)
    assert own.status_code == 200 and own.json()["caller"] == "oidc:u-7"
    other = await get(app, "/v1/reports/regions/361003", viewer)
    assert other.status_code == 403 and other.json()["type"] == "/problems/outside-region"
    assert (await get(app, "/v1/reports/regions/361003", KEY)).status_code == 403  # a reporter key: no viewer role
    records = app.state.audit_log.records
    assert [(r["status"], r["subject"], r["client_name"]) for r in records] == [
        (403, "u-7", "临川区督查室"), (403, None, "东乡区系统")]


async def test_a_refused_token_is_401_invalid_token_and_an_issuer_away_is_503_never_500():
    local = LocalIssuer()
    expired = await get(guarded_app(local), "/v1/reports/regions/361002",
                        local.token(region_code="361002", roles=["county-viewers"], lifetime=-600))
    assert expired.status_code == 401 and expired.headers["content-type"] == PROBLEM_JSON
    assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "expired" in expired.json()["detail"] and expired.json()["type"] == "/problems/invalid-token"

    def away(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    unavailable = await get(guarded_app(local, httpx.MockTransport(away)), "/v1/reports/regions/361002",
                            local.token(region_code="361002", roles=["county-viewers"]))
    assert unavailable.status_code == 503 and unavailable.headers["retry-after"] == str(RETRY_SECONDS)
    assert unavailable.json()["type"] == "/problems/identity-provider-unavailable"
    garbled = await get(guarded_app(local), "/v1/reports/regions/361002", "e30.e30.e30")
    assert garbled.status_code == 401


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_service_takes_the_identity_providers_tokens_when_configured(name):
    create_app, settings = SERVICES[name]
    local = LocalIssuer()
    app = create_app(settings(oidc_issuer=local.url, oidc_audience=AUDIENCE, rate_limit=""))
    app.state.issuer.transport = local.transport()
    app.state.audit_log = KeptRecords()
    client = TestClient(app)
    planner = {"Authorization": f"Bearer {local.token('u-9', region_code='361002', roles=['planner'])}"}
    refused = client.get("/v1/audit", headers=planner)  # verified and mapped, else 401
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/missing-role"
    expired = {"Authorization": f"Bearer {local.token(region_code='361002', roles=['admin'], lifetime=-600)}"}
    assert client.get("/v1/audit", headers=expired).status_code == 401
    assert client.get("/v1/audit").status_code == 401
    assert [r["subject"] for r in app.state.audit_log.records] == ["u-9", None, None]

"""OIDC tokens against a running service: a local issuer (RSA keys generated here, its discovery document and JWKS
served over HTTP on a free loopback port) signs tokens whose claims name a region and the identity provider's
groups; reporting, on the real database with a generated city, verifies them by fetching the issuer's keys and
answers with the figures of the token's region, refusing another county's, beside a key of its clients file; an
issuer that does not answer is 503. Key rotation, leeway and the other edges: tests/unit/shared/web/test_oidc.py."""

from datetime import date

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.domain.regions import within
from shared.web.clients import new_token, token_hash
from tests.support.apps import running
from tests.support.cities import record_city
from tests.support.oidc import AUDIENCE, DISCOVERY_PATH, JWKS_PATH, LocalIssuer, serving
from tests.unit.reporting.generated import generate_city

AS_OF = "2026-11-22"
CITY = generate_city(townships=22, measures=6, assignments=300, departments=(2, 1, 1), seed=14,
                     today=date(2026, 11, 22))
KEY = new_token()
# The identity provider's groups, as an office's Keycloak realm might name them, mapped to duban's roles.
ROLE_MAP = {"duban-county-viewers": ["viewer"], "duban-city-admins": ["admin"]}


def assignments_within(code: str) -> int:
    return sum(within(a["region_code"], code) for a in CITY.assignments)


@pytest.fixture
def issuer():
    with serving(LocalIssuer()) as local:
        yield local


@pytest.fixture
async def recorded(database):
    await record_city(database, CITY)


def settings_with(settings_values: dict, issuer_url: str, tmp_path) -> ReportingSettings:
    clients = tmp_path / "clients.yaml"
    clients.write_text(f"clients:\n  - {{id: city-office, name: 抚州市依法治市办, region_code: '361000', "
                       f"token_sha256: {token_hash(KEY)}, roles: [viewer]}}\n", encoding="utf-8")
    return ReportingSettings(**settings_values, snapshot_max_age_seconds=0, clients_file=str(clients),
                             oidc_issuer=issuer_url, oidc_audience=AUDIENCE, oidc_role_map=ROLE_MAP)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_a_county_viewers_token_sees_its_county_and_not_the_next_one(settings_values, recorded, issuer,
                                                                             tmp_path):
    async with running(create_app(settings_with(settings_values, issuer.url, tmp_path))) as reporting:
        viewer = bearer(issuer.token("5f0c-linchuan", region_code="361002", roles=["duban-county-viewers"],
                                     name="临川区督查室"))
        own = await reporting.get("/v1/reports/regions/361002", params={"as_of": AS_OF}, headers=viewer)
        assert own.status_code == 200 and own.json()["assignments"] == assignments_within("361002") > 0
        township = own.json()["children"][0]["region_code"]
        below = await reporting.get(f"/v1/reports/regions/{township}", params={"as_of": AS_OF}, headers=viewer)
        assert below.status_code == 200 and below.json()["assignments"] == assignments_within(township)
        other = await reporting.get("/v1/reports/regions/361003", params={"as_of": AS_OF}, headers=viewer)
        assert other.status_code == 403 and other.json()["type"] == "/problems/outside-region"
        credential = (await reporting.get("/v1/reports/credential", headers=viewer)).json()
        assert credential == {"client_id": "oidc:5f0c-linchuan", "name": "临川区督查室", "region_code": "361002",
                              "roles": ["viewer"], "open": False}

        # The clients file's key beside the identity provider's tokens; the keys were fetched once.
        city = await reporting.get("/v1/reports/regions/361003", params={"as_of": AS_OF}, headers=bearer(KEY))
        assert city.status_code == 200 and city.json()["assignments"] == assignments_within("361003")
        assert issuer.requests == {DISCOVERY_PATH: 1, JWKS_PATH: 1}

        expired = await reporting.get("/v1/reports/regions/361002", headers=bearer(issuer.token(
            "5f0c-linchuan", region_code="361002", roles=["duban-county-viewers"], lifetime=-600)))
        assert expired.status_code == 401 and expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        unmapped = await reporting.get("/v1/reports/regions/361002", headers=bearer(issuer.token(
            "someone", region_code="361002", roles=["viewer", "offline_access"])))  # duban's name, but not mapped
        assert unmapped.status_code == 401 and "`roles`" in unmapped.json()["detail"]

        admin = bearer(issuer.token("9a1e-city", region_code="361000", roles=["duban-city-admins"]))
        trail = await reporting.get("/v1/audit", params={"outcome": "refused"}, headers=admin)
        assert trail.status_code == 200
        assert [(r["subject"], r["client_id"], r["status"], r["path"]) for r in trail.json()] == [
            ("5f0c-linchuan", "oidc:5f0c-linchuan", 403, "/v1/reports/regions/361003"),
            (None, None, 401, "/v1/reports/regions/361002"), (None, None, 401, "/v1/reports/regions/361002")]


async def test_an_issuer_that_does_not_answer_when_its_keys_are_needed_is_503_not_500(settings_values, recorded,
                                                                                       tmp_path):
    with serving(LocalIssuer()) as gone:
        pass  # stopped: nothing listens on its port now
    async with running(create_app(settings_with(settings_values, gone.url, tmp_path))) as reporting:
        away = await reporting.get("/v1/reports/regions/361002", headers=bearer(gone.token(
            region_code="361002", roles=["duban-county-viewers"])))
        assert away.status_code == 503 and int(away.headers["retry-after"]) > 0
        assert away.json()["type"] == "/problems/identity-provider-unavailable"
        assert (await reporting.get("/v1/reports/regions/361002", headers=bearer(KEY))).status_code == 200

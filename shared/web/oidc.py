"""OIDC bearer tokens of the deployment's identity provider, as credentials beside the clients file.

Where `DUBAN_OIDC_ISSUER` and `DUBAN_OIDC_AUDIENCE` are set, a bearer token shaped as a JWT (three base64url parts
joined by dots: a clients-file token never has a dot) is verified here and becomes a Client (shared/web/clients.py)
with the region and roles its claims carry, so every route checks it as it checks a key of the clients file:

- the signature, by the issuer's keys (its JWKS, at `DUBAN_OIDC_JWKS_URL` or else at the `jwks_uri` of
  `<issuer>/.well-known/openid-configuration`), with an algorithm of `DUBAN_OIDC_ALGORITHMS` only (asymmetric
  ones: `none` and the HMAC family are refused at start, so a public key can never serve as a shared secret);
- `iss` equal to the issuer, `aud` naming the audience, `exp` and `sub` present, `exp`, `nbf` and `iat` judged with
  `DUBAN_OIDC_LEEWAY_SECONDS` of clock skew;
- the claims, mapped by `ClaimMapping`: the region (a GB/T 2260 code) from `DUBAN_OIDC_REGION_CLAIM`, the roles
  from `DUBAN_OIDC_ROLES_CLAIM` (claim names may be dotted paths into nested objects, as Keycloak's
  `realm_access.roles`), through `DUBAN_OIDC_ROLE_MAP` when given.

The keys are fetched when first needed and kept: fetched again when a token names a key id they lack (a rotation
at the issuer), at most once every REFETCH_SECONDS (a stream of invented key ids must not become a stream of
requests to the issuer), and every `DUBAN_OIDC_JWKS_MAX_AGE_SECONDS` so a withdrawn key stops working. A token that
fails any check raises InvalidToken (401); an issuer that cannot be reached when keys are needed raises
IssuerUnavailable (503, retried after RETRY_SECONDS; nothing is asked of it meanwhile). Keys past their age stay in
use while a refresh is under way or fails.
"""

import asyncio
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import structlog
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shared.web.clients import OIDC_IDS, Client, Role

log = structlog.get_logger()
JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
REGION_CODE = re.compile(r"^[0-9]{6}([0-9]{3})?$")
SIGNING_KEY_TYPES = ("RSA", "EC", "OKP")
REFETCH_SECONDS = 10.0
RETRY_SECONDS = 5
MAX_NAME_LENGTH = 256


class InvalidToken(Exception):
    """A JWT this service does not accept; the message says why, without quoting the token."""


class IssuerUnavailable(Exception):
    """The identity provider did not give its keys when they were needed."""


def looks_like_jwt(token: str) -> bool:
    return JWT_SHAPE.match(token) is not None


def claim(claims: Mapping, name: str) -> object:
    """The value at `name`, a dotted path into nested objects (`realm_access.roles`); None where it stops."""
    value: object = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True)
class ClaimMapping:
    """How a verified token's claims become a Client: which claim holds the region, which the roles, and how the
    identity provider's role or group names become duban's. Without `role_map` the claim's values are duban's role
    names themselves (others are ignored); with one, only the names it maps count (an IdP group called `admin`
    grants nothing unless mapped)."""

    region_claim: str = "region_code"
    roles_claim: str = "roles"
    role_map: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    def roles(self, claims: Mapping) -> frozenset[Role]:
        value = claim(claims, self.roles_claim)
        names = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
        names = [name for name in names if isinstance(name, str)]
        if self.role_map:
            return frozenset(role for name in names for role in self.role_map.get(name, ()))
        return frozenset(Role(name) for name in names if name in Role.__members__)

    def client(self, claims: Mapping) -> Client:
        """The credential of verified claims; InvalidToken naming the claim when the region is missing or not a
        region code, or when no duban role results."""
        region = claim(claims, self.region_claim)
        if not isinstance(region, str) or not REGION_CODE.match(region):
            raise InvalidToken(f"its `{self.region_claim}` claim is missing or not a region code (6 or 9 digits).")
        if not (roles := self.roles(claims)):
            raise InvalidToken(f"its `{self.roles_claim}` claim grants no duban role (reporter, planner, viewer, "
                               f"admin){' through the role map' if self.role_map else ''}.")
        subject = claims["sub"]
        named = next((claims[key] for key in ("name", "preferred_username") if isinstance(claims.get(key), str)),
                     subject)
        return Client(f"{OIDC_IDS}{quote(subject, safe='@.-_~')}", named[:MAX_NAME_LENGTH], region, roles,
                      subject=subject)


class Issuer:
    """The identity provider's tokens verified against its keys (see the module's docstring). `transport` lets a
    test answer the issuer's HTTP requests in memory, `clock` (monotonic seconds) lets it move time on."""

    def __init__(self, issuer: str, audience: str, mapping: ClaimMapping, *, jwks_url: str | None = None,
                 algorithms: list[str], leeway_seconds: float = 60, timeout_seconds: float = 5,
                 max_age_seconds: float = 900, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.issuer, self.audience, self.mapping, self.jwks_url = issuer, audience, mapping, jwks_url
        self.algorithms, self.leeway, self.timeout = algorithms, int(leeway_seconds), timeout_seconds
        self.max_age, self.transport, self.clock = max_age_seconds, transport, clock
        self.keys: KeySet | None = None
        self.fetched_at = self.failed_at = -float("inf")
        self.fetching = asyncio.Lock()

    async def client(self, token: str) -> Client:
        """The credential of a JWT; InvalidToken or IssuerUnavailable."""
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError) as error:
            raise InvalidToken("it is not a readable JWT.") from error
        if header.get("alg") not in self.algorithms:
            raise InvalidToken(f"its algorithm {header.get('alg')!r} is not one of {', '.join(self.algorithms)}.")
        keys = await self.keys_for(header.get("kid"))
        try:
            verified = jwt.decode(token, keys, algorithms=self.algorithms)
            jwt.JWTClaimsRegistry(leeway=self.leeway, iss={"essential": True, "value": self.issuer},
                                  aud={"essential": True, "value": self.audience}, exp={"essential": True},
                                  sub={"essential": True}).validate(verified.claims)
        except (JoseError, ValueError) as error:
            raise InvalidToken(f"{reason(error)}.") from error
        return self.mapping.client(verified.claims)

    async def keys_for(self, kid: str | None) -> KeySet:
        """The issuer's keys, holding `kid` if the issuer has it (fetched again as the module's docstring says)."""
        if knows(self.keys, kid):
            if self.clock() - self.fetched_at > self.max_age:
                await self.refresh(stale_ok=True)
        elif self.keys is None or self.clock() - self.fetched_at >= REFETCH_SECONDS:
            await self.refresh(stale_ok=False)
        if not knows(self.keys, kid):
            raise InvalidToken(f"its key id {kid!r} is not among the issuer's keys.")
        return self.keys

    async def refresh(self, stale_ok: bool) -> None:
        if stale_ok and self.fetching.locked():
            return  # the keys held serve while another request fetches (an issuer away holds it up to the timeout)
        async with self.fetching:  # one fetch at a time; those who waited use its result
            if self.clock() - self.fetched_at < REFETCH_SECONDS:
                return
            if self.clock() - self.failed_at < RETRY_SECONDS:
                if stale_ok:
                    return
                raise IssuerUnavailable(f"the issuer {self.issuer} did not answer moments ago")
            try:
                self.keys = await self.fetch_keys()
                self.fetched_at = self.clock()
            except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as error:
                self.failed_at = self.clock()
                log.warning("oidc keys not fetched", issuer=self.issuer, error=repr(error)[:300], stale_kept=stale_ok)
                if not stale_ok:
                    raise IssuerUnavailable(f"the issuer {self.issuer} did not give its keys") from error

    async def fetch_keys(self) -> KeySet:
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as http:
            if self.jwks_url is None:
                discovery = await get_json(http, f"{self.issuer.rstrip('/')}/.well-known/openid-configuration")
                if discovery["issuer"] != self.issuer:  # OpenID Connect Discovery 1.0, section 4.3
                    raise ValueError(f"the discovery document names issuer {discovery['issuer']!r}")
                self.jwks_url = discovery["jwks_uri"]
            document = await get_json(http, self.jwks_url)
        signing = [key for key in document["keys"]
                   if key.get("kty") in SIGNING_KEY_TYPES and key.get("use", "sig") == "sig"]
        return KeySet.import_key_set({"keys": signing})


def reason(error: Exception) -> str:
    """joserfc's description of a refusal (`Invalid claim: 'aud'`), else its kind (`bad signature`)."""
    if isinstance(error, JoseError):
        return error.description or error.error.replace("_", " ")
    return str(error) or type(error).__name__


async def get_json(http: httpx.AsyncClient, url: str) -> dict:
    answer = await http.get(url, headers={"Accept": "application/json"})
    answer.raise_for_status()
    return answer.json()


def knows(keys: KeySet | None, kid: str | None) -> bool:
    """Whether `keys` can verify a token naming `kid` (a token naming none needs a set of one key)."""
    if keys is None:
        return False
    return any(key.kid == kid for key in keys.keys) if kid is not None else len(keys.keys) == 1

"""The caller of a route, by the bearer token of a credential (shared/web/clients.py): which roles it holds and
which regions it acts for.

Every route of every service but the probes (/livez, /readyz, /health, /metrics), the documentation pages and the
dashboard's static files names the role it needs (`requires`, given to the router in each service's main.py); a
route about a region checks it with `authorise` (changes) or `scoped` (reads: a region outside the caller's is
refused, none asked means the caller's own). A caller holds a key of the clients file or, where the deployment
has an identity provider, an OIDC token (shared/web/oidc.py) mapped to the same roles. Without either every route
is open and the caller is None. What the caller was allowed or refused is noted for the audit trail
(shared/web/audit.py).
"""

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from starlette.datastructures import State

from shared.settings import ServiceSettings
from shared.web.clients import Client, Clients, Role
from shared.web.oidc import RETRY_SECONDS, ClaimMapping, InvalidToken, Issuer, IssuerUnavailable, looks_like_jwt
from shared.web.problems import Problem


@dataclass
class Note:
    """What one request's caller was allowed: its credential, the role a route asked of it, the regions it acted
    for (filled as the route runs, read by the audit trail once it answered)."""

    client: Client | None = None
    role: Role | None = None
    regions: list[str] = field(default_factory=list)


current_note: ContextVar[Note | None] = ContextVar("current_note", default=None)


def note() -> Note:
    """The request's note (a throwaway one outside a request the audit trail watches)."""
    return current_note.get() or Note()


def load_clients(settings: ServiceSettings) -> Clients | None:
    """The clients file's credentials; None without one. A file that cannot be read stops the start."""
    return Clients.load(settings.clients_file) if settings.clients_file else None


def install_authentication(app: FastAPI, settings: ServiceSettings, clients: Clients | None) -> None:
    """The app's credentials: the clients file's (`state.clients`: `clients`, from load_clients, which the service's
    consumers also hold the producers of other systems' events to) and the identity provider's (`state.issuer`,
    None without one)."""
    app.state.clients = clients
    app.state.issuer = issuer_of(settings)


def issuer_of(settings: ServiceSettings) -> Issuer | None:
    if not settings.oidc_issuer:
        return None
    mapping = ClaimMapping(settings.oidc_region_claim, settings.oidc_roles_claim,
                           {name: frozenset(roles) for name, roles in settings.oidc_role_map.items()})
    return Issuer(settings.oidc_issuer, settings.oidc_audience, mapping, jwks_url=settings.oidc_jwks_url,
                  algorithms=settings.oidc_algorithms, leeway_seconds=settings.oidc_leeway_seconds,
                  timeout_seconds=settings.oidc_timeout_seconds, max_age_seconds=settings.oidc_jwks_max_age_seconds)


def is_open(state: State) -> bool:
    """Whether the service takes every request without a credential (neither a clients file nor an issuer)."""
    return getattr(state, "clients", None) is None and getattr(state, "issuer", None) is None


async def get_client(request: Request, authorization: Annotated[str | None, Header(
        description="`Bearer <token>`: a key of the clients file (shared/web/clients.py) or an OIDC token of the "
                    "deployment's identity provider (shared/web/oidc.py), when the service has either")] = None,
                     ) -> Client | None:
    """The client calling, by its bearer token; None when the service is open. 401 for a missing, unknown or
    refused token, 503 (Retry-After) when the identity provider's keys are needed and it does not answer."""
    if is_open(request.app.state):
        return None
    try:
        client = await client_of(request.app.state, authorization)
    except InvalidToken as refusal:
        raise Problem(401, "Not authenticated", f"访问密钥被拒绝：{refusal}", slug="invalid-token",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    except IssuerUnavailable:
        raise Problem(503, "Identity provider unavailable", "统一身份认证服务未提供校验该令牌所需的密钥，请稍后重试。",
                      slug="identity-provider-unavailable",
                      headers={"Retry-After": str(RETRY_SECONDS)}) from None
    if client is None:
        detail = ("访问密钥无效(不是本服务签发的，或已过期、已吊销)。" if authorization else
                  "请提供访问密钥：以 `Authorization: Bearer <密钥>` 发送为你签发的密钥。")
        raise Problem(401, "Not authenticated", detail, slug="unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    note().client = client
    return client


async def client_of(state: State, authorization: str | None) -> Client | None:
    """The client whose token an `Authorization: Bearer <token>` header carries: a JWT by the identity provider
    (InvalidToken, IssuerUnavailable), any other token by the clients file; None for an unknown token or any other
    header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not (token := token.strip()):
        return None
    if (issuer := getattr(state, "issuer", None)) is not None and looks_like_jwt(token):
        return await issuer.client(token)
    clients = getattr(state, "clients", None)
    return clients.identify(token) if clients is not None else None


Caller = Annotated[Client | None, Depends(get_client)]


def requires(*roles: Role):
    """A dependency refusing (403 `missing-role`) a caller that holds none of `roles` (an admin holds them all)."""

    def holding(caller: Caller) -> Client | None:
        if caller is None:
            return None
        held = next((role for role in roles if caller.holds(role)), None)
        if held is None:
            raise Problem(403, "Role missing", f"{caller.name} 的角色为 {'、'.join(sorted(caller.roles))}；此操作需要 "
                          f"{' 或 '.join(roles)} 角色。", slug="missing-role")
        note().role = held
        return caller

    holding.roles = roles  # what the route asks, for the permission table (README, tests/unit/shared/web)
    return Depends(holding)


def outside_region(caller: Client, what: str, region_codes: str) -> str:
    """The detail of a 403 `outside-region`, in Chinese: `what` (e.g. 单位 市司法局) is for `region_codes`."""
    return f"{caller.name} 只能办理区划 {caller.region_code} 及其下级的事项；{what}属于区划 {region_codes}。"


def authorise(caller: Client | None, region_code: str, what: str) -> None:
    """403 unless the caller acts for the region (anyone may, when the service is open); `what` names what was asked
    for, in Chinese (单位 市司法局, 区划 361002)."""
    if caller is not None and not caller.may_act_for(region_code):
        raise Problem(403, "Outside your region", outside_region(caller, what, region_code), slug="outside-region")
    note().regions.append(region_code)


def scoped(caller: Client | None, region_code: str | None) -> str | None:
    """The region a read is about: the one asked (403 outside the caller's region), else the caller's own (None,
    every region, for an open service)."""
    if region_code is None:
        return caller and caller.region_code
    authorise(caller, region_code, "所查询的内容")
    return region_code


def in_scope(caller: Client | None, region_code: str | None) -> bool:
    """Whether a listed thing of `region_code` is shown to the caller (all are, when the service is open)."""
    return caller is None or (region_code is not None and caller.may_act_for(region_code))

"""The caller of a route, by the bearer token of a credential (shared/web/clients.py): which roles it holds and
which regions it acts for.

Every route of every service but the probes (/livez, /readyz, /health, /metrics), the documentation pages and the
dashboard's static files names the role it needs (`requires`, given to the router in each service's main.py); a
route about a region checks it with `authorise` (changes) or `scoped` (reads: a region outside the caller's is
refused, none asked means the caller's own). Without a clients file every route is open and the caller is None.
What the caller was allowed or refused is noted for the audit trail (shared/web/audit.py).
"""

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request

from shared.settings import ServiceSettings
from shared.web.clients import Client, Clients, Role
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
    """The clients file's clients; None (everything open) without one. A file that cannot be read stops the start."""
    return Clients.load(settings.clients_file) if settings.clients_file else None


def get_client(request: Request, authorization: Annotated[str | None, Header(
        description="`Bearer <token>`, when the service has a clients file (shared/web/clients.py)")] = None,
               ) -> Client | None:
    """The client calling, by its bearer token; None when the service is open (no clients file)."""
    clients = request.app.state.clients
    if clients is None:
        return None
    if (client := client_of(clients, authorization)) is None:
        detail = ("The token is not one this service knows (or it expired, or was revoked)." if authorization else
                  "Send `Authorization: Bearer <token>` with the token issued to you.")
        raise Problem(401, "Not authenticated", detail, slug="unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    note().client = client
    return client


def client_of(clients: Clients, authorization: str | None) -> Client | None:
    """The client whose token an `Authorization: Bearer <token>` header carries; None for any other header."""
    scheme, _, token = (authorization or "").partition(" ")
    return clients.identify(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


Caller = Annotated[Client | None, Depends(get_client)]


def requires(*roles: Role):
    """A dependency refusing (403 `missing-role`) a caller that holds none of `roles` (an admin holds them all)."""

    def holding(caller: Caller) -> Client | None:
        if caller is None:
            return None
        held = next((role for role in roles if caller.holds(role)), None)
        if held is None:
            names = " or ".join(roles)
            raise Problem(403, "Role missing", f"{caller.name} holds {', '.join(sorted(caller.roles))}; this route "
                          f"needs {names}.", slug="missing-role")
        note().role = held
        return caller

    holding.roles = roles  # what the route asks, for the permission table (README, tests/unit/shared/web)
    return Depends(holding)


def authorise(caller: Client | None, region_code: str, what: str) -> None:
    """403 unless the caller acts for the region (anyone may, when the service is open)."""
    if caller is not None and not caller.may_act_for(region_code):
        raise Problem(403, "Outside your region",
                      f"{caller.name} acts for region {caller.region_code} and below; {what} is for {region_code}.",
                      slug="outside-region")
    note().regions.append(region_code)


def scoped(caller: Client | None, region_code: str | None) -> str | None:
    """The region a read is about: the one asked (403 outside the caller's region), else the caller's own (None,
    every region, for an open service)."""
    if region_code is None:
        return caller and caller.region_code
    authorise(caller, region_code, "what you asked")
    return region_code


def in_scope(caller: Client | None, region_code: str | None) -> bool:
    """Whether a listed thing of `region_code` is shown to the caller (all are, when the service is open)."""
    return caller is None or (region_code is not None and caller.may_act_for(region_code))

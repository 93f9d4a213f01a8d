"""The caller of a route, by the bearer token of a client (shared/web/clients.py), and whether it acts for a region.

Intake needs a client on every route; tracker and alerts on the operators' routes that change something (unit
mappings, sweeps, acknowledgements, webhook subscriptions). Reading routes stay open: dashboards and reports are
read in the government's own network. Without a clients file every route is open.
"""

from typing import Annotated

from fastapi import Depends, Header, Request

from shared.settings import ServiceSettings
from shared.web.clients import Client, Clients
from shared.web.problems import Problem


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
        detail = ("The token is not one this service knows." if authorization else
                  "Send `Authorization: Bearer <token>` with the token issued to your system.")
        raise Problem(401, "Not authenticated", detail, slug="unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    return client


def client_of(clients: Clients, authorization: str | None) -> Client | None:
    """The client whose token an `Authorization: Bearer <token>` header carries; None for any other header."""
    scheme, _, token = (authorization or "").partition(" ")
    return clients.identify(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


Caller = Annotated[Client | None, Depends(get_client)]
Authenticated = Depends(get_client)  # for a route that needs a client but no particular region


def authorise(caller: Client | None, region_code: str, what: str) -> None:
    """403 unless the caller acts for the region (anyone may, when the service is open)."""
    if caller is not None and not caller.may_act_for(region_code):
        raise Problem(403, "Outside your region",
                      f"{caller.name} acts for region {caller.region_code} and below; {what} is for {region_code}.",
                      slug="outside-region")

"""Where duban may send requests to URLs its users give it (webhook subscriptions): public addresses only.

A URL whose host is, or resolves to, a loopback, link-local, private, shared (100.64/10), multicast, reserved or
otherwise not globally routable address is refused, so a subscriber cannot make duban call into the network it runs
in (server-side request forgery, OWASP A10:2021). An operator allow-lists what is meant to be reached:
`allowed_networks` (CIDRs: an address inside one passes) and `allowed_hosts` (names, exact and case-insensitive:
any address they resolve to passes), e.g. a district's OA system on the government intranet.

The check runs when a URL is accepted and again before each request, on the addresses the request then connects to
(`resolve` returns them; the caller connects to one of those, not to the name), so a name re-pointed at an internal
address after it was accepted (DNS rebinding) is refused too. Every address a name resolves to must pass: a name
answering one public and one internal address is refused.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# The ranges named in a refusal, most telling first (ipaddress's own classification, RFC 6890's registry).
KINDS = ("loopback", "unspecified", "link_local", "multicast", "private", "reserved")


class DestinationRefused(ValueError):
    """The URL's host may not be called: why, in words for the subscriber."""


def internal_kind(address: IPAddress) -> str | None:
    """What makes an address internal ("loopback", "private", …), or None for a globally routable one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = address.ipv4_mapped
    for kind in KINDS:
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "not globally routable"


@dataclass(frozen=True)
class DestinationPolicy:
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, networks: list[str], hosts: list[str]) -> "DestinationPolicy":
        """From settings: CIDRs (`10.8.0.0/16`, `127.0.0.1/32`) and host names; a malformed CIDR is a ValueError."""
        return cls(tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks),
                   frozenset(h.strip().lower().rstrip(".") for h in hosts))

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why `host` at `address` may not be called, or None when it may."""
        if host.lower().rstrip(".") in self.allowed_hosts or any(address in n for n in self.allowed_networks):
            return None
        kind = internal_kind(address)
        return None if kind is None else f"{host} is {'' if host == str(address) else f'at {address}, '}a {kind} " \
                                         "address, which webhooks may not call unless an operator allow-lists it"

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The addresses `host` resolves to now, each allowed; DestinationRefused if it does not resolve or any of
        them is refused. An IPv6 literal may come in URL brackets (`[::1]`)."""
        host = host.removeprefix("[").removesuffix("]")
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise DestinationRefused(f"{host} does not resolve ({error})") from error
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))
        for address in addresses:
            if reason := self.refusal(host, address):
                raise DestinationRefused(reason)
        return addresses

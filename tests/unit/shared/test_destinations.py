"""Webhook destinations (shared/destinations.py): internal addresses refused, by literal or by name, unless an
operator allow-lists a network or a host."""

import ipaddress

import pytest

from shared.destinations import DestinationPolicy, DestinationRefused, internal_kind


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
    ("100.64.0.1", "not globally routable"),  # carrier-grade NAT (RFC 6598)
    ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
    ("8.8.8.8", None), ("223.5.5.5", None), ("2400:3200::1", None),
])
def test_internal_addresses_are_named_and_public_ones_pass(address, kind):
    assert internal_kind(ipaddress.ip_address(address)) == kind


async def test_a_name_resolving_to_loopback_is_refused_like_the_literal():
    policy = DestinationPolicy()
    for host in ("127.0.0.1", "localhost", "::1", "[::1]"):
        with pytest.raises(DestinationRefused, match="loopback"):
            await policy.resolve(host, 80)


async def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(DestinationRefused, match="does not resolve"):
        await DestinationPolicy().resolve("no-such-host.invalid", 443)


async def test_an_allow_listed_network_or_host_passes():
    by_network = DestinationPolicy.of(["127.0.0.0/8"], [])
    assert await by_network.resolve("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(DestinationRefused):
        await by_network.resolve("::1", 80)  # another network
    by_host = DestinationPolicy.of([], ["LocalHost."])
    assert ipaddress.ip_address("127.0.0.1") in await by_host.resolve("localhost", 80)
    with pytest.raises(DestinationRefused):
        await by_host.resolve("127.0.0.1", 80)  # the name is allowed, not the address


def test_a_malformed_network_is_an_error_at_start():
    with pytest.raises(ValueError):
        DestinationPolicy.of(["10.0.0.0/33"], [])

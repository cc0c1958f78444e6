"""The address limits count against: forwarded addresses only from trusted proxies."""

import pytest

from bot.client_address import client_address, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.5", None, "203.0.113.5"),
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),            # not from a proxy: its own claim is ignored
    ("10.1.2.3", "198.51.100.1", "198.51.100.1"),                # from the balancer: the client it saw
    ("10.1.2.3", "1.2.3.4, 198.51.100.1", "198.51.100.1"),       # a client's own X-Forwarded-For is not believed
    ("10.1.2.3", "198.51.100.1, 10.9.9.9", "198.51.100.1"),      # through two proxies
    ("10.1.2.3", "", "10.1.2.3"),
    ("10.1.2.3", "garbage, 10.0.0.2", "garbage"),
    ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    (None, None, "unknown"),
])
def test_client_address(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXIES) == expected


def test_no_trusted_proxies_means_peer_addresses_only():
    assert client_address("10.1.2.3", "198.51.100.1", ()) == "10.1.2.3"


def test_a_bad_setting_is_named():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/8, not-an-address")

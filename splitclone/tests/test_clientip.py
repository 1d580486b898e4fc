import pytest
from django.test import override_settings

from splitclone.clientip import client_address

BALANCER = "10.0.1.17"


def address_of(peer, forwarded_for=None):
    meta = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    address = client_address(meta)
    return address and str(address)


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_NETWORKS=["10.0.0.0/16", "fd00::/8"])
@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        (BALANCER, "198.51.100.7", "198.51.100.7"),
        (BALANCER, " 192.0.2.1 ,198.51.100.7 ", "198.51.100.7"),
        (BALANCER, "2001:db8::7", "2001:db8::7"),
        # A dual-stack socket reports the balancer as ::ffff:10.0.1.17.
        (f"::ffff:{BALANCER}", "198.51.100.7", "198.51.100.7"),
        ("fd00::17", "198.51.100.7", "198.51.100.7"),
        # The balancer always appends; without an entry (a probe from inside) it is the client.
        (BALANCER, None, BALANCER),
        (BALANCER, "", BALANCER),
        # What the balancer appended is not an address: the peer, never the client's part.
        (BALANCER, "198.51.100.7, garbage", BALANCER),
        # Not one of ours: its header is the client's own.
        ("198.51.100.9", "192.0.2.1", "198.51.100.9"),
        ("10.1.0.5", "192.0.2.1", "10.1.0.5"),
        # gunicorn on a unix socket leaves REMOTE_ADDR empty.
        ("", "192.0.2.1", None),
    ],
)
def test_one_proxy_hop(peer, forwarded_for, expected):
    assert address_of(peer, forwarded_for) == expected


@override_settings(TRUSTED_PROXY_COUNT=2, TRUSTED_PROXY_NETWORKS=["10.0.0.0/16"])
def test_two_proxy_hops_take_the_address_the_outer_one_appended():
    assert address_of(BALANCER, "192.0.2.1, 198.51.100.7, 10.0.9.9") == "198.51.100.7"
    # One entry where two proxies each append one: it may be the client's own.
    assert address_of(BALANCER, "192.0.2.1") == BALANCER


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_NETWORKS=["*"])
def test_a_star_trusts_every_peer():
    assert address_of("203.0.113.50", "192.0.2.1, 198.51.100.7") == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXY_NETWORKS=["10.0.0.0/16"])
def test_without_proxy_hops_the_header_never_counts():
    assert address_of(BALANCER, "198.51.100.7") == BALANCER

"""Who is asking: the client's address behind our own proxies, never one the client chose.

Behind the load balancer the TCP peer (REMOTE_ADDR) is the balancer, shared by every user: a
limit keyed on it locks everyone out together. The balancer appends the peer it saw to
X-Forwarded-For, but whatever stands to the left of what our proxies appended was written by the
client and proves nothing. So the header counts only when the peer is one of our proxies
(TRUSTED_PROXY_NETWORKS, the networks gunicorn trusts as well), and then only the entry
TRUSTED_PROXY_COUNT places from its right end, the one the outermost proxy wrote.

Both functions take a request's META or a WSGI environ (the same mapping). Used by allauth's
per-IP rate limits (accounts.adapter), gunicorn's access lines and the /metrics allow-list.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


def parse_address(text):
    """An IP address or None; a dual-stack socket's IPv4 peers (::ffff:a.b.c.d) come out as IPv4."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def peer_address(meta):
    """The TCP peer, which nobody can forge; None on a unix socket (gunicorn leaves it empty)."""
    return parse_address(meta.get("REMOTE_ADDR", ""))


def client_address(meta):
    """The address of the client that sent the request (see the module docstring), or None."""
    peer = peer_address(meta)
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if peer is None or not hops or not forwarded or not is_trusted_proxy(peer):
        return peer
    entries = forwarded.split(",")
    if len(entries) < hops:
        # Fewer entries than our proxies append: some did not, and every entry may be the
        # client's own. The peer is at least not forged.
        return peer
    return parse_address(entries[-hops]) or peer


def is_trusted_proxy(address):
    networks = tuple(settings.TRUSTED_PROXY_NETWORKS)
    # "*" trusts every peer, as in gunicorn: for hosts that only the proxy can reach.
    return "*" in networks or any(address in network for network in parse_networks(networks))


@lru_cache
def parse_networks(networks):
    # Single addresses are /32 or /128 networks; gunicorn refuses to start on a malformed one.
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in networks)

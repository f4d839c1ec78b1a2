"""Which addresses a web page may be fetched from: pure, no lookups (the HTTP client resolves names
and connects to the address chosen here).

A page the user names may be on a private or loopback address (a local mirror); a redirect may
not lead from a public address into one, and no page is ever fetched from a link-local address
(169.254/16, fe80::/10), where cloud metadata services answer.
"""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

AddressKind = Literal["public", "private", "link-local"]


class AddressRefused(Exception):
    """A hop the policy refuses; `typed` when it is the address the user gave."""

    def __init__(self, message: str, typed: bool):
        super().__init__(message)
        self.typed = typed


def address_kind(address: str) -> AddressKind:
    """How far out an address is: link-local, private (loopback, RFC 1918, unique-local and anything
    else not globally routable) or public. An IPv4-mapped IPv6 address counts as its IPv4 one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return "link-local"
    return "public" if ip.is_global else "private"


def allowed_address(url: str, addresses: list[str], came_from: str | None) -> str:
    """The address of `url`'s host (resolved to `addresses`, at least one) to connect to: never a
    link-local one; a private one only when `url` is the address the user typed (`came_from` is
    None) or a redirect from another private address (`came_from`, the previous hop's). Raises
    AddressRefused."""
    kinds = {address: address_kind(address) for address in addresses}
    usable = [a for a in addresses if kinds[a] != "link-local"]
    if came_from is not None and address_kind(came_from) == "public":
        usable = [a for a in usable if kinds[a] == "public"]
    if usable:
        return usable[0]
    host = urlsplit(url).hostname
    shown = str(host) if host in addresses else f"{host} ({', '.join(addresses)})"
    if all(kind == "link-local" for kind in kinds.values()):
        why = f"{shown} is a link-local address, where cloud metadata services answer; kclaims never fetches one"
        raise AddressRefused(why if came_from is None else f"it redirects to {why}", came_from is None)
    raise AddressRefused(f"a public site redirected to {shown}, a private address, and kclaims follows no redirect "
                         f"from a public address into a private network; a private address you type yourself (a "
                         f"local mirror) is fetched, so if you trust {host}, give its address directly", False)

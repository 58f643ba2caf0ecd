"""Addresses a merchant types (a self-hosted Chatwoot, their own mail server) are reached from inside
Forewarn's network: refuse the ones that lead back into it — loopback, private, link-local (cloud metadata),
shared and reserved ranges — so the connect form cannot be used to probe it. An operator whose merchants run
helpdesks on a private network opts in with FOREWARN_ALLOW_PRIVATE_NETWORK."""
from __future__ import annotations

import ipaddress
import socket

from core.errors import Unauthorized


def check_host(host: str | None, *, allow_private: bool = False) -> None:
    """Raise Unauthorized when `host` is, or resolves to, an address that is not on the public internet."""
    if allow_private or not host:
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return  # it resolves to nothing: the call itself fails, and reaches nothing
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise Unauthorized(f"{host} is on a private or local network ({address}); Forewarn only connects to "
                               "addresses on the public internet")

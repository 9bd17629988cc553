"""Forwarded headers are believed only from the reverse proxies we configured.

`X-Forwarded-For` decides the client address that rate limits count, and
`X-Forwarded-Proto` the scheme of absolute links. Werkzeug's ProxyFix believes them from
anyone; gunicorn reachable without the proxy would then let a caller pick any address
and bypass the per-address limits. Here a request's headers go through ProxyFix only
when the TCP peer (REMOTE_ADDR) is one of `FORWARDED_ALLOW_IPS` (addresses or networks,
gunicorn's name for the same setting); from anyone else they are removed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_FORWARDED",
)


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """ "127.0.0.1, ::1, 10.0.0.0/24" → networks; ValueError on a bad entry."""
    return [
        ipaddress.ip_network(item.strip(), strict=False) for item in text.split(",") if item.strip()
    ]


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from the trusted proxies, none for others."""

    def __init__(self, app: WSGIApplication, count: int, allowed: str) -> None:
        self.app = app
        self.networks = parse_networks(allowed)
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count)

    def trusted(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address((peer or "").split("%")[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for header in FORWARDED_HEADERS:
            environ.pop(header, None)
        return self.app(environ, start_response)

"""Proxy settings: MTProxy, SOCKS5 and HTTP CONNECT, and the links Telegram shares them with.

Links, as the apps accept them (``tg://`` or ``https://t.me/``, also
``telegram.me``):

* ``tg://proxy?server=HOST&port=PORT&secret=SECRET`` — an MTProxy; the secret
  is hex or base64 (URL-safe or standard), and its kind (plain, ``dd``, ``ee``
  with a domain) is read from its bytes (:class:`MTProxySecret`);
* ``tg://socks?server=HOST&port=PORT&user=USER&pass=PASS`` — a SOCKS5 proxy.

These are settings only: the connection is opened by the client (SOCKS5 and
HTTP CONNECT through python-socks, MTProxy with :mod:`tlruntime.transports.mtproxy`).
"""

from __future__ import annotations

import ipaddress
import os
import time
from dataclasses import dataclass
from typing import Final, TypeAlias
from urllib.parse import parse_qs, urlsplit

from ..errors import TLError
from ..transports.base import RandomBytes
from ..transports.events import DEFAULT_MAX_FRAME_SIZE
from ..transports.fake_tls import Clock, FakeTlsClientHandshake
from ..transports.mtproxy import mtproxy_client_codec
from ..transports.obfuscated import Obfuscated2
from ..transports.proxy_secret import MTProxySecret, ProxySecretError

__all__ = ["HttpProxy", "MTProxy", "ProxyLinkError", "ProxySetting", "Socks5Proxy", "parse_proxy_link"]

_T_ME_HOSTS: Final = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"})
_MAX_HOST: Final = 253


class ProxyLinkError(TLError, ValueError):
    """A proxy link or setting that cannot be used: names the link and what is wrong."""


def _check_host(host: object) -> str:
    if not isinstance(host, str) or not host:
        raise ProxyLinkError("proxy server is missing")
    if len(host) > _MAX_HOST:
        raise ProxyLinkError(f"proxy server name of {len(host)} characters is too long")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not all(label and len(label) <= 63 and all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in label)
               for label in labels):  # fmt: skip
        raise ProxyLinkError(f"proxy server {host!r} is neither an IP address nor a host name")
    return host


def _check_port(port: object) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ProxyLinkError(f"proxy port {port!r} is outside 1..65535")
    return port


@dataclass(frozen=True, slots=True)
class MTProxy:
    """An MTProxy: where it listens and its secret (kind ``plain``, ``dd`` or ``ee``)."""

    host: str
    port: int
    secret: MTProxySecret

    def __post_init__(self) -> None:
        _check_host(self.host)
        _check_port(self.port)

    @property
    def fake_tls(self) -> bool:
        return self.secret.kind == "ee"

    def to_link(self) -> str:
        return f"tg://proxy?server={self.host}&port={self.port}&secret={self.secret.hex()}"

    def client_opening(
        self,
        dc_id: int,
        *,
        clock: Clock = time.time,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> Obfuscated2 | FakeTlsClientHandshake:
        """What a client connection to this proxy starts with, for DC ``dc_id``.

        A plain or ``dd`` secret gives the codec itself (write its
        ``initial_bytes()`` then frames); an ``ee`` secret gives the fake-TLS
        handshake (write ``client_hello``, feed the answer until it yields the codec).
        """
        if self.secret.kind == "ee":
            return FakeTlsClientHandshake(
                self.secret, dc_id=dc_id, clock=clock, max_frame_size=max_frame_size, random_bytes=random_bytes
            )
        return mtproxy_client_codec(
            self.secret, dc_id=dc_id, max_frame_size=max_frame_size, random_bytes=random_bytes
        )


@dataclass(frozen=True, slots=True)
class Socks5Proxy:
    """A SOCKS5 proxy; ``rdns`` resolves host names at the proxy (python-socks' option of that name)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    rdns: bool = True

    def __post_init__(self) -> None:
        _check_host(self.host)
        _check_port(self.port)
        if (self.username is None) != (self.password is None):
            raise ProxyLinkError("SOCKS5 username and password go together")

    def to_link(self) -> str:
        credentials = f"&user={self.username}&pass={self.password}" if self.username is not None else ""
        return f"tg://socks?server={self.host}&port={self.port}{credentials}"


@dataclass(frozen=True, slots=True)
class HttpProxy:
    """An HTTP proxy reached with ``CONNECT`` (optionally with basic authentication)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def __post_init__(self) -> None:
        _check_host(self.host)
        _check_port(self.port)
        if (self.username is None) != (self.password is None):
            raise ProxyLinkError("HTTP proxy username and password go together")


ProxySetting: TypeAlias = MTProxy | Socks5Proxy | HttpProxy


def parse_proxy_link(link: str) -> MTProxy | Socks5Proxy:
    """Parse a ``tg://proxy``, ``tg://socks`` or ``https://t.me/proxy|socks`` link into a setting."""
    if not isinstance(link, str):
        raise ProxyLinkError(f"a proxy link is text, got {type(link).__name__}")
    parts = urlsplit(link.strip())
    scheme = parts.scheme.lower()
    if scheme == "tg":
        kind = parts.netloc.lower() or parts.path.strip("/").lower()
    elif scheme in ("https", "http") and parts.netloc.lower() in _T_ME_HOSTS:
        kind = parts.path.strip("/").lower()
    else:
        raise ProxyLinkError(f"{link!r} is not a tg:// or t.me proxy link")
    query = parse_qs(parts.query, keep_blank_values=True)
    repeated = sorted(name for name, values in query.items() if len(values) > 1)
    if repeated:
        raise ProxyLinkError(f"proxy link repeats {', '.join(repeated)}")
    params = {name: values[0] for name, values in query.items()}

    def port() -> int:
        text = params.get("port")
        if text is None or not text.isdigit():
            raise ProxyLinkError(f"proxy link port {text!r} is not a number")
        return _check_port(int(text))

    if kind == "proxy":
        secret_text = params.get("secret")
        if not secret_text:
            raise ProxyLinkError("MTProxy link has no secret")
        try:
            secret = MTProxySecret.parse(secret_text)
        except ProxySecretError as exc:
            raise ProxyLinkError(f"MTProxy link secret: {exc}") from None
        return MTProxy(_check_host(params.get("server")), port(), secret)
    if kind == "socks":
        user, password = params.get("user"), params.get("pass")
        if (user is None) != (password is None):
            raise ProxyLinkError("SOCKS5 link gives only one of user and pass")
        return Socks5Proxy(_check_host(params.get("server")), port(), user, password)
    raise ProxyLinkError(f"{link!r} is neither a proxy nor a socks link")

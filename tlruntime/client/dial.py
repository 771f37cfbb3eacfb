"""Where the client's TCP connections are opened: directly, through a SOCKS5 or HTTP proxy, or to an MTProxy.

Every client socket is opened by :func:`dial` (through :func:`open_socket`),
and nowhere else, so every route goes through the client's one reconnect
policy: a proxy that is down, refuses our credentials or cannot reach the
DC raises an ``OSError`` or a :class:`~tlruntime.errors.TransportError`
(:class:`ProxyConnectError`, :class:`~tlruntime.transports.proxy_secret.MTProxyRefusedError`),
which :class:`~tlruntime.client.Client` retries like any failed connection.

Routes:

* no proxy: TCP to ``host:port``, then the client's transport;
* :class:`~tlruntime.telegram.proxy.Socks5Proxy` / :class:`~tlruntime.telegram.proxy.HttpProxy`:
  python-socks opens the tunnel to ``host:port`` (SOCKS5 or ``CONNECT``), then the client's transport;
* :class:`~tlruntime.telegram.proxy.MTProxy`: TCP to the proxy; ``host:port`` are not dialled, the
  DC id in the obfuscated2 header tells the proxy where to relay.  The transport is the one MTProxy
  speaks, whatever the client was configured with: obfuscated2 over padded intermediate keyed by
  the secret (plain and ``dd`` secrets), inside fake TLS for ``ee`` secrets, where the ClientHello
  goes out first and the ServerHello must prove the secret before any MTProto byte is sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import TransportError
from ..telegram.proxy import HttpProxy, MTProxy, ProxyLinkError, ProxySetting, Socks5Proxy, parse_proxy_link
from ..transports import Frame, TransportCodec
from ..transports.fake_tls import FakeTlsClientHandshake
from ..transports.proxy_secret import MTProxyRefusedError

__all__ = ["Dialed", "ProxyConnectError", "ProxyLike", "describe_route", "dial", "open_socket", "proxy_setting"]

ProxyLike = ProxySetting | str
"""A proxy setting, or a link/URL naming one (see :func:`proxy_setting`)."""

_RECEIVE_SIZE = 65536


class ProxyConnectError(TransportError):
    """A SOCKS5 or HTTP proxy failed to open the tunnel (refused our credentials, could not reach the DC...)."""


def proxy_setting(value: ProxyLike | None) -> ProxySetting | None:
    """The proxy setting ``value`` names.

    Accepts a setting as is; a ``tg://proxy``, ``tg://socks`` or
    ``https://t.me/proxy|socks`` link (:func:`~tlruntime.telegram.parse_proxy_link`);
    or a ``socks5://[user:pass@]host:port`` or ``http://[user:pass@]host:port`` URL.
    Raises :class:`~tlruntime.telegram.proxy.ProxyLinkError` for anything else.
    """
    if value is None or isinstance(value, (MTProxy, Socks5Proxy, HttpProxy)):
        return value
    if not isinstance(value, str):
        raise ProxyLinkError(
            f"proxy must be an MTProxy, Socks5Proxy or HttpProxy setting or a link, got {type(value).__name__}"
        )
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("socks5", "socks5h", "http") or (parts.hostname or "").lower() in ("t.me", "telegram.me"):
        return parse_proxy_link(value)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyLinkError(f"{value!r}: a proxy URL is scheme://[user:pass@]host:port, nothing after the port")
    try:
        port = parts.port
    except ValueError:
        raise ProxyLinkError(f"{value!r}: the port is not a number within 1..65535") from None
    if port is None:
        raise ProxyLinkError(f"{value!r}: a proxy URL needs the port")
    host = parts.hostname or ""
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if (user is None) != (password is None):
        raise ProxyLinkError(f"{value!r}: give both user and password, or neither")
    if scheme == "http":
        return HttpProxy(host, port, user, password)
    # As curl reads them: socks5:// resolves the name here, socks5h:// at the proxy.
    return Socks5Proxy(host, port, user, password, rdns=scheme == "socks5h")


def describe_route(host: str, port: int, proxy: ProxySetting | None) -> str:
    """``host:port``, and the proxy it goes through (for logs and :class:`ConnectionLostError`)."""
    if proxy is None:
        return f"{host}:{port}"
    if isinstance(proxy, MTProxy):
        return f"MTProxy {proxy.host}:{proxy.port} ({proxy.secret.kind} secret)"
    kind = "SOCKS5" if isinstance(proxy, Socks5Proxy) else "HTTP"
    return f"{host}:{port} via {kind} proxy {proxy.host}:{proxy.port}"


async def _tcp_socket(host: str, port: int) -> socket.socket:
    """A connected non-blocking TCP socket to ``host:port`` (each resolved address tried in turn)."""
    loop = asyncio.get_running_loop()
    try:  # an IP literal (the usual DC address) needs no resolver thread
        version = ipaddress.ip_address(host).version
        addresses: list[tuple[int, Any]] = [(socket.AF_INET6 if version == 6 else socket.AF_INET, (host, port))]
    except ValueError:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [(info[0], info[4]) for info in infos]
    last: OSError | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
            return sock
        except OSError as error:
            sock.close()
            last = error
        except BaseException:
            sock.close()
            raise
    raise last if last is not None else OSError(f"{host!r} resolves to no address")


async def _tunnel(host: str, port: int, proxy: Socks5Proxy | HttpProxy, timeout: float | None) -> socket.socket:
    """A socket tunnelled to ``host:port`` by python-socks (SOCKS5 or HTTP ``CONNECT``)."""
    from python_socks import ProxyError, ProxyTimeoutError, ProxyType
    from python_socks.async_.asyncio import Proxy

    socks = isinstance(proxy, Socks5Proxy)
    client = Proxy(
        ProxyType.SOCKS5 if socks else ProxyType.HTTP,
        proxy.host,
        proxy.port,
        username=proxy.username,
        password=proxy.password,
        rdns=proxy.rdns if isinstance(proxy, Socks5Proxy) else None,
        loop=asyncio.get_running_loop(),
    )
    name = f"{'SOCKS5' if socks else 'HTTP'} proxy {proxy.host}:{proxy.port}"
    try:
        return await client.connect(host, port, timeout=timeout)
    except ProxyTimeoutError as error:
        raise asyncio.TimeoutError(f"{name} did not open the tunnel within {timeout} s") from error
    except ProxyError as error:
        raise ProxyConnectError(f"{name} refused the tunnel to {host}:{port}: {error}") from error
    except OSError as error:  # python-socks' ProxyConnectionError: the proxy itself is unreachable
        raise ConnectionRefusedError(error.errno, f"{name} is unreachable: {error}") from error


async def open_socket(host: str, port: int, proxy: ProxySetting | None = None, *, timeout: float | None = None) -> socket.socket:
    """The one place a client socket is opened: to ``host:port`` directly or through ``proxy``.

    For an :class:`MTProxy` the socket goes to the proxy (see :func:`dial` for what is sent first).
    """
    if proxy is None:
        return await _tcp_socket(host, port)
    if isinstance(proxy, MTProxy):
        return await _tcp_socket(proxy.host, proxy.port)
    return await _tunnel(host, port, proxy, timeout)


@dataclass(slots=True)
class Dialed:
    """A connected socket, the codec to speak on it, and frames that already arrived (rare)."""

    sock: socket.socket
    codec: TransportCodec
    early_frames: list[bytes]


async def _fake_tls_opening(sock: socket.socket, handshake: FakeTlsClientHandshake, proxy: MTProxy) -> Dialed:
    """Send the ClientHello, wait for the ServerHello flight and check it proves the secret."""
    loop = asyncio.get_running_loop()
    await loop.sock_sendall(sock, handshake.client_hello)
    while True:
        chunk = await loop.sock_recv(sock, _RECEIVE_SIZE)
        if not chunk:
            raise MTProxyRefusedError(
                f"MTProxy {proxy.host}:{proxy.port} closed the connection without answering our fake-TLS "
                "ClientHello (wrong secret or domain, a clock minutes off, or a hello it has seen before)"
            )
        ready = handshake.feed(chunk)  # FakeTlsServerHelloError when the answer does not prove the secret
        if ready is not None:
            frames = [event.payload for event in ready.events if type(event) is Frame]
            return Dialed(sock, ready.codec, frames)


async def dial(
    host: str,
    port: int,
    *,
    proxy: ProxySetting | None,
    dc_id: int,
    make_codec: Callable[[], TransportCodec],
    timeout: float | None = None,
    clock: Callable[[], float] = time.time,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> Dialed:
    """Open the socket and go through what the route needs before MTProto frames can flow.

    ``make_codec`` gives the client's own transport (not used for an MTProxy,
    which has its own, keyed by its secret, with ``dc_id`` in the header).
    ``timeout`` bounds python-socks' negotiation; the caller bounds the whole.
    """
    sock = await open_socket(host, port, proxy, timeout=timeout)
    try:
        # asyncio sets TCP_NODELAY only on sockets created with proto IPPROTO_TCP (python-socks' are
        # proto 0): without it a small write waits for the peer's delayed ACK (40 ms on Linux).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not isinstance(proxy, MTProxy):
            return Dialed(sock, make_codec(), [])
        opening = proxy.client_opening(dc_id, clock=clock, random_bytes=random_bytes)
        if isinstance(opening, FakeTlsClientHandshake):
            return await _fake_tls_opening(sock, opening, proxy)
        return Dialed(sock, opening, [])
    except BaseException:
        sock.close()
        raise

"""MTProxy mode of a server endpoint: every connection must open as an MTProxy client with our secret.

A server in this mode is what Telegram's MTProxy is to the apps: clients
configured with ``tg://proxy?...&secret=dd...`` (obfuscated2 keyed by the
secret, padded intermediate inside) or ``ee...`` (the same inside fake TLS)
reach it, anything else is refused.  Unlike MTProxy it relays nowhere: it
*is* the DC, so the DC id in the client's header is only recorded (exposed as
:attr:`EndpointConnection.dc_id <tlruntime.endpoint.EndpointConnection.dc_id>`
for a multi-DC server to route by).

One :class:`MTProxyGate` per server holds the one
:class:`~tlruntime.transports.fake_tls.FakeTlsHelloVerifier` all connections
share (its replay cache must see every hello) and counts refusals by kind.
Sans-IO like the rest of the endpoint.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Final, Literal

from ..transports.events import DEFAULT_MAX_FRAME_SIZE, BytesLike
from ..transports.fake_tls import FakeTlsHelloVerifier, ReplayCache
from ..transports.mtproxy import MTProxyAcceptor
from ..transports.proxy_secret import MTProxySecret, ProxySecretError

__all__ = ["MTProxyGate", "DEFAULT_LINK_DOMAIN"]

#: The fake-TLS domain put in ``ee`` links when the server was given none (it then accepts any SNI).
DEFAULT_LINK_DOMAIN: Final = "localhost"


class MTProxyGate:
    """The secret, the shared hello verifier and the refusal counts of one MTProxy-mode server.

    ``secret`` is the 16-byte key in any textual form :meth:`MTProxySecret.parse`
    reads (plain, ``dd`` or ``ee`` + domain; only the key matters to the
    server).  ``domain``, or the domain of an ``ee`` secret, makes the server
    refuse fake-TLS hellos for any other host name (SNI), as MTProxy's ``-D``
    does; without one any SNI is accepted.
    """

    def __init__(
        self,
        secret: MTProxySecret | BytesLike | str,
        *,
        domain: str | None = None,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        replay_cache: ReplayCache | None = None,
    ) -> None:
        parsed = secret if isinstance(secret, MTProxySecret) else MTProxySecret.parse(secret)
        if domain is None:
            domain = parsed.domain
        elif not isinstance(domain, str):
            raise ProxySecretError(f"proxy domain is a host name, got {type(domain).__name__}")
        self.key = parsed.key
        self.domain = domain
        # Building the ee form validates the domain (a typed ProxySecretError for a bad one).
        self._ee = MTProxySecret("ee", self.key, domain if domain is not None else DEFAULT_LINK_DOMAIN)
        checked = MTProxySecret("ee", self.key, domain) if domain is not None else MTProxySecret("dd", self.key)
        self.verifier = FakeTlsHelloVerifier(checked, clock=clock, replay_cache=replay_cache)
        self._max_frame_size = max_frame_size
        self._random_bytes = random_bytes
        self.refusals: Counter[str] = Counter()
        """Refused openings by error type (``MTProxyRefusedError``, ``FakeTlsReplayError``, ...)."""

    def secret(self, kind: Literal["dd", "ee"] = "dd") -> MTProxySecret:
        """The secret clients put in their setting: ``dd`` + key, or ``ee`` + key + domain."""
        if kind == "ee":
            return self._ee
        if kind == "dd":
            return MTProxySecret("dd", self.key)
        raise ProxySecretError(f"secret kind is 'dd' or 'ee', got {kind!r}")

    def link(self, host: str, port: int, kind: Literal["dd", "ee"] = "dd") -> str:
        """A ``tg://proxy`` link a client (ours, Telethon, the apps) can be given."""
        return f"tg://proxy?server={host}&port={port}&secret={self.secret(kind).hex()}"

    def acceptor(self) -> MTProxyAcceptor:
        """A fresh acceptor for one connection, sharing this gate's verifier (dd and ee clients)."""
        return MTProxyAcceptor(
            self._ee,
            verifier=self.verifier,
            max_frame_size=self._max_frame_size,
            random_bytes=self._random_bytes,
        )

    def refused(self, error: BaseException) -> None:
        self.refusals[type(error).__name__] += 1

"""MTProxy codecs: the ``dd`` client codec and the server-side acceptor for ``dd`` and ``ee`` clients.

Secrets are read by :class:`~tlruntime.transports.proxy_secret.MTProxySecret`
(plain 16 bytes, ``dd`` + 16, ``ee`` + 16 + domain).  In every kind each
obfuscated2 key is ``SHA256(key_part + secret16)``.

The acceptor is what an MTProxy-mode server puts in front of its transports:
fed the first bytes of a connection, it recognises a TLS ClientHello (fake
TLS, :mod:`.fake_tls`) or a 64-byte obfuscated2 header keyed by the secret,
refuses anything else (plain transports, wrong secrets, replayed or stale
hellos) with a typed error, and hands back the server codec and the bytes to
write first.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from ..errors import TransportError
from .base import RandomBytes, TransportCodec
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event
from .fake_tls import (
    FakeTlsHelloError,
    FakeTlsHelloVerifier,
    FakeTlsServerCodec,
    client_hello_length,
    server_hello_flight,
)
from .intermediate import PaddedIntermediate
from .obfuscated import HEADER_SIZE, Obfuscated2, inner_codec_for_tag
from .proxy_secret import MTProxyRefusedError, MTProxySecret, ProxySecretError, SecretKind

__all__ = [
    "MTProxySecret",
    "SecretKind",
    "ProxySecretError",
    "MTProxyRefusedError",
    "MTProxyAcceptance",
    "MTProxyAcceptor",
    "mtproxy_client_codec",
]

def mtproxy_client_codec(
    secret: MTProxySecret | BytesLike | str,
    *,
    dc_id: int,
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    random_bytes: RandomBytes = os.urandom,
) -> Obfuscated2:
    """Client codec for a plain or ``dd`` proxy: obfuscated2 over padded intermediate, keyed by the secret.

    Padded intermediate is used for plain secrets too (every MTProxy accepts it).
    The DC id in the header tells the proxy where to relay; a negative id asks
    for the DC's media endpoints, as MTProxy reads it.  ``ee`` secrets need
    :class:`~tlruntime.transports.fake_tls.FakeTlsClientHandshake`.
    """
    parsed = secret if isinstance(secret, MTProxySecret) else MTProxySecret.parse(secret)
    if parsed.kind == "ee":
        raise ProxySecretError("an ee secret needs the fake-TLS handshake (transports.fake_tls), not this codec")
    inner = PaddedIntermediate("client", max_frame_size=max_frame_size, random_bytes=random_bytes)
    return Obfuscated2(inner, secret=parsed.key, dc_id=dc_id, random_bytes=random_bytes)


def _decrypted_tag(header: bytes, key: bytes) -> bytes:
    """The 4 protocol-tag bytes of an obfuscated2 header, decrypted with the client's secret-mixed key."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    cipher_key = hashlib.sha256(header[8:40] + key).digest()
    decryptor = Cipher(algorithms.AES(cipher_key), modes.CTR(header[40:56])).encryptor()
    return decryptor.update(header)[56:60]


AcceptedKind: TypeAlias = Literal["obfuscated2", "fake-tls"]


@dataclass(frozen=True, slots=True)
class MTProxyAcceptance:
    """What the acceptor decided: the server codec, bytes to write at once, events already decoded."""

    kind: AcceptedKind
    codec: TransportCodec
    reply: bytes
    events: list[Event]


_TLS_HANDSHAKE_START: Final = b"\x16\x03\x01"
_OBFUSCATION_TAGS: Final = frozenset({b"\xef\xef\xef\xef", b"\xee\xee\xee\xee", b"\xdd\xdd\xdd\xdd"})


class MTProxyAcceptor:
    """Server side of one MTProxy connection: feed its first bytes until it decides.

    ``secret`` is the proxy's 16-byte key (any of the three textual kinds is
    accepted; only the key matters to the server).  ``allow`` lists the client
    modes served: ``"dd"`` (obfuscated2 with padded intermediate),
    ``"ee"`` (fake TLS), and ``"plain-obfuscated"`` (obfuscated2 over abridged
    or intermediate, which old clients send with a 16-byte secret; off by
    default, as padded-only MTProxies do).  It defaults to dd and, when a
    ``verifier`` is given, ee.

    Fake TLS needs ``verifier``: the server's one
    :class:`~tlruntime.transports.fake_tls.FakeTlsHelloVerifier`, shared by all
    its connections, since it holds the replay cache (a verifier per connection
    could never see a replay, so none is made implicitly).
    """

    def __init__(
        self,
        secret: MTProxySecret | BytesLike | str,
        *,
        allow: frozenset[str] | None = None,
        verifier: FakeTlsHelloVerifier | None = None,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        parsed = secret if isinstance(secret, MTProxySecret) else MTProxySecret.parse(secret)
        if allow is None:
            allow = frozenset({"dd", "ee"}) if verifier is not None else frozenset({"dd"})
        if "ee" in allow and verifier is None:
            raise TransportError(
                "MTProxyAcceptor: serving ee (fake-TLS) clients needs the server's shared FakeTlsHelloVerifier, "
                "which holds the replay cache"
            )
        unknown = set(allow) - {"dd", "ee", "plain-obfuscated"}
        if unknown or not allow:
            raise TransportError(
                f"MTProxyAcceptor: allow must name dd, ee and/or plain-obfuscated, got {sorted(allow)}"
            )
        if verifier is not None and verifier.secret.key != parsed.key:
            raise TransportError("MTProxyAcceptor: the verifier checks hellos against another secret")
        self._secret = parsed
        self._allow = frozenset(allow)
        self._verifier = verifier
        self._max_frame_size = max_frame_size
        self._random_bytes = random_bytes
        self._buffer = bytearray()
        self._done = False
        self._fake_tls = False

    @property
    def secret(self) -> MTProxySecret:
        return self._secret

    @property
    def buffered(self) -> int:
        """Opening bytes held until the acceptor decides (a server counts them against its buffer cap)."""
        return len(self._buffer)

    def feed(self, data: BytesLike) -> MTProxyAcceptance | None:
        """Buffer ``data``; return None while undecided, then one :class:`MTProxyAcceptance`."""
        if self._done:
            raise TransportError("MTProxyAcceptor already decided: feed the accepted codec instead")
        self._buffer += data
        buffer = self._buffer
        if self._fake_tls:
            return self._accept_fake_tls()
        if len(buffer) < HEADER_SIZE:  # any ClientHello is longer than an obfuscated2 header
            return None
        header = bytes(buffer[:HEADER_SIZE])
        if header[:3] == _TLS_HANDSHAKE_START and _decrypted_tag(header, self._secret.key) not in _OBFUSCATION_TAGS:
            # A random obfuscated2 header opens like a TLS record once in 2^24 connections; its
            # tag, decrypted with the secret, tells them apart (a hello passes that test once in 2^32).
            self._fake_tls = True
            return self._accept_fake_tls()
        return self._accept_obfuscated()

    def _finish(self, acceptance: MTProxyAcceptance) -> MTProxyAcceptance:
        self._done = True
        self._buffer.clear()
        return acceptance

    def _accept_obfuscated(self) -> MTProxyAcceptance:
        header = bytes(self._buffer[:HEADER_SIZE])
        rest = bytes(self._buffer[HEADER_SIZE:])
        self._done = True  # a refused header never gets a second chance on this connection
        tag = _decrypted_tag(header, self._secret.key)
        try:
            inner_class = inner_codec_for_tag(tag)
        except TransportError:
            raise MTProxyRefusedError(
                "MTProxy: the 64-byte header does not decrypt to a protocol tag with this secret "
                "(wrong secret, or not an MTProxy client)"
            ) from None
        padded = inner_class is PaddedIntermediate
        if padded and "dd" not in self._allow or not padded and "plain-obfuscated" not in self._allow:
            raise MTProxyRefusedError(
                f"MTProxy: a client framing with {inner_class.name} is not served here (allowed: {sorted(self._allow)})"
            )
        inner = inner_class("server", max_frame_size=self._max_frame_size, random_bytes=self._random_bytes)
        codec = Obfuscated2(inner, header=header, secret=self._secret.key)
        return self._finish(MTProxyAcceptance("obfuscated2", codec, b"", codec.feed(rest) if rest else []))

    def _accept_fake_tls(self) -> MTProxyAcceptance | None:
        if "ee" not in self._allow:
            self._done = True
            raise MTProxyRefusedError("MTProxy: fake-TLS clients are not served here")
        verifier = self._verifier
        if verifier is None:  # unreachable: __init__ allows "ee" only with a verifier
            raise TransportError("MTProxyAcceptor: no fake-TLS verifier")
        self._done = True  # until proven incomplete: a refused opening never gets a second chance
        hello_length = client_hello_length(self._buffer)
        if hello_length is None or len(self._buffer) < hello_length:
            self._done = False
            return None
        hello = bytes(self._buffer[:hello_length])
        rest = bytes(self._buffer[hello_length:])
        if rest:
            # MTProxy refuses data sent before its ServerHello: a real TLS client waits for it.
            raise FakeTlsHelloError("fake TLS: data arrived before the ServerHello was sent")
        accepted = verifier.verify(hello)
        reply = server_hello_flight(accepted, self._secret.key, self._random_bytes)
        codec = FakeTlsServerCodec(
            self._secret.key, max_frame_size=self._max_frame_size, random_bytes=self._random_bytes
        )
        return self._finish(MTProxyAcceptance("fake-tls", codec, reply, []))

"""MTProxy: secrets, the ``dd`` client codec and the server-side acceptor for ``dd`` and ``ee`` clients.

A proxy secret comes in three kinds (/mtproto/mtproto-transports, "Transport
obfuscation"; the kinds are told apart by the first byte):

* plain: 16 bytes — obfuscated2 over any framing, keys mixed with the secret;
* ``dd`` + 16 bytes — the same, but the client must use padded intermediate;
* ``ee`` + 16 bytes + domain — fake TLS (:mod:`.fake_tls`): the obfuscated2
  stream travels inside TLS records after a ClientHello for ``domain``.

In every kind each obfuscated2 key is ``SHA256(key_part + secret16)``.

The acceptor is what an MTProxy-mode server puts in front of its transports:
fed the first bytes of a connection, it recognises a TLS ClientHello (fake
TLS) or a 64-byte obfuscated2 header keyed by the secret, refuses anything else
(plain transports, wrong secrets, replayed or stale hellos) with a typed error,
and hands back the server codec and the bytes to write first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from ..errors import TransportError
from .base import RandomBytes, TransportCodec
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event
from .intermediate import PaddedIntermediate
from .obfuscated import HEADER_SIZE, Obfuscated2, inner_codec_for_tag

if TYPE_CHECKING:
    from .fake_tls import FakeTlsHelloVerifier

__all__ = [
    "MTProxySecret",
    "SecretKind",
    "ProxySecretError",
    "MTProxyRefusedError",
    "MTProxyAcceptance",
    "MTProxyAcceptor",
    "mtproxy_client_codec",
]

SecretKind: TypeAlias = Literal["plain", "dd", "ee"]

KEY_SIZE: Final = 16
_MAX_DOMAIN: Final = 253  # longest DNS name
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")


class ProxySecretError(TransportError, ValueError):
    """An MTProxy secret that is neither 16 bytes, ``dd`` + 16 bytes nor ``ee`` + 16 bytes + domain."""


class MTProxyRefusedError(TransportError):
    """The acceptor refused a connection: not a client of this proxy (wrong secret, plain transport...)."""


@dataclass(frozen=True, slots=True)
class MTProxySecret:
    """A parsed MTProxy secret: its kind, the 16-byte key, and for ``ee`` the fake-TLS domain."""

    kind: SecretKind
    key: bytes
    domain: str | None = None

    def __post_init__(self) -> None:
        if len(self.key) != KEY_SIZE:
            raise ProxySecretError(f"MTProxy key must be {KEY_SIZE} bytes, got {len(self.key)}")
        if (self.kind == "ee") != (self.domain is not None):
            raise ProxySecretError("a domain goes with, and only with, an ee (fake-TLS) secret")
        if self.domain is not None:
            _check_domain(self.domain.encode("ascii", "replace"))

    @classmethod
    def parse(cls, secret: BytesLike | str) -> MTProxySecret:
        """Read a secret given as raw bytes, hex text or (URL-safe or standard) base64 text."""
        if not isinstance(secret, str):
            return cls._from_bytes(bytes(secret))
        candidates = _secret_candidates(secret)
        for raw in candidates[:-1]:
            try:
                return cls._from_bytes(raw)
            except ProxySecretError:
                pass  # hex digits can also be base64 text: try the next reading
        return cls._from_bytes(candidates[-1])

    @classmethod
    def _from_bytes(cls, raw: bytes) -> MTProxySecret:
        if len(raw) == KEY_SIZE:
            return cls("plain", raw)
        if raw[:1] == b"\xdd":
            if len(raw) != 1 + KEY_SIZE:
                raise ProxySecretError(f"a dd secret is 0xdd + {KEY_SIZE} bytes, got {len(raw)} bytes")
            return cls("dd", raw[1:])
        if raw[:1] == b"\xee":
            domain = raw[1 + KEY_SIZE :]
            if len(raw) < 1 + KEY_SIZE or not domain:
                raise ProxySecretError(f"an ee secret is 0xee + {KEY_SIZE} bytes + a domain, got {len(raw)} bytes")
            _check_domain(domain)
            return cls("ee", raw[1 : 1 + KEY_SIZE], domain.decode("ascii"))
        raise ProxySecretError(
            f"MTProxy secret of {len(raw)} bytes starting with {raw[:1].hex() or 'nothing'}: expected "
            f"{KEY_SIZE} bytes, dd + {KEY_SIZE} bytes or ee + {KEY_SIZE} bytes + domain"
        )

    def to_bytes(self) -> bytes:
        """The secret as a proxy link carries it (prefix, key, domain)."""
        prefix = {"plain": b"", "dd": b"\xdd", "ee": b"\xee"}[self.kind]
        return prefix + self.key + (self.domain.encode("ascii") if self.domain else b"")

    def hex(self) -> str:
        return self.to_bytes().hex()


def _check_domain(domain: bytes) -> None:
    if len(domain) > _MAX_DOMAIN:
        raise ProxySecretError(f"fake-TLS domain of {len(domain)} bytes is longer than {_MAX_DOMAIN}")
    try:
        text = domain.decode("ascii")
    except UnicodeDecodeError:
        raise ProxySecretError("fake-TLS domain is not ASCII") from None
    if not text or not all(ch.isalnum() or ch in "-." for ch in text):
        raise ProxySecretError(f"fake-TLS domain {text!r} is not a host name")


def _secret_candidates(text: str) -> list[bytes]:
    """The byte strings ``text`` can mean, most likely first: hex (when it is all hex digits), then base64.

    Base64 may be URL-safe or standard, padded or not.  Raises when neither reading works.
    """
    text = text.strip()
    if not text:
        raise ProxySecretError("empty MTProxy secret")
    readings = []
    if len(text) % 2 == 0 and set(text) <= _HEX_DIGITS:
        readings.append(bytes.fromhex(text))
    standard = text.replace("-", "+").replace("_", "/")
    try:
        readings.append(base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True))
    except (binascii.Error, ValueError):
        pass
    if not readings:
        raise ProxySecretError(f"MTProxy secret {text[:12]!r}... is neither hex nor base64")
    return readings


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


Clock = Callable[[], float]

_TLS_HANDSHAKE_START: Final = b"\x16\x03\x01"


class MTProxyAcceptor:
    """Server side of one MTProxy connection: feed its first bytes until it decides.

    ``secret`` is the proxy's 16-byte key (any of the three textual kinds is
    accepted; only the key matters to the server).  ``allow`` lists the client
    modes served: ``"dd"`` (obfuscated2 with padded intermediate),
    ``"ee"`` (fake TLS), and ``"plain-obfuscated"`` (obfuscated2 over abridged
    or intermediate, which old clients send with a 16-byte secret; off by
    default, as padded-only MTProxies do).  Fake-TLS checks (digest, time
    window, replay, SNI) follow :class:`~tlruntime.transports.fake_tls.FakeTlsHelloVerifier`.
    """

    def __init__(
        self,
        secret: MTProxySecret | BytesLike | str,
        *,
        allow: frozenset[str] = frozenset({"dd", "ee"}),
        verifier: FakeTlsHelloVerifier | None = None,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        parsed = secret if isinstance(secret, MTProxySecret) else MTProxySecret.parse(secret)
        unknown = set(allow) - {"dd", "ee", "plain-obfuscated"}
        if unknown or not allow:
            raise TransportError(f"MTProxyAcceptor: allow must name dd, ee and/or plain-obfuscated, got {sorted(allow)}")
        self._secret = parsed
        self._allow = frozenset(allow)
        self._verifier = verifier
        self._max_frame_size = max_frame_size
        self._random_bytes = random_bytes
        self._buffer = bytearray()
        self._done = False

    @property
    def secret(self) -> MTProxySecret:
        return self._secret

    def feed(self, data: BytesLike) -> MTProxyAcceptance | None:
        """Buffer ``data``; return None while undecided, then one :class:`MTProxyAcceptance`."""
        if self._done:
            raise TransportError("MTProxyAcceptor already decided: feed the accepted codec instead")
        self._buffer += data
        buffer = self._buffer
        if len(buffer) < 3:
            return None
        if bytes(buffer[:3]) == _TLS_HANDSHAKE_START:
            return self._accept_fake_tls()
        if len(buffer) < HEADER_SIZE:
            return None
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
        from . import fake_tls  # the TLS record code is only loaded for proxies that see fake TLS

        if "ee" not in self._allow:
            self._done = True
            raise MTProxyRefusedError("MTProxy: fake-TLS clients are not served here")
        verifier = self._verifier
        if verifier is None:
            verifier = self._verifier = fake_tls.FakeTlsHelloVerifier(self._secret)
        hello_length = fake_tls.client_hello_length(self._buffer)
        if hello_length is None or len(self._buffer) < hello_length:
            return None
        self._done = True
        hello = bytes(self._buffer[:hello_length])
        rest = bytes(self._buffer[hello_length:])
        if rest:
            # MTProxy refuses data sent before its ServerHello: a real TLS client waits for it.
            raise fake_tls.FakeTlsHelloError("fake TLS: data arrived before the ServerHello was sent")
        accepted = verifier.verify(hello)
        reply = fake_tls.server_hello_flight(accepted, self._secret.key, self._random_bytes)
        codec = fake_tls.FakeTlsServerCodec(
            self._secret.key, max_frame_size=self._max_frame_size, random_bytes=self._random_bytes
        )
        return self._finish(MTProxyAcceptance("fake-tls", codec, reply, []))

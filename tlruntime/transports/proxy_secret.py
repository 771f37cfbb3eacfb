"""MTProxy secrets: the three kinds, read from raw bytes, hex or base64 text.

A proxy secret comes in three kinds (/mtproto/mtproto-transports, "Transport
obfuscation"; the kinds are told apart by the first byte):

* plain: 16 bytes — obfuscated2 over any framing, keys mixed with the secret;
* ``dd`` + 16 bytes — the same, but the client must use padded intermediate;
* ``ee`` + 16 bytes + domain — fake TLS (:mod:`.fake_tls`): the obfuscated2
  stream travels inside TLS records after a ClientHello for ``domain``.

Kept apart from the codecs so settings (``tlruntime.telegram.proxy``) and both
MTProxy codecs share it without importing each other.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from ..errors import TransportError
from .events import BytesLike

__all__ = ["KEY_SIZE", "MTProxySecret", "SecretKind", "ProxySecretError", "MTProxyRefusedError"]

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

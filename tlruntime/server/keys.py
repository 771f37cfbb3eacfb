"""The server's RSA key: generated on first start, or loaded from a PEM file.

Telegram clients identify the server key by its fingerprint (the lower 64 bits
of SHA1 of the TL-serialized ``n`` and ``e``); the loopback server prints it
and writes the public half as a PKCS#1 PEM (``BEGIN RSA PUBLIC KEY``), the
format Telegram publishes and Telethon's ``rsa.add_key`` reads.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..crypto.rsa import RSAPrivateKey, RSAPublicKey

__all__ = ["KEY_BITS", "load_or_generate_key", "write_public_key", "fingerprint_hex"]

KEY_BITS = 2048


def load_or_generate_key(key_file: str | os.PathLike[str] | None) -> RSAPrivateKey:
    """Load ``key_file`` if it exists; otherwise generate a 2048-bit key (and save it there if named).

    Saving makes a restarted server keep its fingerprint, so clients configured
    with the old public key still connect.  The file is created 0600.
    """
    if key_file is None:
        return RSAPrivateKey.generate(KEY_BITS)
    path = Path(key_file)
    if path.exists():
        return RSAPrivateKey.from_pem(path.read_bytes())
    key = RSAPrivateKey.generate(KEY_BITS)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_as_bytes(key.to_pem()))
    return key


def write_public_key(public_key: RSAPublicKey, path: str | os.PathLike[str]) -> None:
    Path(path).write_bytes(_as_bytes(public_key.to_pem()))


def fingerprint_hex(public_key: RSAPublicKey) -> str:
    """The fingerprint as Telegram writes it: 16 hex digits of the unsigned 64-bit value."""
    return f"{public_key.fingerprint & ((1 << 64) - 1):016x}"


def _as_bytes(pem: str | bytes) -> bytes:
    return pem.encode("ascii") if isinstance(pem, str) else pem

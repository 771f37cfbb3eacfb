"""RSA for the auth key exchange: server keys, fingerprints, RSA_PAD and the legacy scheme.

See https://core.telegram.org/mtproto/auth_key (step 4.1).  Two ways of
encrypting ``p_q_inner_data`` exist in the wild and a server must accept both:

* RSA_PAD, the current scheme (AES-IGE under a random temporary key, with a
  SHA-256 check), implemented for both sides by :func:`rsa_pad_encrypt` and
  :func:`rsa_pad_decrypt` / :func:`rsa_pad_unwrap`;
* the legacy scheme Telethon and kurigram still send:
  ``SHA1(data) + data + random padding`` to 255 bytes, raw RSA.  The server
  side is :func:`rsa_decrypt_raw` + :func:`legacy_unwrap` +
  :func:`verify_legacy_digest` (the digest covers exactly the bytes of the TL
  object, which only the TL reader knows, hence the split).

Raw RSA is textbook ``pow`` on 2048-bit numbers, as the protocol requires.
``cryptography`` is used for key generation and PEM only, and imported lazily
so that the session layer does not pay for it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..binary import pack_bytes
from ..errors import DecodeError, EncodeError, HandshakeError
from ._buffers import Buffer, as_bytes, nbytes, xor_bytes
from .factor import int_to_bytes
from .ige import aes_ige_decrypt, aes_ige_encrypt

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa as _crypto_rsa

__all__ = [
    "RSAPublicKey",
    "RSAPrivateKey",
    "RandomBytes",
    "RSA_PAD_MAX_DATA",
    "LEGACY_MAX_DATA",
    "rsa_encrypt_raw",
    "rsa_decrypt_raw",
    "rsa_pad_encrypt",
    "rsa_pad_unwrap",
    "rsa_pad_decrypt",
    "legacy_rsa_encrypt",
    "legacy_unwrap",
    "verify_legacy_digest",
]

#: A source of randomness: ``random_bytes(n)`` returns ``n`` fresh random bytes (``os.urandom``).
RandomBytes = Callable[[int], bytes]

KEY_BITS = 2048
BLOCK_SIZE = KEY_BITS // 8
RSA_PAD_MAX_DATA = 144
_RSA_PAD_PADDED = 192
_TEMP_KEY_SIZE = 32
_ZERO_IV = bytes(32)
#: Each RSA_PAD attempt succeeds with probability > 1/2 for a 2048-bit modulus;
#: the cap only stops a broken random source from looping forever.
_RSA_PAD_MAX_ATTEMPTS = 64
_LEGACY_BLOCK = 255
_SHA1_SIZE = 20
LEGACY_MAX_DATA = _LEGACY_BLOCK - _SHA1_SIZE


def _pem_bytes(pem: str | bytes) -> bytes:
    return pem.encode("ascii") if isinstance(pem, str) else pem


@dataclass(frozen=True, slots=True)
class RSAPublicKey:
    """A server's RSA public key: modulus ``n`` and exponent ``e``."""

    n: int
    e: int

    def __post_init__(self) -> None:
        if self.n < 3 or self.n % 2 == 0:
            raise EncodeError(f"RSA modulus must be an odd number above 2, got {self.n}")
        if not 1 < self.e < self.n:
            raise EncodeError(f"RSA exponent must be in 2..n-1, got {self.e}")

    @property
    def fingerprint(self) -> int:
        """Telegram's key id: lower 64 bits of SHA1(TL bytes(n) + TL bytes(e)), as a signed long."""
        serialized = pack_bytes(int_to_bytes(self.n)) + pack_bytes(int_to_bytes(self.e))
        return int.from_bytes(hashlib.sha1(serialized).digest()[-8:], "little", signed=True)

    def to_pem(self, *, spki: bool = False) -> str:
        """PEM text: PKCS#1 ``BEGIN RSA PUBLIC KEY`` (Telegram's form) or, with ``spki``, ``BEGIN PUBLIC KEY``."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        public = rsa.RSAPublicNumbers(self.e, self.n).public_key()
        layout = (
            serialization.PublicFormat.SubjectPublicKeyInfo
            if spki
            else serialization.PublicFormat.PKCS1
        )
        return public.public_bytes(serialization.Encoding.PEM, layout).decode("ascii")

    @classmethod
    def from_pem(cls, pem: str | bytes) -> RSAPublicKey:
        """Read a PKCS#1 (``BEGIN RSA PUBLIC KEY``) or SPKI (``BEGIN PUBLIC KEY``) PEM."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            public = serialization.load_pem_public_key(_pem_bytes(pem))
        except (ValueError, TypeError) as exc:
            raise DecodeError(f"not a readable PEM public key: {exc}", offset=0) from None
        if not isinstance(public, rsa.RSAPublicKey):
            raise DecodeError(f"PEM holds a {type(public).__name__}, not an RSA key", offset=0)
        numbers = public.public_numbers()
        return cls(numbers.n, numbers.e)


class RSAPrivateKey:
    """A server-side RSA private key (wraps a ``cryptography`` key; used by the loopback server)."""

    __slots__ = ("_key", "_public")

    def __init__(self, key: _crypto_rsa.RSAPrivateKey) -> None:
        self._key = key
        numbers = key.private_numbers().public_numbers
        self._public = RSAPublicKey(numbers.n, numbers.e)

    @classmethod
    def generate(cls, bits: int = KEY_BITS) -> RSAPrivateKey:
        """A fresh key with exponent 65537 (Telegram's key exchange needs ``bits=2048``)."""
        from cryptography.hazmat.primitives.asymmetric import rsa

        return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    @classmethod
    def from_pem(cls, pem: str | bytes, password: bytes | None = None) -> RSAPrivateKey:
        """Read a PKCS#8 or PKCS#1 private key PEM (optionally encrypted with ``password``)."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            key = serialization.load_pem_private_key(_pem_bytes(pem), password=password)
        except (ValueError, TypeError) as exc:
            raise DecodeError(f"not a readable PEM private key: {exc}", offset=0) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DecodeError(f"PEM holds a {type(key).__name__}, not an RSA key", offset=0)
        return cls(key)

    def to_pem(self) -> str:
        """Unencrypted PKCS#8 PEM (``BEGIN PRIVATE KEY``)."""
        from cryptography.hazmat.primitives import serialization

        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    @property
    def public_key(self) -> RSAPublicKey:
        return self._public

    def _decrypt_int(self, value: int) -> int:
        """``value ** d mod n`` by CRT, blinded so timing does not depend on the ciphertext."""
        private = self._key.private_numbers()
        n, e = self._public.n, self._public.e
        while True:
            blind = secrets.randbelow(n - 2) + 2
            try:
                unblind = pow(blind, -1, n)
            except ValueError:  # blind shares a factor with n: astronomically unlikely
                continue
            break
        blinded = value * pow(blind, e, n) % n
        m_p = pow(blinded, private.dmp1, private.p)
        m_q = pow(blinded, private.dmq1, private.q)
        h = private.iqmp * (m_p - m_q) % private.p
        return (m_q + h * private.q) * unblind % n

    def __repr__(self) -> str:
        return f"RSAPrivateKey(fingerprint={self._public.fingerprint})"


def _require_telegram_size(n: int) -> None:
    if n.bit_length() != KEY_BITS:
        raise HandshakeError(
            f"MTProto RSA needs a {KEY_BITS}-bit modulus, this key has {n.bit_length()} bits"
        )


def _random(random_bytes: RandomBytes, count: int, what: str) -> bytes:
    value = random_bytes(count)
    if len(value) != count:
        raise EncodeError(f"random source returned {len(value)} bytes for {what}, expected {count}")
    return value


def rsa_encrypt_raw(block: Buffer, key: RSAPublicKey) -> bytes:
    """Textbook RSA of a big-endian block: 256 bytes; a block >= n raises HandshakeError."""
    _require_telegram_size(key.n)
    value = int.from_bytes(block, "big")
    if value >= key.n:
        raise HandshakeError("RSA input is not below the modulus")
    return pow(value, key.e, key.n).to_bytes(BLOCK_SIZE, "big")


def rsa_decrypt_raw(encrypted: Buffer, key: RSAPrivateKey) -> bytes:
    """Textbook RSA decryption: 256 big-endian bytes, left-padded with zeros.

    ``encrypted`` must be exactly 256 bytes and, as a number, below ``n``.
    """
    _require_telegram_size(key.public_key.n)
    if nbytes(encrypted) != BLOCK_SIZE:
        raise HandshakeError(f"RSA ciphertext must be {BLOCK_SIZE} bytes, got {nbytes(encrypted)}")
    value = int.from_bytes(encrypted, "big")
    if value >= key.public_key.n:
        raise HandshakeError("RSA ciphertext is not below the modulus")
    return key._decrypt_int(value).to_bytes(BLOCK_SIZE, "big")


def rsa_pad_encrypt(data: Buffer, key: RSAPublicKey, random_bytes: RandomBytes) -> bytes:
    """RSA_PAD(data, server_public_key): the 256-byte ``encrypted_data`` of req_DH_params.

    ``data`` (at most 144 bytes) is padded to 192 bytes with random bytes,
    reversed, followed by SHA256(temp_key + padded data), AES-IGE encrypted
    under a random ``temp_key`` with a zero IV, prefixed with
    ``temp_key XOR SHA256(aes_encrypted)``; a new temp_key is drawn until the
    result is below ``n``; then raw RSA.
    """
    size = nbytes(data)
    if size > RSA_PAD_MAX_DATA:
        raise EncodeError(f"RSA_PAD data must be at most {RSA_PAD_MAX_DATA} bytes, got {size}")
    _require_telegram_size(key.n)
    data_with_padding = b"".join(
        (data, _random(random_bytes, _RSA_PAD_PADDED - size, "RSA_PAD padding"))
    )
    data_pad_reversed = data_with_padding[::-1]
    for _ in range(_RSA_PAD_MAX_ATTEMPTS):
        temp_key = _random(random_bytes, _TEMP_KEY_SIZE, "RSA_PAD temp_key")
        data_with_hash = data_pad_reversed + hashlib.sha256(temp_key + data_with_padding).digest()
        aes_encrypted = aes_ige_encrypt(data_with_hash, temp_key, _ZERO_IV)
        temp_key_xor = xor_bytes(temp_key, hashlib.sha256(aes_encrypted).digest())
        key_aes_encrypted = temp_key_xor + aes_encrypted
        if int.from_bytes(key_aes_encrypted, "big") < key.n:
            return rsa_encrypt_raw(key_aes_encrypted, key)
    raise HandshakeError(
        f"RSA_PAD found no temp_key giving a block below n in {_RSA_PAD_MAX_ATTEMPTS} attempts "
        "(is the random source broken?)"
    )


def rsa_pad_unwrap(key_aes_encrypted: Buffer) -> bytes:
    """Undo RSA_PAD after raw RSA decryption: returns the 192-byte ``data_with_padding``.

    Raises :class:`HandshakeError` if the SHA-256 check fails (wrong key,
    tampering, or a payload in the legacy scheme).  The caller reads the TL
    object from the front and ignores the random padding after it.
    """
    if nbytes(key_aes_encrypted) != BLOCK_SIZE:
        raise HandshakeError(
            f"RSA_PAD block must be {BLOCK_SIZE} bytes, got {nbytes(key_aes_encrypted)}"
        )
    block = as_bytes(key_aes_encrypted)
    temp_key_xor, aes_encrypted = block[:_TEMP_KEY_SIZE], block[_TEMP_KEY_SIZE:]
    temp_key = xor_bytes(temp_key_xor, hashlib.sha256(aes_encrypted).digest())
    data_with_hash = aes_ige_decrypt(aes_encrypted, temp_key, _ZERO_IV)
    data_with_padding = data_with_hash[:_RSA_PAD_PADDED][::-1]
    expected = hashlib.sha256(temp_key + data_with_padding).digest()
    if not hmac.compare_digest(data_with_hash[_RSA_PAD_PADDED:], expected):
        raise HandshakeError("RSA_PAD hash check failed: encrypted_data is not valid RSA_PAD output")
    return data_with_padding


def rsa_pad_decrypt(encrypted: Buffer, key: RSAPrivateKey) -> bytes:
    """Server side of RSA_PAD: raw RSA decryption, then :func:`rsa_pad_unwrap` (192 bytes)."""
    return rsa_pad_unwrap(rsa_decrypt_raw(encrypted, key))


def legacy_rsa_encrypt(data: Buffer, key: RSAPublicKey, random_bytes: RandomBytes) -> bytes:
    """The pre-RSA_PAD scheme: raw RSA of ``SHA1(data) + data + random`` (255 bytes in total)."""
    size = nbytes(data)
    if size > LEGACY_MAX_DATA:
        raise EncodeError(f"legacy RSA data must be at most {LEGACY_MAX_DATA} bytes, got {size}")
    block = b"".join(
        (
            hashlib.sha1(data).digest(),
            data,
            _random(random_bytes, LEGACY_MAX_DATA - size, "legacy RSA padding"),
        )
    )
    return rsa_encrypt_raw(block, key)


def legacy_unwrap(decrypted: Buffer) -> tuple[bytes, bytes]:
    """Split a raw-decrypted legacy block into ``(sha1_digest, rest)``.

    ``rest`` is the TL object followed by random padding; once the TL reader
    knows how many bytes the object used, pass them to
    :func:`verify_legacy_digest`.  The 255-byte legacy block leaves the first
    of the 256 decrypted bytes zero; anything else is not a legacy payload.
    """
    if nbytes(decrypted) != BLOCK_SIZE:
        raise HandshakeError(f"decrypted RSA block must be {BLOCK_SIZE} bytes, got {nbytes(decrypted)}")
    block = as_bytes(decrypted)
    if block[0] != 0:
        raise HandshakeError("decrypted block is wider than 255 bytes: not a legacy RSA payload")
    return block[1 : 1 + _SHA1_SIZE], block[1 + _SHA1_SIZE :]


def verify_legacy_digest(digest: Buffer, consumed: Buffer) -> None:
    """Raise :class:`HandshakeError` unless ``digest == SHA1(consumed)``."""
    if not hmac.compare_digest(hashlib.sha1(consumed).digest(), as_bytes(digest)):
        raise HandshakeError("SHA1 of the decrypted inner data does not match its digest")

"""MTProto 2.0 cryptography as pure functions (no I/O, no clock, randomness passed in).

Modules:

* :mod:`.ige` -- AES-256-IGE over cryptg.
* :mod:`.message` -- message protection: auth_key_id, msg_key, key/iv derivation,
  :func:`encrypt_message` / :func:`decrypt_message`.
* :mod:`.kdf` -- SHA-1 derivations of the key exchange (tmp_aes_key/iv,
  new_nonce_hash, first server salt).
* :mod:`.rsa` -- server keys and fingerprints, RSA_PAD and the legacy scheme.
* :mod:`.factor` -- ``pq`` factorization and big-endian number helpers.
* :mod:`.dh` -- Telegram's DH prime and the dh_prime / g / g_a / g_b checks.
* :mod:`.primes` -- the Miller-Rabin test behind the last two.
"""

from __future__ import annotations

from .dh import TELEGRAM_DH_PRIME, check_dh_params, check_dh_value, is_safe_prime
from .factor import bytes_to_int, factorize_pq, int_to_bytes
from .ige import aes_ige_decrypt, aes_ige_encrypt
from .kdf import auth_key_aux_hash, handshake_aes_key_iv, initial_server_salt, new_nonce_hash
from .message import (
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT,
    aes_key_iv,
    auth_key_id,
    decrypt_message,
    encrypt_message,
    msg_key,
    padding_length,
)
from .rsa import (
    RSAPrivateKey,
    RSAPublicKey,
    legacy_rsa_encrypt,
    legacy_unwrap,
    rsa_decrypt_raw,
    rsa_encrypt_raw,
    rsa_pad_decrypt,
    rsa_pad_encrypt,
    rsa_pad_unwrap,
    verify_legacy_digest,
)

__all__ = [
    "TELEGRAM_DH_PRIME",
    "check_dh_params",
    "check_dh_value",
    "is_safe_prime",
    "bytes_to_int",
    "factorize_pq",
    "int_to_bytes",
    "aes_ige_decrypt",
    "aes_ige_encrypt",
    "auth_key_aux_hash",
    "handshake_aes_key_iv",
    "initial_server_salt",
    "new_nonce_hash",
    "CLIENT_TO_SERVER",
    "SERVER_TO_CLIENT",
    "aes_key_iv",
    "auth_key_id",
    "decrypt_message",
    "encrypt_message",
    "msg_key",
    "padding_length",
    "RSAPrivateKey",
    "RSAPublicKey",
    "legacy_rsa_encrypt",
    "legacy_unwrap",
    "rsa_decrypt_raw",
    "rsa_encrypt_raw",
    "rsa_pad_decrypt",
    "rsa_pad_encrypt",
    "rsa_pad_unwrap",
    "verify_legacy_digest",
]

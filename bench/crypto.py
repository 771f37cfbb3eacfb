"""Group 5: MTProto 2.0 pack + unpack throughput against raw cryptg AES-256-IGE.

Ours is ``encrypt_message`` followed by ``decrypt_message`` (SHA-256 msg_key,
key derivation, IGE both ways, constant-time checks).  The reference is the
bare cost of the two cipher passes, ``cryptg.encrypt_ige`` + ``decrypt_ige``
over the same padded length: the closer ours gets to it, the less the
protocol framing around the cipher costs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from .report import CRYPTG, Row, Target
from .timing import Budget, measure_side_by_side

RAW_SHARE_TARGET = Target("≥90% of raw cryptg", factor=0.9, against=(CRYPTG,))

PAYLOAD_SIZES = ((1024, "1 KiB"), (1024 * 1024, "1 MiB"))


def _deterministic_bytes(size: int, label: bytes) -> bytes:
    """Pseudo-random but reproducible bytes (SHA-256 in counter mode)."""
    blocks = (hashlib.sha256(label + i.to_bytes(8, "little")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


def _raw_cryptg_round_trip(padded: bytes) -> Callable[[], object]:
    import cryptg

    key = _deterministic_bytes(32, b"key")
    iv = _deterministic_bytes(32, b"iv")
    encrypt, decrypt = cryptg.encrypt_ige, cryptg.decrypt_ige
    if decrypt(encrypt(padded, key, iv), key, iv) != padded:
        raise RuntimeError("cryptg does not round-trip; the environment is broken")
    return lambda: decrypt(encrypt(padded, key, iv), key, iv)


def _ours_round_trip(payload: bytes, padding: bytes) -> Callable[[], object]:
    from tlruntime.crypto.message import CLIENT_TO_SERVER, decrypt_message, encrypt_message

    auth_key = _deterministic_bytes(256, b"auth_key")
    x = CLIENT_TO_SERVER
    if decrypt_message(auth_key, encrypt_message(auth_key, payload, x, padding), x) != (
        payload + padding
    ):
        raise RuntimeError("tlruntime.crypto.message does not round-trip")
    return lambda: decrypt_message(auth_key, encrypt_message(auth_key, payload, x, padding), x)


def bench_crypto(budget: Budget) -> list[Row]:
    """MB/s of payload protected and unprotected, 1 KiB and 1 MiB."""
    rows: list[Row] = []
    for size, label in PAYLOAD_SIZES:
        row = Row("5 mtproto", f"pack+unpack {label} payload", "MB/s", True, None)
        if size >= 1024 * 1024:
            row.target = RAW_SHARE_TARGET
        payload = _deterministic_bytes(size, b"payload")
        try:
            from tlruntime.crypto.message import padding_length
        except ImportError as exc:
            padding = _deterministic_bytes(12 + (-(size + 12)) % 16, b"padding")
            row.unavailable = f"tlruntime.crypto.message cannot be imported ({exc})"
            ours_call = None
        else:
            padding = _deterministic_bytes(padding_length(size), b"padding")
            ours_call = _ours_round_trip(payload, padding)
        contenders = {CRYPTG: _raw_cryptg_round_trip(payload + padding)}
        if ours_call is not None:
            contenders["ours"] = ours_call
        timings = measure_side_by_side(contenders, budget)
        row.references[CRYPTG] = size / timings[CRYPTG].median / 1e6
        row.best = {name: size / timing.minimum / 1e6 for name, timing in timings.items()}
        if "ours" in timings:
            row.ours = size / timings["ours"].median / 1e6
        rows.append(row)
    return rows

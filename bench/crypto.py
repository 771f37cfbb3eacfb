"""Group 5: MTProto 2.0 pack + unpack throughput against raw cryptg AES-256-IGE.

Ours is a protect followed by an unprotect of the same payload (SHA-256
msg_key, key/iv derivation, IGE both ways, the msg_key check).  The
reference is the bare cost of the two cipher passes, ``cryptg.encrypt_ige``
+ ``decrypt_ige`` over the same padded length: the closer ours gets to it,
the less the protocol framing around the cipher costs.

The target rows time :class:`~tlruntime.crypto.message.MessageCipher`, the
per-key object the client session and the server call for every message.
One more row times the one-shot ``encrypt_message`` + ``decrypt_message``
(what this group timed before MessageCipher existed), which also pay a
SHA-1 of the auth key per call; it has no target.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from .report import CRYPTG, Row, Target
from .timing import Budget, measure_side_by_side

RAW_SHARE_TARGET = Target("≥90% of raw cryptg", factor=0.9, against=(CRYPTG,))
SMALL_TARGET = Target("≥0.4x raw cryptg", factor=0.4, against=(CRYPTG,))

KIB = 1024
MIB = 1024 * 1024
#: (payload size, label, which of ours, target)
ROWS = (
    (KIB, "1 KiB payload, session cipher", "cipher", SMALL_TARGET),
    (KIB, "1 KiB payload, one-shot functions", "functions", None),
    (MIB, "1 MiB payload, session cipher", "cipher", RAW_SHARE_TARGET),
)


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


def _ours_round_trip(payload: bytes, padding: bytes, kind: str) -> Callable[[], object]:
    from tlruntime.crypto.message import CLIENT_TO_SERVER, MessageCipher, decrypt_message, encrypt_message

    auth_key = _deterministic_bytes(256, b"auth_key")
    x = CLIENT_TO_SERVER
    if kind == "cipher":
        cipher = MessageCipher(auth_key)
        padded = payload + padding  # the session appends its padding itself
        encrypt, decrypt = cipher.encrypt, cipher.decrypt
        call: Callable[[], object] = lambda: decrypt(x, encrypt(x, padded))
    else:
        call = lambda: decrypt_message(auth_key, encrypt_message(auth_key, payload, x, padding), x)
    if call() != payload + padding:
        raise RuntimeError(f"tlruntime.crypto.message ({kind}) does not round-trip")
    return call


def bench_crypto(budget: Budget) -> list[Row]:
    """MB/s of payload protected and unprotected, 1 KiB and 1 MiB."""
    rows: list[Row] = []
    for size, label, kind, target in ROWS:
        row = Row("5 mtproto", f"pack+unpack {label}", "MB/s", True, None)
        row.target = target
        payload = _deterministic_bytes(size, b"payload")
        try:
            from tlruntime.crypto.message import padding_length
        except ImportError as exc:
            padding = _deterministic_bytes(12 + (-(size + 12)) % 16, b"padding")
            row.unavailable = f"tlruntime.crypto.message cannot be imported ({exc})"
            ours_call = None
        else:
            padding = _deterministic_bytes(padding_length(size), b"padding")
            ours_call = _ours_round_trip(payload, padding, kind)
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

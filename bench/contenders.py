"""Access to the three implementations, and checks that they agree before timing.

Our generated layer may not exist yet (it is produced by ``make generate``);
in that case the groups still measure Telethon and kurigram and print our
column as "not available" with the reason, never a made-up number.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from . import samples


def ours_builder() -> tuple[samples.SampleBuilder | None, str | None]:
    """Our sample builder, or ``(None, reason)`` when the layer cannot be imported."""
    try:
        return samples.ours(), None
    except ImportError as exc:
        return None, f"tlruntime.tl cannot be imported ({exc}); run `make generate`"
    except AttributeError as exc:
        return None, f"tlruntime.tl lacks a class the benchmark needs ({exc})"


def describe_mismatch(ours: bytes, expected: bytes) -> str | None:
    """None when equal, else where our bytes first differ from the reference."""
    if ours == expected:
        return None
    offset = next(
        (i for i, (a, b) in enumerate(zip(ours, expected)) if a != b),
        min(len(ours), len(expected)),
    )
    return (
        f"our bytes differ from Telethon's at offset {offset} "
        f"(ours {len(ours)} bytes, expected {len(expected)})"
    )


def telethon_decode_call(data: bytes) -> Callable[[], Any]:
    """Telethon's generic entry point, reading ``data``: ``BinaryReader(data).tgread_object()``."""
    from telethon.extensions import BinaryReader  # type: ignore[import-untyped]

    return lambda: BinaryReader(data).tgread_object()


def kurigram_decode_call(data: bytes) -> Callable[[], Any]:
    """kurigram's generic entry point, reading ``data``: ``TLObject.read(BytesIO(data))``."""
    from pyrogram.raw.core import TLObject

    read = TLObject.read
    return lambda: read(BytesIO(data))


def peers_agree(telethon_bytes: bytes, kurigram_bytes: bytes, what: str) -> None:
    """Refuse to benchmark samples on which the two reference libraries disagree."""
    if telethon_bytes != kurigram_bytes:
        raise RuntimeError(f"Telethon and kurigram serialize {what} differently; fix the sample")

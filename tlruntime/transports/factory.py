"""Client-side codec construction by name, as a connection setting would spell it."""

from __future__ import annotations

import os
from typing import Final

from ..errors import TransportError
from .abridged import Abridged
from .base import FramingCodec, RandomBytes, TransportCodec
from .events import DEFAULT_MAX_FRAME_SIZE
from .full import Full
from .intermediate import Intermediate, PaddedIntermediate
from .obfuscated import Obfuscated2

__all__ = ["CLIENT_CODEC_NAMES", "make_client_codec"]

_FRAMINGS: Final[dict[str, type[FramingCodec]]] = {
    "abridged": Abridged,
    "intermediate": Intermediate,
    "padded": PaddedIntermediate,
    "full": Full,
}
_OBFUSCATED_PREFIX: Final = "obfuscated-"
_OBFUSCATABLE: Final = ("abridged", "intermediate", "padded")

CLIENT_CODEC_NAMES: Final[tuple[str, ...]] = (*_FRAMINGS, *(_OBFUSCATED_PREFIX + name for name in _OBFUSCATABLE))
"""Every name :func:`make_client_codec` accepts."""


def make_client_codec(
    name: str,
    *,
    dc_id: int | None = None,
    secret: bytes | str | None = None,
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    random_bytes: RandomBytes = os.urandom,
) -> TransportCodec:
    """A fresh client codec for ``name`` (one of :data:`CLIENT_CODEC_NAMES`).

    ``dc_id`` and ``secret`` (an MTProxy secret) only apply to the obfuscated
    transports; passing them to a plain one is an error rather than silently ignored.
    """
    obfuscated = name.startswith(_OBFUSCATED_PREFIX)
    framing_name = name[len(_OBFUSCATED_PREFIX) :] if obfuscated else name
    if name not in CLIENT_CODEC_NAMES:
        raise TransportError(f"unknown transport {name!r}; expected one of {', '.join(CLIENT_CODEC_NAMES)}")
    framing = _FRAMINGS[framing_name]("client", max_frame_size=max_frame_size, random_bytes=random_bytes)
    if not obfuscated:
        if dc_id is not None or secret is not None:
            raise TransportError(f"dc_id and secret need an obfuscated transport, not {name!r}")
        return framing
    return Obfuscated2(framing, secret=secret, dc_id=dc_id, random_bytes=random_bytes)

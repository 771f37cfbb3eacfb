"""tlruntime: typed TL classes generated from Telegram's schema, and an MTProto 2.0 runtime.

The generated layer lives in :mod:`tlruntime.tl` and loads lazily.  The
protocol core (``crypto``, ``transports``, ``auth``, ``session``) is sans-IO;
:mod:`tlruntime.client` and :mod:`tlruntime.server` are the asyncio drivers.
"""

from __future__ import annotations

import os
import sys

from .errors import TLError

__all__ = ["TLError"]
__version__ = "0.1.0"


class _MissingLayerHint:
    """Last entry of ``sys.meta_path``: consulted only when no real finder found ``tlruntime.tl``.

    The layer is generated, never committed, so a checkout or an editable install
    has none until ``make generate`` runs; say so instead of "No module named".
    """

    @staticmethod
    def find_spec(fullname: str, path: object = None, target: object = None) -> None:
        if fullname == "tlruntime.tl":
            where = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tl")
            raise ModuleNotFoundError(
                f"the generated layer tlruntime.tl does not exist yet ({where}): run 'make generate' "
                f"in a checkout, or 'tlgen generate --out {where}'",
                name=fullname,
            )
        return None


if not any(isinstance(finder, _MissingLayerHint) for finder in sys.meta_path):
    sys.meta_path.append(_MissingLayerHint())

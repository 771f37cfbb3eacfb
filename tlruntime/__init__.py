"""tlruntime: typed TL classes generated from Telegram's schema, and an MTProto 2.0 runtime.

The generated layer lives in :mod:`tlruntime.tl` and loads lazily.  The
protocol core (``crypto``, ``transports``, ``auth``, ``session``) is sans-IO;
:mod:`tlruntime.client` and :mod:`tlruntime.server` are the asyncio drivers.
"""

from .errors import TLError

__all__ = ["TLError"]
__version__ = "0.1.0"

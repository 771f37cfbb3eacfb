"""The ``invokeWithLayer(initConnection(...))`` wrapper every connection's first request needs.

https://core.telegram.org/api/invoking#layers: the server learns which layer
the client speaks, and who the client is, from this wrapper around the first
query sent over a new connection.
"""

from __future__ import annotations

import platform
from typing import Callable

from ..errors import EncodeError
from ..tl import LAYER
from ..tlobject import TLRequest

__all__ = ["LAYER", "default_init_connection"]

# LAYER comes from the generated layer, so a regenerated schema announces its own layer.


def default_init_connection(
    api_id: int = 0,
    *,
    device_model: str | None = None,
    system_version: str | None = None,
    app_version: str | None = None,
    system_lang_code: str = "en",
    lang_pack: str = "",
    lang_code: str = "en",
    layer: int | None = LAYER,
) -> Callable[[object], object]:
    """A callable for ``Session(init_connection=...)`` wrapping a request for a new connection.

    Unset fields describe this machine and this library (``platform`` module,
    ``tlruntime.__version__``), which is what Telegram asks clients to send.
    """
    from .. import __version__

    if layer is None:  # a layer generated from a schema without a "// LAYER N" line
        raise EncodeError(
            "the generated layer does not know its layer number (its schema has no '// LAYER N' line); "
            "pass layer=N to default_init_connection"
        )

    device = device_model or f"{platform.python_implementation()} {platform.machine() or 'unknown'}"
    system = system_version or f"{platform.system() or 'unknown'} {platform.release()}".strip()
    app = app_version or f"tlruntime {__version__}"

    def wrap(request: object) -> object:
        from ..tl import functions

        if not isinstance(request, TLRequest):
            raise EncodeError(f"initConnection wraps a TL function, not {type(request).__name__}")
        return functions.InvokeWithLayer(
            layer=layer,
            query=functions.InitConnection(
                api_id=api_id,
                device_model=device,
                system_version=system,
                app_version=app,
                system_lang_code=system_lang_code,
                lang_pack=lang_pack,
                lang_code=lang_code,
                query=request,
            ),
        )

    return wrap

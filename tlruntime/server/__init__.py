"""The loopback MTProto server (asyncio driver over the sans-IO core).

In-process::

    async with LoopbackServer(host="127.0.0.1", port=0) as srv:
        srv.port, srv.public_key            # what a client needs
        @srv.register(functions.messages.ExportChatInvite)
        def export(request, ctx): ...        # sync or async; may raise RPCError

As a process: ``python -m tlruntime.server --port 0 --public-key-out key.pem``.
"""

from .app import DEFAULT_USER_ID, LoopbackServer
from .defaults import build_config, install_default_handlers
from .handlers import HandlerRegistry, RequestContext
from .results import encode_result

__all__ = [
    "DEFAULT_USER_ID",
    "HandlerRegistry",
    "LoopbackServer",
    "RequestContext",
    "build_config",
    "encode_result",
    "install_default_handlers",
]

"""The loopback MTProto server (asyncio driver over the sans-IO core).

In-process::

    async with LoopbackServer(host="127.0.0.1", port=0) as srv:
        srv.port, srv.public_key            # what a client needs
        @srv.register(functions.messages.ExportChatInvite)
        def export(request, ctx): ...        # sync or async; may raise RPCError

    async with LoopbackTelegram(dcs=3) as telegram:   # DC 1..3, bots log in on DC 2
        telegram.ports, telegram.public_key

As a process: ``python -m tlruntime.server --port 0 --public-key-out key.pem``
(``--dcs 3 --bot TOKEN`` for the multi-DC Telegram).
"""

from .accounts import DEFAULT_BOT_TOKEN, Account, Accounts, AccountsError
from .app import DEFAULT_USER_ID, LoopbackServer
from .defaults import build_config, install_default_handlers
from .handlers import HandlerRegistry, RequestContext
from .login import ALLOWED_WITHOUT_LOGIN
from .results import encode_result
from .telegram import LoopbackTelegram

__all__ = [
    "ALLOWED_WITHOUT_LOGIN",
    "Account",
    "Accounts",
    "AccountsError",
    "DEFAULT_BOT_TOKEN",
    "DEFAULT_USER_ID",
    "HandlerRegistry",
    "LoopbackServer",
    "LoopbackTelegram",
    "RequestContext",
    "build_config",
    "encode_result",
    "install_default_handlers",
]

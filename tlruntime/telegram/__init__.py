"""Facts and settings for talking to Telegram itself: DC addresses, RSA keys, proxy settings, PFS binding.

Pure data and pure functions (no sockets, no asyncio): the client and the
loopback server build on them.

    >>> from tlruntime.telegram import dc_address, telegram_public_keys, parse_proxy_link
    >>> dc_address(2)
    ('149.154.167.51', 443)
    >>> hex(telegram_public_keys()[0].fingerprint & (2**64 - 1))
    '0xd09d1d85de64fd85'
"""

from .dcs import (
    DEFAULT_PORT,
    DcEndpoint,
    DcTable,
    DcTableError,
    UnknownDcError,
    builtin_dc_table,
    dc_address,
    dc_ids,
    dc_table_from_options,
)
from .keys import PRODUCTION_KEY_PEMS, TEST_KEY_PEMS, telegram_public_key, telegram_public_keys
from .pfs import BindAuthKeyInner, BindMessageError, bind_message, open_bind_message
from .proxy import (
    HttpProxy,
    MTProxy,
    ProxyLinkError,
    ProxySetting,
    Socks5Proxy,
    parse_proxy_link,
)

__all__ = [
    "BindAuthKeyInner",
    "BindMessageError",
    "bind_message",
    "open_bind_message",
    "DEFAULT_PORT",
    "DcEndpoint",
    "DcTable",
    "DcTableError",
    "HttpProxy",
    "MTProxy",
    "PRODUCTION_KEY_PEMS",
    "ProxyLinkError",
    "ProxySetting",
    "Socks5Proxy",
    "TEST_KEY_PEMS",
    "UnknownDcError",
    "builtin_dc_table",
    "dc_address",
    "dc_ids",
    "dc_table_from_options",
    "parse_proxy_link",
    "telegram_public_key",
    "telegram_public_keys",
]

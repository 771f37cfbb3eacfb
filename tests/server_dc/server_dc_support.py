"""Helpers of the multi-DC server tests (a uniquely named module: tests/ is not a package)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, TypeVar

from tlruntime.client import Client
from tlruntime.server import LoopbackTelegram
from tlruntime.tl import functions

T = TypeVar("T")

HOST = "127.0.0.1"
TOKEN = "4242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BOT_ID = 4242


def run(coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    """Run ``coro`` on a fresh loop, failing (not hanging) after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


@asynccontextmanager
async def client_on(telegram: LoopbackTelegram, dc_id: int) -> AsyncIterator[Client]:
    """Our client connected to DC ``dc_id`` (its own auth key, made there); it shows ``*_MIGRATE_X`` instead of following it."""
    async with Client(
        HOST, telegram.port_of(dc_id), telegram.public_key, dc_id=dc_id, timeout=10, follow_migrations=False
    ) as client:
        yield client


def bot_login(token: str = TOKEN) -> Any:
    return functions.auth.ImportBotAuthorization(flags=0, api_id=1, api_hash="0" * 32, bot_auth_token=token)

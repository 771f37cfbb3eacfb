"""Helpers of the PFS tests (a uniquely named module: tests/ is not a package)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from tlruntime.server import LoopbackServer, RequestContext
from tlruntime.tl import functions

T = TypeVar("T")

HOST = "127.0.0.1"


def run(coro: Coroutine[Any, Any, T], timeout: float = 90.0) -> T:
    """Run ``coro`` on a fresh event loop, failing (not hanging) after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def seeded(seed: int) -> Callable[[int], bytes]:
    """A reproducible ``random_bytes``."""
    return random.Random(seed).randbytes


class ServerClock:
    """The server's injected clock: real time plus a jump the test controls."""

    def __init__(self) -> None:
        self.jump = 0.0

    def __call__(self) -> float:
        return time.time() + self.jump


class Executions:
    """A counting handler for ``help.getNearestDc``-free calls: ``users.getUsers`` echoes a number.

    The calls are ``langpack.getLanguages(lang_pack=str(n))`` answered with an empty
    list; every execution is recorded with the key facts the server saw.
    """

    def __init__(self) -> None:
        self.count: dict[str, int] = {}
        self.perm_ids: set[int | None] = set()
        self.key_ids: set[int] = set()

    def install(self, server: LoopbackServer) -> None:
        @server.register(functions.langpack.GetLanguages)
        def languages(request: functions.langpack.GetLanguages, ctx: RequestContext) -> list[object]:
            self.count[request.lang_pack] = self.count.get(request.lang_pack, 0) + 1
            self.perm_ids.add(ctx.perm_auth_key_id)
            self.key_ids.add(ctx.auth_key_id)
            return []

    @staticmethod
    def call(n: int) -> functions.langpack.GetLanguages:
        return functions.langpack.GetLanguages(lang_pack=str(n))

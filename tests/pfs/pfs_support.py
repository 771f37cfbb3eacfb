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
    """A counting handler: call ``n`` is ``langpack.getLanguages(lang_pack=str(n))``, answered ``[]``.

    Every execution is counted per ``n`` and recorded with the key ids the
    server's context gave it (``auth_key_id``, ``perm_auth_key_id``).
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


class RawTempConnection:
    """One connection driven by hand with our sans-IO pieces: a permanent and a temporary key, one session.

    For tamper tests: the binding request is built by the test, sent over the
    temporary key (or the permanent one), and the server's answer read back as
    the session reports it (a result or an ``RPCError``).
    """

    def __init__(self, link: Any, perm: Any, temp: Any, session: Any) -> None:
        self.link, self.perm, self.temp, self.session = link, perm, temp, session

    @classmethod
    async def open(cls, server: LoopbackServer, seed: int, *, lifetime: int = 3600, over_perm: bool = False) -> "RawTempConnection":
        from tlruntime.auth import AuthKeyResult, ClientHandshake
        from tlruntime.client.link import Link
        from tlruntime.session import ClientSession
        from tlruntime.transports import make_client_codec

        random_bytes = seeded(seed)
        link = await Link.open(HOST, server.port, make_client_codec("intermediate"), 10.0, 10.0)

        async def handshake(expires_in: int | None) -> AuthKeyResult:
            hs = ClientHandshake([server.public_key], dc_id=server.dc_id, random_bytes=random_bytes, expires_in=expires_in)
            link.send(hs.start())
            while True:
                out = hs.receive(await asyncio.wait_for(link.receive_one(), 10))
                if isinstance(out, AuthKeyResult):
                    return out
                link.send(out)

        perm = await handshake(None)
        temp = await handshake(lifetime)
        key = perm if over_perm else temp
        session = ClientSession(
            key.auth_key, server_salt=key.server_salt, time_offset=key.time_offset, random_bytes=random_bytes
        )
        return cls(link, perm, temp, session)

    async def call(self, build: Callable[[int], object]) -> Any:
        """Send the request ``build(msg_id)`` alone; its result, or the ``RPCError`` it was answered with."""
        from tlruntime.session import Result, RPCErrorEvent

        msg_id = self.session.send_knowing_msg_id(build)
        self.link.send_many(self.session.outgoing())
        while True:
            payload = await asyncio.wait_for(self.link.receive_one(), 10)
            for event in self.session.receive(payload):
                if isinstance(event, Result) and event.msg_id == msg_id:
                    return event.value
                if isinstance(event, RPCErrorEvent) and event.msg_id == msg_id:
                    return event.error

    def close(self) -> None:
        self.link.abort()

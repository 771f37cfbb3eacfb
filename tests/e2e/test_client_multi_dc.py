"""Our client on the multi-DC loopback Telegram: bot login on DC 1, moved to DC 2, the seed method there.

This is issue 8's proof for our own client: it is given only DC 1's address and
the server's key; DC 2's address comes from that server's ``help.getConfig``
(a client with an explicit host never falls back to Telegram's table), the
``USER_MIGRATE_2`` answer moves its home, and ``messages.exportChatInvite``
runs as the bot on DC 2.  The server counts every execution, so a call lost
or run twice on the way fails the test.  With ``session_path`` a second client
resumes on DC 2, logged in, without a handshake or a login.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tlruntime.client import Client
from tlruntime.errors import UnauthorizedError
from tlruntime.server import LoopbackTelegram
from tlruntime.server.defaults import export_chat_invite
from tlruntime.tl import functions, types

from e2e_support import HOST, future_date, run

TOKEN = "777000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BOT_ID = 777000


class ServerClock:
    """The servers' injected clock: real time plus a jump the test controls (to expire temporary keys)."""

    def __init__(self) -> None:
        self.jump = 0.0

    def __call__(self) -> float:
        return time.time() + self.jump


def _request(title: str) -> Any:
    return functions.messages.ExportChatInvite(
        peer=types.InputPeerChat(chat_id=42), title=title, expire_date=future_date(), usage_limit=3
    )


def _counting(telegram: LoopbackTelegram, keys: set[tuple[int, int | None]] | None = None) -> Counter[tuple[int, str]]:
    """Count each exportChatInvite execution per (DC, title) on every DC of ``telegram``;
    ``keys`` collects the (auth key, permanent key) pairs the calls ran under."""
    runs: Counter[tuple[int, str]] = Counter()

    @telegram.register(functions.messages.ExportChatInvite)
    def counted(request: Any, ctx: Any) -> Any:
        runs[(ctx.dc_id, request.title)] += 1
        if keys is not None:
            keys.add((ctx.auth_key_id, ctx.perm_auth_key_id))
        return export_chat_invite(request, ctx)

    return runs


async def _bot_moves_to_its_home_dc(server_key: Any, session_path: Path) -> None:
    async with LoopbackTelegram(2, HOST, private_key=server_key, bots=((TOKEN, 2),)) as telegram:
        runs = _counting(telegram)
        async with Client(
            HOST, telegram.port_of(1), telegram.public_key, dc_id=1, api_id=1, api_hash="0" * 32,
            session_path=session_path, timeout=10,
        ) as client:  # fmt: skip
            # Before the login DC 1 refuses the seed method, as Telegram does.
            try:
                await client(_request("before login"))
            except UnauthorizedError as error:
                assert error.name == "AUTH_KEY_UNREGISTERED"
            else:
                raise AssertionError("an unauthorized key exported an invite")
            me = await client.sign_in_bot(TOKEN)
            assert me.bot and me.id == BOT_ID
            assert client.home_dc == 2 and client.is_authorized and client.migrations >= 1
            # DC 2's address came from DC 1's help.getConfig, not from Telegram's table.
            assert client.dc_table is not None
            invites = [await client(_request(f"bot invite {n}")) for n in range(3)]
            invites += await client.invoke_many([_request(f"batch {n}") for n in range(20)])
        assert all(isinstance(invite, types.ChatInviteExported) for invite in invites)
        assert {invite.admin_id for invite in invites} == {BOT_ID}
        titles = [f"bot invite {n}" for n in range(3)] + [f"batch {n}" for n in range(20)]
        # Every call ran exactly once, on DC 2; DC 1 never ran one.
        assert runs == Counter({(2, title): 1 for title in titles})

        # A new process with the same session file starts on DC 2, logged in: no handshake, no login.
        async with Client(
            HOST, telegram.port_of(1), telegram.public_key, dc_id=1, api_id=1, api_hash="0" * 32,
            session_path=session_path, timeout=10,
        ) as again:  # fmt: skip
            assert again.home_dc == 2 and again.is_authorized
            invite = await again(_request("after restart"))
            assert again.handshakes == 0
        assert invite.admin_id == BOT_ID
        assert runs[(2, "after restart")] == 1


def test_our_client_logs_in_as_bot_on_dc1_and_exports_on_dc2(server_key: Any, tmp_path: Path) -> None:
    run(_bot_moves_to_its_home_dc(server_key, tmp_path / "bot.session"))


async def _bot_with_temp_keys(server_key: Any) -> None:
    clock = ServerClock()
    async with LoopbackTelegram(2, HOST, private_key=server_key, bots=((TOKEN, 2),), clock=clock) as telegram:
        keys: set[tuple[int, int | None]] = set()
        runs = _counting(telegram, keys)

        @telegram.register(functions.help.GetNearestDc)
        def expire_now(request: Any, ctx: Any) -> Any:
            # Past the 20-second temporary keys' expiry (within the 30 s the client accepts
            # server msg_ids ahead of its estimate): each key's next message gets -404.
            clock.jump += 21
            return types.NearestDc(country="XX", this_dc=ctx.dc_id, nearest_dc=ctx.dc_id)

        async with Client(
            HOST, telegram.port_of(1), telegram.public_key, dc_id=1, api_id=1, api_hash="0" * 32,
            temp_keys=True, temp_key_lifetime=20, timeout=15,
        ) as client:  # fmt: skip
            me = await client.sign_in_bot(TOKEN)
            assert me.bot and client.home_dc == 2
            # Calls in flight on DC 2 while its temporary key expires under them.
            first_wave = asyncio.ensure_future(client.invoke_many([_request(f"wave {n}") for n in range(100)]))
            await asyncio.sleep(0)
            await client(functions.help.GetNearestDc())
            second_wave = await client.invoke_many([_request(f"wave {n}") for n in range(100, 200)])
            invites = await first_wave + second_wave
            # Then a -404 of another kind: DC 2 forgets every temporary key it holds (as after a restart).
            dc2 = telegram.server(2).endpoint
            for key_id in list(dc2.temp_keys.expires_at):
                dc2.forget_auth_key(key_id)
            invites += await client.invoke_many([_request(f"wave {n}") for n in range(200, 300)])
            assert client.session_resets == 0
        assert {invite.admin_id for invite in invites} == {BOT_ID}  # still the bot: the login is the perm key's
        assert runs == Counter({(2, f"wave {n}"): 1 for n in range(300)})  # none lost, none run twice
        # Three temporary keys on DC 2 (the first, after the expiry, after the -404), all bound to one permanent key.
        temp_ids = {temp for temp, _ in keys}
        perm_ids = {perm for _, perm in keys}
        assert len(temp_ids) == 3 and len(perm_ids) == 1 and None not in perm_ids and not temp_ids & perm_ids


def test_bot_flow_with_temp_keys_across_expiry_and_404(server_key: Any) -> None:
    run(_bot_with_temp_keys(server_key))

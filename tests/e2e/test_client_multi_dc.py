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


def _request(title: str) -> Any:
    return functions.messages.ExportChatInvite(
        peer=types.InputPeerChat(chat_id=42), title=title, expire_date=future_date(), usage_limit=3
    )


def _counting(telegram: LoopbackTelegram) -> Counter[tuple[int, str]]:
    """Count each exportChatInvite execution per (DC, title) on every DC of ``telegram``."""
    runs: Counter[tuple[int, str]] = Counter()

    @telegram.register(functions.messages.ExportChatInvite)
    def counted(request: Any, ctx: Any) -> Any:
        runs[(ctx.dc_id, request.title)] += 1
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

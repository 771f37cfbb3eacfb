"""``python -m tlruntime.demo`` (``make demo``): the whole stack, end to end, on 127.0.0.1.

Starts the loopback server on an ephemeral port, connects our client over
TCP (a real Diffie-Hellman handshake against the server's fresh 2048-bit RSA
key), calls ``messages.exportChatInvite`` with every parameter of the method
set, and prints the invite the server returned.  Then the same as Telegram's
bots do it, on a two-DC loopback Telegram: the client starts on DC 1 with
temporary keys (PFS), logs in with a bot token, is sent to the bot's home DC
2 (``USER_MIGRATE_2``, DC 2's address from ``help.getConfig``) and exports an
invite there as the bot.  Exit code 0 only when both invites came back and
match what was asked.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from collections.abc import Sequence
from typing import Any

from .client import Client
from .server import DEFAULT_BOT_TOKEN, LoopbackTelegram, LoopbackServer
from .server.keys import fingerprint_hex
from .tl import functions, types
from .transports import CLIENT_CODEC_NAMES


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return "-"
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _seed_request() -> Any:
    return functions.messages.ExportChatInvite(
        legacy_revoke_permanent=True,
        request_needed=True,
        peer=types.InputPeerChannel(channel_id=1_234_567_890, access_hash=-4_611_686_018_427_387_904),
        expire_date=int(time.time()) + 7 * 86_400,
        usage_limit=100,
        title="tlruntime demo",
        subscription_pricing=types.StarsSubscriptionPricing(period=30 * 86_400, amount=250),
    )


def _mismatches(request: Any, invite: Any) -> list[str]:
    problems = []
    if not isinstance(invite, types.ChatInviteExported):
        return [f"expected chatInviteExported, got {type(invite).__name__}"]
    expected = {
        "title": request.title,
        "expire_date": request.expire_date,
        "usage_limit": request.usage_limit,
        "request_needed": request.request_needed,
        "permanent": request.legacy_revoke_permanent,
        "subscription_pricing": request.subscription_pricing,
    }
    for name, value in expected.items():
        if getattr(invite, name) != value:
            problems.append(f"{name}: sent {value!r}, got {getattr(invite, name)!r}")
    if not invite.link.startswith("https://t.me/+"):
        problems.append(f"link {invite.link!r} is not an invite link")
    return problems


def _print_invite(invite: Any) -> None:
    pricing = invite.subscription_pricing
    rows = [
        ("link", invite.link),
        ("title", invite.title),
        ("admin_id", invite.admin_id),
        ("date", _when(invite.date)),
        ("expire_date", _when(invite.expire_date)),
        ("usage_limit", invite.usage_limit),
        ("request_needed", invite.request_needed),
        ("permanent", invite.permanent),
        ("revoked", invite.revoked),
        (
            "subscription",
            f"{pricing.amount} stars every {pricing.period // 86_400} days" if pricing is not None else "-",
        ),
    ]
    print("chatInviteExported")
    for name, value in rows:
        print(f"  {name:<15} {value}")


async def _run(transport: str) -> int:
    started = time.perf_counter()
    async with LoopbackServer(host="127.0.0.1", port=0) as server:
        print(f"server      127.0.0.1:{server.port}  (RSA fingerprint {fingerprint_hex(server.public_key)})")
        connect_started = time.perf_counter()
        async with Client("127.0.0.1", server.port, server.public_key, transport=transport, timeout=15) as client:
            handshake_ms = (time.perf_counter() - connect_started) * 1000
            key_id = client.auth_key_id or 0
            print(f"transport   {transport}")
            print(f"auth key    id {key_id & ((1 << 64) - 1):016x}  (handshake {handshake_ms:.1f} ms)")
            request = _seed_request()
            call_started = time.perf_counter()
            invite = await client(request)
            call_ms = (time.perf_counter() - call_started) * 1000
    print(f"call        messages.exportChatInvite answered in {call_ms:.1f} ms")
    _print_invite(invite)
    problems = _mismatches(request, invite)
    if problems:
        for problem in problems:
            print(f"MISMATCH    {problem}", file=sys.stderr)
        return 1
    bot_problems = await _bot_on_two_dcs(transport, request)
    total_ms = (time.perf_counter() - started) * 1000
    if bot_problems:
        for problem in bot_problems:
            print(f"MISMATCH    {problem}", file=sys.stderr)
        return 1
    print(f"ok          total {total_ms:.0f} ms")
    return 0


async def _bot_on_two_dcs(transport: str, request: Any) -> list[str]:
    """Bot login on DC 1 of a two-DC loopback Telegram, moved to DC 2, the seed method there."""
    bot_id = int(DEFAULT_BOT_TOKEN.split(":")[0])
    async with LoopbackTelegram(2, "127.0.0.1", bots=[(DEFAULT_BOT_TOKEN, 2)]) as telegram:
        dcs = ", ".join(f"DC {dc} 127.0.0.1:{port}" for dc, port in telegram.ports.items())
        print()
        print(f"telegram    {dcs}  (bot {bot_id} lives on DC 2)")
        async with Client(
            "127.0.0.1", telegram.port_of(1), telegram.public_key, dc_id=1, transport=transport,
            api_id=1, api_hash="0123456789abcdef0123456789abcdef", temp_keys=True, timeout=15,
        ) as client:  # fmt: skip
            me = await client.sign_in_bot(DEFAULT_BOT_TOKEN)
            print(f"bot login   auth.importBotAuthorization on DC 1 -> USER_MIGRATE_2 -> bot {me.id} on DC {client.home_dc}")
            print("pfs         every call over a temporary key bound with auth.bindTempAuthKey")
            invite = await client(request)
            moved, binds = client.migrations, client.temp_key_binds
    print(f"call        messages.exportChatInvite as the bot on DC 2: {invite.link} (admin_id {invite.admin_id})")
    problems = _mismatches(request, invite)
    if moved < 1 or binds < 1:
        problems.append(f"expected a migration and a bound temporary key, got {moved} and {binds}")
    if not (me.bot and me.id == bot_id and invite.admin_id == bot_id):
        problems.append(f"expected the invite to be made by bot {bot_id}, got admin_id {invite.admin_id}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tlruntime.demo", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--transport", default="intermediate", choices=CLIENT_CODEC_NAMES)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(asyncio.wait_for(_run(args.transport), 60))
    except Exception as error:  # the demo reports any failure as a non-zero exit, with the reason
        print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

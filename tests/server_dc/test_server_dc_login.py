"""A bot's login on a multi-DC LoopbackTelegram, driven through our own Client, one DC at a time.

(The client's automatic migration is tested where it lives; here each DC is
dialled explicitly, so every answer of every DC is seen as it is.)
"""

from __future__ import annotations

from typing import Any

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import BadRequestError, RPCError, SeeOtherError, UnauthorizedError
from tlruntime.server import LoopbackTelegram
from tlruntime.tl import functions, types
from tlruntime.tl.errors import (
    AccessTokenInvalidError,
    AuthBytesInvalidError,
    AuthKeyUnregisteredError,
    DcIdInvalidError,
    UserMigrateError,
)

from server_dc_support import BOT_ID, TOKEN, bot_login, client_on, run

INVITE = functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=5), title="bot invite")
NEED_LOGIN = [
    functions.users.GetUsers(id=[types.InputUserSelf()]),
    functions.users.GetFullUser(id=types.InputUserSelf()),
    functions.updates.GetState(),
    functions.updates.GetDifference(pts=1, date=1, qts=0),
    INVITE,
]


def _telegram(server_key: RSAPrivateKey, **options: Any) -> LoopbackTelegram:
    options.setdefault("bots", [TOKEN])
    return LoopbackTelegram(dcs=3, private_key=server_key, **options)


async def _refused(client: Any, request: object, error: type[RPCError]) -> RPCError:
    with pytest.raises(error) as caught:
        await client(request)
    return caught.value


async def _login_flow(server_key: RSAPrivateKey) -> None:
    async with _telegram(server_key) as telegram:
        async with client_on(telegram, 1) as on_dc1:
            # Allowed before a login: where the DCs are, and which is near.
            config = await on_dc1(functions.help.GetConfig())
            assert config.this_dc == 1
            assert [(o.id, o.ip_address, o.port, bool(o.ipv6)) for o in config.dc_options] == [
                (dc, "127.0.0.1", telegram.port_of(dc), False) for dc in (1, 2, 3)
            ]
            nearest = await on_dc1(functions.help.GetNearestDc())
            assert (nearest.this_dc, nearest.nearest_dc) == (1, 1)
            for request in NEED_LOGIN:
                error = await _refused(on_dc1, request, AuthKeyUnregisteredError)
                assert isinstance(error, UnauthorizedError) and error.code == 401
            # The bot lives on DC 2: DC 1 sends it there, typed, with the DC number.
            migrate = await _refused(on_dc1, bot_login(), UserMigrateError)
            assert isinstance(migrate, SeeOtherError)
            assert (migrate.code, migrate.message, migrate.dc_id) == (303, "USER_MIGRATE_2", 2)
            await _refused(on_dc1, INVITE, AuthKeyUnregisteredError)  # still nobody on DC 1

        async with client_on(telegram, 2) as on_dc2:
            await _refused(on_dc2, INVITE, AuthKeyUnregisteredError)
            authorization = await on_dc2(bot_login())
            assert isinstance(authorization, types.auth.Authorization)
            bot = authorization.user
            assert (bot.id, bot.bot, bot.self_) == (BOT_ID, True, True)
            assert (await on_dc2(functions.users.GetUsers(id=[types.InputUserSelf()]))) == [bot]
            full = await on_dc2(functions.users.GetFullUser(id=types.InputUserSelf()))
            assert full.full_user.id == BOT_ID and full.users == [bot]
            state = await on_dc2(functions.updates.GetState())
            assert isinstance(state, types.updates.State)
            difference = await on_dc2(functions.updates.GetDifference(pts=state.pts, date=state.date, qts=state.qts))
            assert isinstance(difference, types.updates.DifferenceEmpty)
            invite = await on_dc2(INVITE)
            assert isinstance(invite, types.ChatInviteExported)
            assert invite.admin_id == BOT_ID and invite.title == "bot invite"
            assert (await on_dc2(functions.help.GetConfig())).this_dc == 2

        # Authorization is per key: another client (another key) on DC 2 starts unauthorized.
        async with client_on(telegram, 2) as other_key:
            await _refused(other_key, INVITE, AuthKeyUnregisteredError)
        assert telegram.accounts.authorization_count == 1


def test_bot_logs_in_on_its_home_dc_only(server_key: RSAPrivateKey) -> None:
    run(_login_flow(server_key))


async def _export_import(server_key: RSAPrivateKey) -> None:
    async with _telegram(server_key) as telegram:
        async with client_on(telegram, 2) as home, client_on(telegram, 1) as dc1, client_on(telegram, 3) as dc3:
            await _refused(home, functions.auth.ExportAuthorization(dc_id=1), AuthKeyUnregisteredError)
            await home(bot_login())
            for bad_dc in (2, 4, 0, -1):  # the DC you are on, and DCs that do not exist
                await _refused(home, functions.auth.ExportAuthorization(dc_id=bad_dc), DcIdInvalidError)

            exported = await home(functions.auth.ExportAuthorization(dc_id=1))
            assert exported.id == BOT_ID and len(exported.bytes) >= 32
            wrong = bytes([exported.bytes[0] ^ 1]) + exported.bytes[1:]
            for bad in (
                functions.auth.ImportAuthorization(id=BOT_ID, bytes=wrong),
                functions.auth.ImportAuthorization(id=BOT_ID + 1, bytes=exported.bytes),
                functions.auth.ImportAuthorization(id=BOT_ID, bytes=b""),
            ):
                error = await _refused(dc1, bad, AuthBytesInvalidError)
                assert isinstance(error, BadRequestError) and error.code == 400
            # Bytes exported for DC 1 do not open DC 3 (nor are they used up by trying).
            await _refused(dc3, functions.auth.ImportAuthorization(id=BOT_ID, bytes=exported.bytes), AuthBytesInvalidError)
            await _refused(dc1, INVITE, AuthKeyUnregisteredError)

            imported = await dc1(functions.auth.ImportAuthorization(id=BOT_ID, bytes=exported.bytes))
            assert (imported.user.id, imported.user.bot) == (BOT_ID, True)
            invite = await dc1(INVITE)
            assert invite.admin_id == BOT_ID
            # Single use: the same bytes again are refused, on any key.
            await _refused(dc1, functions.auth.ImportAuthorization(id=BOT_ID, bytes=exported.bytes), AuthBytesInvalidError)
            async with client_on(telegram, 1) as another:
                await _refused(
                    another, functions.auth.ImportAuthorization(id=BOT_ID, bytes=exported.bytes), AuthBytesInvalidError
                )

            # DC 1, logged in by import, can export onwards to DC 3.
            onward = await dc1(functions.auth.ExportAuthorization(dc_id=3))
            assert (await dc3(functions.auth.ImportAuthorization(id=onward.id, bytes=onward.bytes))).user.id == BOT_ID
            assert (await dc3(functions.users.GetUsers(id=[types.InputUserSelf()])))[0].id == BOT_ID

            # auth.logOut takes the login back on that DC only.
            assert isinstance(await dc1(functions.auth.LogOut()), types.auth.LoggedOut)
            await _refused(dc1, INVITE, AuthKeyUnregisteredError)
            assert (await home(INVITE)).admin_id == BOT_ID
            assert (await dc3(INVITE)).admin_id == BOT_ID


def test_export_and_import_authorization_across_dcs(server_key: RSAPrivateKey) -> None:
    run(_export_import(server_key))


BAD_TOKENS = [
    "4242:wrong-secret-AAAAAAAAAAAAAAAAAAAAAAAA",  # an issued bot, another secret
    "9999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",  # well formed, never issued
    "4242",  # no secret
    "4242:",  # empty secret
    ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",  # no bot id
    "0042:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",  # not a canonical id
    "4242:AAH dq",  # a character no token has
    "x" * 5000,
]


async def _bad_tokens(server_key: RSAPrivateKey) -> None:
    async with _telegram(server_key) as telegram:
        async with client_on(telegram, 2) as home, client_on(telegram, 1) as dc1:
            for token in BAD_TOKENS:
                # A bad token is refused as such, wherever it is tried (no migration hint leaks a bot's DC).
                for client in (home, dc1):
                    error = await _refused(client, bot_login(token), AccessTokenInvalidError)
                    assert (error.code, error.message) == (400, "ACCESS_TOKEN_INVALID")
            await _refused(home, INVITE, AuthKeyUnregisteredError)
            assert telegram.accounts.authorization_count == 0


def test_bad_bot_tokens_are_refused(server_key: RSAPrivateKey) -> None:
    run(_bad_tokens(server_key))


async def _any_token_and_home_dcs(server_key: RSAPrivateKey) -> None:
    async with _telegram(server_key, any_bot_token=True, bots=[TOKEN, ("777:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 3)]) as telegram:
        async with client_on(telegram, 1) as dc1, client_on(telegram, 3) as dc3:
            # Any well-formed token logs in, on bot_home_dc (2)...
            error = await _refused(dc1, bot_login("31337:any-secret_at-all"), UserMigrateError)
            assert error.dc_id == 2
            # ...but an issued bot still needs its own secret.
            await _refused(dc1, bot_login("4242:not-the-issued-secret"), AccessTokenInvalidError)
            # A bot issued with home DC 3 is sent there, and logs in there.
            assert (await _refused(dc1, bot_login("777:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), UserMigrateError)).dc_id == 3
            assert (await dc3(bot_login("777:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))).user.id == 777
        async with client_on(telegram, 2) as dc2:
            assert (await dc2(bot_login("31337:any-secret_at-all"))).user.id == 31337


def test_any_bot_token_and_home_dcs(server_key: RSAPrivateKey) -> None:
    run(_any_token_and_home_dcs(server_key))

"""The shared registry of a loopback Telegram, without sockets: tokens, home DCs, authorizations,
exported bytes (single use, per target DC, expiring, bounded), and the login table."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from tlruntime.errors import RPCError, TLError
from tlruntime.server import ALLOWED_WITHOUT_LOGIN, Accounts, AccountsError, HandlerRegistry, RequestContext
from tlruntime.server.accounts import parse_bot_token
from tlruntime.server.login import authorization_key, install_login_handlers, needs_login
from tlruntime.tl import functions, types

from server_dc_support import BOT_ID, TOKEN

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _accounts(**options: Any) -> Accounts:
    rng = random.Random(8)
    options.setdefault("bots", [TOKEN])
    return Accounts((1, 2, 3), random_bytes=rng.randbytes, **options)


def _code(call: Any) -> tuple[int, str]:
    with pytest.raises(RPCError) as caught:
        call()
    return caught.value.code, caught.value.message


def test_tokens_parse_strictly() -> None:
    assert parse_bot_token(TOKEN) == (BOT_ID, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    assert parse_bot_token("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11") == (123456, "ABC-DEF1234ghIkl-zyx57W2v1u123ew11")
    for bad in ["", "1:", ":a", "01:a", "-1:a", "1:a b", "1:a:b", f"{1 << 53}:a", "1:" + "a" * 129, None, 5, b"1:a"]:
        assert parse_bot_token(bad) is None, bad


def test_bot_login_home_dc_and_migrate() -> None:
    accounts = _accounts()
    assert _code(lambda: accounts.import_bot_authorization(1, 11, TOKEN)) == (303, "USER_MIGRATE_2")
    assert _code(lambda: accounts.import_bot_authorization(3, 11, TOKEN)) == (303, "USER_MIGRATE_2")
    assert accounts.account_of(1, 11) is None
    bot = accounts.import_bot_authorization(2, 11, TOKEN)
    assert (bot.user_id, bot.bot, bot.home_dc) == (BOT_ID, True, 2)
    assert accounts.account_of(2, 11) == bot and accounts.account_of(1, 11) is None and accounts.account_of(2, 12) is None
    assert accounts.log_out(2, 11) is True and accounts.account_of(2, 11) is None
    assert accounts.log_out(2, 11) is False
    for bad in ["4242:other", "1:AAA", "junk"]:
        assert _code(lambda: accounts.import_bot_authorization(2, 11, bad)) == (400, "ACCESS_TOKEN_INVALID")


def test_home_dc_is_clipped_to_the_dcs_that_exist() -> None:
    assert Accounts((1,), bot_home_dc=2).bot_home_dc == 1
    assert Accounts((1, 2, 3), bot_home_dc=2).bot_home_dc == 2
    assert Accounts((1, 2, 3), bot_home_dc=9).bot_home_dc == 3
    assert Accounts((3, 4), bot_home_dc=2).bot_home_dc == 3
    single = Accounts((5,), bots=[TOKEN])
    assert single.import_bot_authorization(5, 1, TOKEN).home_dc == 5


def test_bad_configuration_is_a_typed_error() -> None:
    for build in (
        lambda: Accounts(()),
        lambda: Accounts((0, 1)),
        lambda: Accounts(("1", 2)),  # type: ignore[arg-type]
        lambda: Accounts((1, 2), bots=["not a token"]),
        lambda: Accounts((1, 2), bots=[(TOKEN, 3)]),
        lambda: Accounts((1, 2), bots=[TOKEN, "4242:another-secret"]),
    ):
        with pytest.raises(AccountsError) as caught:
            build()
        assert isinstance(caught.value, TLError)


def test_exported_bytes_single_use_per_dc_and_expiring() -> None:
    clock = FakeClock()
    accounts = _accounts(clock=clock, export_ttl=60)
    accounts.import_bot_authorization(2, 21, TOKEN)
    assert _code(lambda: accounts.export_authorization(1, 99, 3)) == (401, "AUTH_KEY_UNREGISTERED")
    for bad_dc in (2, 4, 0):
        assert _code(lambda: accounts.export_authorization(2, 21, bad_dc)) == (400, "DC_ID_INVALID")

    user_id, data = accounts.export_authorization(2, 21, 3)
    assert user_id == BOT_ID and len(data) == 32
    assert _code(lambda: accounts.import_authorization(1, 31, BOT_ID, data)) == (400, "AUTH_BYTES_INVALID")  # other DC
    assert _code(lambda: accounts.import_authorization(3, 31, BOT_ID + 1, data)) == (400, "AUTH_BYTES_INVALID")
    assert accounts.import_authorization(3, 31, BOT_ID, data).user_id == BOT_ID
    assert _code(lambda: accounts.import_authorization(3, 32, BOT_ID, data)) == (400, "AUTH_BYTES_INVALID")  # used

    _, late = accounts.export_authorization(2, 21, 1)
    clock.now += 59
    _, in_time = accounts.export_authorization(2, 21, 1)
    clock.now += 2  # 'late' is 61 s old, 'in_time' 2 s
    assert _code(lambda: accounts.import_authorization(1, 41, BOT_ID, late)) == (400, "AUTH_BYTES_INVALID")
    assert accounts.import_authorization(1, 41, BOT_ID, in_time).user_id == BOT_ID


def test_unused_exports_are_bounded() -> None:
    accounts = _accounts()
    accounts.import_bot_authorization(2, 21, TOKEN)
    first = accounts.export_authorization(2, 21, 1)[1]
    for _ in range(5000):
        last = accounts.export_authorization(2, 21, 1)[1]
    assert _code(lambda: accounts.import_authorization(1, 1, BOT_ID, first)) == (400, "AUTH_BYTES_INVALID")
    assert accounts.import_authorization(1, 1, BOT_ID, last).user_id == BOT_ID


def test_seeded_randomness_gives_the_same_accounts() -> None:
    def run_once() -> tuple[int, bytes]:
        accounts = _accounts()
        bot = accounts.import_bot_authorization(2, 1, TOKEN)
        return bot.access_hash, accounts.export_authorization(2, 1, 1)[1]

    assert run_once() == run_once()


def _ctx(auth_key_id: int, perm_auth_key_id: int | None, dc_id: int) -> RequestContext:
    return RequestContext(
        registry=HandlerRegistry(), auth_key_id=auth_key_id, session_id=1, msg_id=4, dc_id=dc_id,
        perm_auth_key_id=perm_auth_key_id,
    )  # fmt: skip


def test_authorization_hangs_on_the_permanent_key() -> None:
    assert authorization_key(_ctx(5, None, 2)) == 5
    assert authorization_key(_ctx(5, 77, 2)) == 77
    accounts = _accounts()
    registry = HandlerRegistry()
    install_login_handlers(registry, accounts)
    # A temp key (5) bound to permanent key 77 logs in: the login belongs to 77, as Telegram keeps it.
    answer = registry.call(functions.auth.ImportBotAuthorization(flags=0, api_id=1, api_hash="", bot_auth_token=TOKEN), _ctx(5, 77, 2))
    assert isinstance(answer, types.auth.Authorization) and answer.user.id == BOT_ID
    assert accounts.account_of(2, 77) is not None and accounts.account_of(2, 5) is None
    # The next temp key bound to 77 is logged in; logging out through it logs 77 out.
    assert registry.call(functions.auth.ExportAuthorization(dc_id=1), _ctx(6, 77, 2)).id == BOT_ID
    registry.call(functions.auth.LogOut(), _ctx(6, 77, 2))
    assert accounts.account_of(2, 77) is None


def _schema_function_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "schema" / "mtproto.tl", ROOT / "schema" / "api.tl"):
        in_functions = False
        for line in path.read_text().splitlines():
            if line.startswith("---"):
                in_functions = line.strip() == "---functions---"
            elif in_functions and (match := re.match(r"([A-Za-z_][\w.]*)#", line)):
                names.add(match.group(1))
    return names


def test_login_table_names_real_functions() -> None:
    missing = ALLOWED_WITHOUT_LOGIN - _schema_function_names()
    assert not missing, f"not TL functions of our layer: {sorted(missing)}"
    assert not needs_login(functions.help.GetConfig())
    assert not needs_login(functions.auth.ImportBotAuthorization(flags=0, api_id=1, api_hash="", bot_auth_token=""))
    for request in (
        functions.messages.ExportChatInvite(peer=types.InputPeerEmpty()),
        functions.users.GetUsers(id=[types.InputUserSelf()]),
        functions.auth.ExportAuthorization(dc_id=1),
        functions.updates.GetState(),
    ):
        assert needs_login(request)

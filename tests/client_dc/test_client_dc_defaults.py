"""Where a client connects by default (checked without connecting: tests never reach Telegram), and the DC directory."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from client_dc_support import HOST, dialled, run
from tlruntime.client import Client
from tlruntime.client.dcs import DcDirectory
from tlruntime.client.migration import ClientArgumentError
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError
from tlruntime.server import LoopbackServer
from tlruntime.storage import SessionStore
from tlruntime.telegram import UnknownDcError, builtin_dc_table, dc_address, telegram_public_keys
from tlruntime.tl import types

PRODUCTION_KEY = 0xD09D1D85DE64FD85
TEST_KEY = 0xB25898DF208D2603


def _fingerprints(client: Client) -> list[int]:
    return [key.fingerprint & (2**64 - 1) for key in client.public_keys]


def test_dc_id_alone_means_telegrams_production_dc() -> None:
    dialled()
    client = Client(dc_id=2, api_id=1, api_hash="0" * 32)
    assert (client.host, client.port) == ("149.154.167.51", 443) == dc_address(2)
    assert _fingerprints(client)[0] == PRODUCTION_KEY
    assert _fingerprints(client) == [key.fingerprint & (2**64 - 1) for key in telegram_public_keys()]
    assert client.home_dc == 2 and client.dc_table == builtin_dc_table()
    assert (Client(dc_id=4).host, Client(dc_id=4).port) == ("149.154.167.91", 443)
    assert Client().dc_id == 2  # the default DC, as before
    v6 = Client(dc_id=2, ipv6=True)
    assert (v6.host, v6.port) == ("2001:67c:4e8:f002::a", 443) == dc_address(2, ipv6=True)
    assert dialled() == []  # constructing a client connects nowhere


def test_test_true_means_the_test_dcs_and_their_key() -> None:
    client = Client(dc_id=2, test=True)
    assert (client.host, client.port) == ("149.154.167.40", 443) == dc_address(2, test=True)
    assert _fingerprints(client) == [TEST_KEY]
    assert client.dc_table == builtin_dc_table(test=True)
    with pytest.raises(UnknownDcError):
        Client(dc_id=4, test=True)  # the test servers have DC 1..3


def test_explicit_arguments_override_everything() -> None:
    key = RSAPrivateKey.generate(1024).public_key
    client = Client(HOST, 4444, key, dc_id=3, test=True)
    assert (client.host, client.port, client.public_keys, client.dc_id) == (HOST, 4444, [key], 3)
    assert client.dc_table.dc_ids() == ()  # no built-in table: other DCs come from this server only
    only_host = Client("10.0.0.1")
    assert (only_host.host, only_host.port) == ("10.0.0.1", 443)
    assert _fingerprints(only_host)[0] == PRODUCTION_KEY


@pytest.mark.parametrize(
    "arguments, error",
    [
        ({"dc_id": 9}, UnknownDcError),
        ({"dc_id": 0}, ClientArgumentError),
        ({"dc_id": True}, ClientArgumentError),
        ({"port": 443}, ClientArgumentError),
    ],
)
def test_impossible_arguments_are_typed_errors(arguments: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        Client(**arguments)  # type: ignore[arg-type]


def test_test_dcs_are_numbered_from_10000_in_the_handshake() -> None:
    """The server checks the DC id of p_q_inner_data_dc: a test-mode client sends 10000 + dc_id."""
    key = RSAPrivateKey.generate(2048)

    async def scenario() -> None:
        async with LoopbackServer(host=HOST, port=0, private_key=key, dc_id=10_002) as server:
            for transport in ("intermediate", "obfuscated-padded"):
                async with Client(HOST, server.port, server.public_key, dc_id=2, test=True, transport=transport) as client:
                    assert (await client.ping()).ping_id is not None
            production = Client(HOST, server.port, server.public_key, dc_id=2, max_reconnects=0, connect_timeout=5)
            with pytest.raises(ConnectionLostError):
                await production.connect()  # DC 2 is not this server's 10002
            await production.close()

    run(scenario())


# --- the directory --------------------------------------------------------------------


def _config(*options: types.DcOption, lifetime: int = 3600) -> SimpleNamespace:
    return SimpleNamespace(dc_options=list(options), date=1000, expires=1000 + lifetime)


def test_a_custom_directory_knows_its_server_only() -> None:
    directory = DcDirectory.create(dc_id=1, test=False, explicit=(HOST, 5001))
    assert directory.address(1) == (HOST, 5001)
    assert directory.address(2) is None  # not Telegram's 149.154.167.51
    with pytest.raises(UnknownDcError):
        directory.require_address(2)
    directory.refresh(
        _config(
            types.DcOption(id=2, ip_address="::1", port=6002, ipv6=True),
            types.DcOption(id=2, ip_address=HOST, port=5003, media_only=True),
            types.DcOption(id=2, ip_address=HOST, port=5002),
        ),
        now=50.0,
    )
    assert directory.address(2) == (HOST, 5002)  # IPv4, not media-only
    assert directory.address(5) is None
    assert directory.is_fresh(50.0 + 3599) and not directory.is_fresh(50.0 + 3600)
    directory.ipv6 = True
    assert directory.address(2) == ("::1", 6002)


def test_a_telegram_directory_refreshes_and_keeps_the_built_ins() -> None:
    directory = DcDirectory.create(dc_id=2, test=False, explicit=None)
    assert directory.address(5) == dc_address(5)
    assert not directory.is_fresh(0.0)
    directory.refresh(_config(types.DcOption(id=2, ip_address="149.154.167.50", port=443), lifetime=-5), now=10.0)
    assert directory.address(2) == ("149.154.167.50", 443)
    assert directory.address(5) == dc_address(5)  # DCs the config did not list keep their addresses
    assert directory.is_fresh(69.0) and not directory.is_fresh(70.0)  # an expired config: asked again after 60 s


def test_a_stored_table_from_another_origin_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "mixed.session"
    telegram = DcDirectory.create(dc_id=2, test=False, explicit=None)
    telegram.home_dc = 4
    with SessionStore(path) as store:
        telegram.save(store)

    # A Telegram client takes it: its home is DC 4, at the built-in address (nothing dialled to find out).
    client = Client(dc_id=2, session_path=path)
    assert (client.home_dc, client.dc_id, client.host) == (4, 4, dc_address(4)[0])
    run(client.close())

    # A client of a custom server never does: its home and table are its own.
    custom = Client(HOST, 5001, RSAPrivateKey.generate(1024).public_key, dc_id=1, session_path=path)
    assert (custom.home_dc, custom.dc_id, custom.host) == (1, 1, HOST)
    assert custom.dc_table.dc_ids() == ()
    run(custom.close())

    # And the test DCs do not take the production table.
    test = Client(dc_id=2, test=True, session_path=path)
    assert test.home_dc == 2
    run(test.close())


def test_a_stored_table_of_another_server_is_ignored(tmp_path: Path) -> None:
    """A session file reused against a new loopback server (other ports) starts from the given address."""
    path = tmp_path / "reused.session"
    key = RSAPrivateKey.generate(1024).public_key
    old = DcDirectory.create(dc_id=1, test=False, explicit=(HOST, 5001))
    old.refresh(_config(types.DcOption(id=2, ip_address=HOST, port=5002)), now=0.0)
    old.home_dc = 2
    with SessionStore(path) as store:
        old.save(store)
    same = Client(HOST, 5001, key, dc_id=1, session_path=path)
    assert (same.home_dc, same.port) == (2, 5002)  # the same server: its table and the home DC are kept
    run(same.close())
    other = Client(HOST, 6001, key, dc_id=1, session_path=path)
    assert (other.home_dc, other.port, other.dc_table.dc_ids()) == (1, 6001, ())
    run(other.close())


def test_an_unreadable_stored_table_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "broken.session"
    with SessionStore(path) as store:
        store.set_value("dc_table", "{not json")
        store.set_value("home_dc", "3")
    client = Client(dc_id=2, session_path=path)
    assert client.home_dc == 2
    run(client.close())
    with SessionStore(path) as store:
        store.set_value("dc_table", '{"origin": "telegram", "table": {"test": false, "endpoints": [{"dc_id": -1}]}}')
    client = Client(dc_id=2, session_path=path)
    assert client.home_dc == 2
    run(client.close())

"""The built-in DC table, pinned, cross-checked with the peers; the table help.getConfig refreshes."""

from __future__ import annotations

import pytest

from tlruntime.errors import TLError
from tlruntime.telegram import (
    DcEndpoint,
    DcTable,
    DcTableError,
    UnknownDcError,
    builtin_dc_table,
    dc_address,
    dc_ids,
    dc_table_from_options,
)
from tlruntime.tl import deserialize
from tlruntime.tl.types import Config, DcOption

PRODUCTION = {
    1: ("149.154.175.53", "2001:b28:f23d:f001::a"),
    2: ("149.154.167.51", "2001:67c:4e8:f002::a"),
    3: ("149.154.175.100", "2001:b28:f23d:f003::a"),
    4: ("149.154.167.91", "2001:67c:4e8:f004::a"),
    5: ("91.108.56.130", "2001:b28:f23f:f005::a"),
}
TEST = {
    1: ("149.154.175.10", "2001:b28:f23d:f001::e"),
    2: ("149.154.167.40", "2001:67c:4e8:f002::e"),
    3: ("149.154.175.117", "2001:b28:f23d:f003::e"),
}


@pytest.mark.parametrize(("test", "table"), [(False, PRODUCTION), (True, TEST)], ids=("production", "test"))
def test_builtin_addresses_are_pinned(test: bool, table: dict[int, tuple[str, str]]) -> None:
    assert dc_ids(test) == tuple(sorted(table))
    for dc_id, (v4, v6) in table.items():
        assert dc_address(dc_id, test=test) == (v4, 443)
        assert dc_address(dc_id, test=test, ipv6=True) == (v6, 443)


def test_dc_2_is_where_telethon_and_kurigram_start() -> None:
    from pyrogram.storage import sqlite_storage
    from telethon.client import telegrambaseclient

    assert dc_address(2) == (telegrambaseclient.DEFAULT_IPV4_IP, 443)
    assert dc_address(2, ipv6=True)[0] == telegrambaseclient.DEFAULT_IPV6_IP
    assert telegrambaseclient.DEFAULT_DC_ID == 2
    for dc_id in dc_ids():
        assert dc_address(dc_id)[0] == sqlite_storage.PROD[dc_id]
    for dc_id in dc_ids(test=True):
        assert dc_address(dc_id, test=True)[0] == sqlite_storage.TEST[dc_id]


@pytest.mark.parametrize(("dc_id", "test"), [(6, False), (0, False), (4, True), (-2, False), ("2", False)])
def test_unknown_dc_is_a_typed_error(dc_id: object, test: bool) -> None:
    with pytest.raises(UnknownDcError) as caught:
        dc_address(dc_id, test=test)  # type: ignore[arg-type]
    assert isinstance(caught.value, TLError)
    assert caught.value.dc_id == dc_id and caught.value.test is test


def _option(dc_id: int, ip: str, port: int = 443, **flags: object) -> DcOption:
    return DcOption(id=dc_id, ip_address=ip, port=port, **flags)  # type: ignore[arg-type]


OPTIONS = [
    _option(1, "149.154.175.59"),
    _option(1, "149.154.175.55", tcpo_only=True),
    _option(1, "2001:b28:f23d:f001::a", ipv6=True),
    _option(2, "149.154.167.41", 443),
    _option(2, "149.154.167.222", 443, media_only=True),
    _option(2, "149.154.167.40", 8888, secret=bytes(range(16))),
    _option(4, "149.154.167.92", 443, cdn=True),
    _option(4, "149.154.166.120", 443, media_only=True),
    _option(203, "91.105.192.100", 443),
]


def test_table_from_dc_options_keeps_every_flag() -> None:
    table = dc_table_from_options(OPTIONS)
    assert table.dc_ids() == (1, 2, 4, 203)
    assert table.endpoints_of(2)[2] == DcEndpoint(2, "149.154.167.40", 8888, secret=bytes(range(16)))
    assert table.endpoints_of(1)[1].tcpo_only and not table.endpoints_of(1)[1].plain_mtproto
    assert table.endpoints_of(1)[2].ipv6


def test_address_picks_plain_endpoints_and_falls_back_to_builtin() -> None:
    table = dc_table_from_options(OPTIONS)
    assert table.address(1) == ("149.154.175.59", 443)
    assert table.address(1, ipv6=True) == ("2001:b28:f23d:f001::a", 443)
    assert table.address(2) == ("149.154.167.41", 443)
    assert table.address(2, media=True) == ("149.154.167.222", 443)
    assert table.address(4, media=True) == ("149.154.166.120", 443)
    assert table.address(4) == dc_address(4)  # only CDN / media-only listed: the built-in one is used
    assert table.address(3) == dc_address(3)
    assert table.address(203) == ("91.105.192.100", 443)
    with pytest.raises(UnknownDcError):
        table.address(9)


def test_a_real_config_object_refreshes_the_table() -> None:
    config = Config(
        date=1_700_000_000, expires=1_700_003_600, test_mode=False, this_dc=2, dc_options=OPTIONS,
        dc_txt_domain_name="apv3.stel.com", chat_size_max=200, megagroup_size_max=200000, forwarded_count_max=100,
        online_update_period_ms=210000, offline_blur_timeout_ms=5000, offline_idle_timeout_ms=30000,
        online_cloud_timeout_ms=300000, notify_cloud_delay_ms=30000, notify_default_delay_ms=1500,
        push_chat_period_ms=60000, push_chat_limit=2, edit_time_limit=172800, revoke_time_limit=2147483647,
        revoke_pm_time_limit=2147483647, rating_e_decay=2419200, stickers_recent_limit=200,
        channels_read_media_period=604800, call_receive_timeout_ms=20000, call_ring_timeout_ms=90000,
        call_connect_timeout_ms=30000, call_packet_timeout_ms=10000, me_url_prefix="https://t.me/",
        caption_length_max=1024, message_length_max=4096, webfile_dc_id=4,
    )  # fmt: skip
    decoded = deserialize(bytes(config))
    refreshed = builtin_dc_table().refreshed(decoded.dc_options)
    assert refreshed.address(2) == ("149.154.167.41", 443)
    # DCs the config does not mention keep their built-in endpoints
    assert refreshed.address(5) == dc_address(5)
    assert refreshed.address(5, ipv6=True) == dc_address(5, ipv6=True)
    assert len(refreshed.endpoints_of(3)) == 2
    assert refreshed.dc_ids() == (1, 2, 3, 4, 5, 203)


def test_table_survives_a_store_round_trip() -> None:
    table = builtin_dc_table(test=True).refreshed(OPTIONS[:6])
    assert DcTable.from_dict(table.to_dict()) == table
    import json

    assert DcTable.from_dict(json.loads(json.dumps(table.to_dict()))) == table


@pytest.mark.parametrize(
    "option",
    [
        _option(1, "not-an-ip"),
        _option(1, "149.154.175.59", ipv6=True),
        _option(1, "2001:b28:f23d:f001::a"),
        _option(1, "149.154.175.59", port=0),
        _option(1, "149.154.175.59", port=70000),
        _option(0, "149.154.175.59"),
    ],
    ids=("hostname", "v4-flagged-v6", "v6-unflagged", "port-0", "port-big", "dc-0"),
)
def test_malformed_dc_option_is_named(option: DcOption) -> None:
    with pytest.raises(DcTableError, match=r"dc_options\[1\]"):
        dc_table_from_options([OPTIONS[0], option])


@pytest.mark.parametrize(
    "stored",
    [{}, {"test": "no", "endpoints": []}, {"test": False, "endpoints": [{"dc_id": 1}]},
     {"test": False, "endpoints": [{"dc_id": 1, "host": "1.2.3.4", "port": 443, "secret": "zz"}]}],
)  # fmt: skip
def test_malformed_stored_table_is_a_typed_error(stored: dict[str, object]) -> None:
    with pytest.raises(DcTableError):
        DcTable.from_dict(stored)


def test_non_option_objects_are_refused() -> None:
    with pytest.raises(DcTableError, match="not a dcOption"):
        dc_table_from_options([object()])


def test_to_dc_options_is_the_inverse_a_server_answers_with() -> None:
    table = dc_table_from_options(OPTIONS)
    options = table.to_dc_options()
    assert all(isinstance(option, DcOption) for option in options)
    assert [bytes(option) for option in options] == [bytes(option) for option in OPTIONS]
    assert dc_table_from_options(deserialize(bytes(option)) for option in options) == table
    loopback = DcTable(False, tuple(DcEndpoint(dc_id, "127.0.0.1", 40000 + dc_id) for dc_id in (1, 2, 3)))
    assert [(o.id, o.ip_address, o.port, o.ipv6) for o in loopback.to_dc_options()] == [
        (1, "127.0.0.1", 40001, False),
        (2, "127.0.0.1", 40002, False),
        (3, "127.0.0.1", 40003, False),
    ]

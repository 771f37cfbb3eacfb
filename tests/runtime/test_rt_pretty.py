"""Readable values: the multi-line pretty form (also ``str``) and ``to_json`` beside ``to_dict``."""

from __future__ import annotations

import base64
import json
import math

import pytest

from tlruntime.pretty import BYTES_SHOWN, MAX_SAFE_INTEGER, pretty, to_json
from tlruntime.tl import functions, types

LONG_MAX = (1 << 63) - 1


def _invite(**extra: object) -> types.ChatInviteExported:
    fields: dict[str, object] = dict(
        link="https://t.me/+AbCdEfGh", admin_id=LONG_MAX, date=1700000000, revoked=True, title="équipe"
    )
    fields.update(extra)
    return types.ChatInviteExported(**fields)  # type: ignore[arg-type]


def test_short_object_stays_on_one_line_and_leaves_out_absent_fields() -> None:
    req = functions.messages.ExportChatInvite(peer=types.InputPeerChannel(channel_id=1, access_hash=2), title="t")
    # None fields and unset `true` flags are left out
    assert req.pretty() == "ExportChatInvite(peer=InputPeerChannel(channel_id=1, access_hash=2), title='t')"
    assert str(req) == req.pretty()
    assert str(types.InputPeerEmpty()) == "InputPeerEmpty()"


def test_long_object_breaks_one_field_per_line_with_nested_objects_and_lists() -> None:
    invite = _invite(subscription_pricing=types.StarsSubscriptionPricing(period=2592000, amount=100))
    page = types.messages.ExportedChatInvites(count=2, invites=[invite, _invite(revoked=False)], users=[])
    assert page.pretty() == "\n".join([
        "ExportedChatInvites(",
        "  count=2,",
        "  invites=[",
        "    ChatInviteExported(",
        "      revoked=True,",
        "      link='https://t.me/+AbCdEfGh',",
        f"      admin_id={LONG_MAX},",
        "      date=1700000000,",
        "      title='équipe',",
        "      subscription_pricing=StarsSubscriptionPricing(period=2592000, amount=100),",
        "    ),",
        "    ChatInviteExported(",
        "      link='https://t.me/+AbCdEfGh',",
        f"      admin_id={LONG_MAX},",
        "      date=1700000000,",
        "      title='équipe',",
        "    ),",
        "  ],",
        "  users=[],",
        ")",
    ])


def test_width_and_indent_are_honoured() -> None:
    invite = _invite()
    text = invite.pretty(indent=4, width=40)
    lines = text.splitlines()
    assert lines[0] == "ChatInviteExported(" and lines[-1] == ")"
    assert all(line.startswith("    ") for line in lines[1:-1])
    assert invite.pretty(width=1000).count("\n") == 0
    with pytest.raises(ValueError):
        invite.pretty(width=0)


def test_bool_false_is_a_value_and_stays() -> None:
    action = types.ChannelAdminLogEventActionToggleForum(new_value=False)
    assert action.pretty() == "ChannelAdminLogEventActionToggleForum(new_value=False)"


def test_long_bytes_are_abbreviated_short_ones_are_literals() -> None:
    short = types.ClientDHInnerData(nonce=1, server_nonce=-2, retry_id=0, g_b=b"\x01\x02")
    assert "g_b=b'\\x01\\x02'" in short.pretty()
    long_value = bytes(range(256)) * 2
    text = types.ClientDHInnerData(nonce=1, server_nonce=-2, retry_id=0, g_b=long_value).pretty()
    assert f"<{len(long_value)} bytes: {long_value[:32].hex()}…>" in text
    assert len(text) < 300 and BYTES_SHOWN == 64


def test_pretty_of_plain_values_and_lists() -> None:
    assert pretty([types.InputPeerSelf(), True, 3]) == "[InputPeerSelf(), True, 3]"
    assert pretty("x") == "'x'"


def test_to_json_is_to_dict_with_json_types_in_schema_order() -> None:
    invite = _invite(subscription_pricing=types.StarsSubscriptionPricing(period=1, amount=-LONG_MAX - 1))
    text = invite.to_json()
    data = json.loads(text)
    assert data == invite.to_dict()  # no bytes in this one: identical
    assert list(data) == ["_"] + [f.name for f in types.ChatInviteExported.FIELDS if f.tl_type != "#"]
    assert data["admin_id"] == LONG_MAX  # exact, never through a float
    assert data["subscription_pricing"]["amount"] == -(1 << 63)
    assert "équipe" in text  # UTF-8, not \\u escapes
    assert invite.to_json() == text  # deterministic
    assert json.loads(invite.to_json(indent=2)) == data and "\n" in invite.to_json(indent=2)


def test_to_json_bytes_base64_or_hex() -> None:
    value = types.ClientDHInnerData(nonce=1 << 100, server_nonce=-2, retry_id=0, g_b=b"\xff\x00abc")
    assert json.loads(value.to_json())["g_b"] == base64.b64encode(b"\xff\x00abc").decode()
    assert json.loads(value.to_json(bytes_as="hex"))["g_b"] == "ff00616263"
    with pytest.raises(ValueError):
        value.to_json(bytes_as="base85")  # type: ignore[arg-type]


def test_to_json_big_ints_as_strings_for_double_based_readers() -> None:
    value = types.ClientDHInnerData(nonce=1 << 100, server_nonce=MAX_SAFE_INTEGER, retry_id=-MAX_SAFE_INTEGER - 1, g_b=b"")
    plain = json.loads(value.to_json())
    assert plain["nonce"] == 1 << 100
    safe = json.loads(value.to_json(big_ints_as_strings=True))
    assert safe["nonce"] == str(1 << 100)
    assert safe["server_nonce"] == MAX_SAFE_INTEGER  # still a safe integer
    assert safe["retry_id"] == str(-MAX_SAFE_INTEGER - 1)


def test_to_json_non_finite_doubles_are_strings() -> None:
    point = types.GeoPoint(long=math.inf, lat=math.nan, access_hash=1)
    data = json.loads(point.to_json())
    assert data["long"] == "Infinity" and data["lat"] == "NaN"
    assert json.loads(to_json(types.GeoPoint(long=-math.inf, lat=0.5, access_hash=1)))["long"] == "-Infinity"


def test_to_json_rejects_what_is_no_tl_value() -> None:
    with pytest.raises(TypeError):
        to_json(object())

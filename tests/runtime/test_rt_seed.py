"""The seed request and its result types: every flag combination round-trips; bytes match Telethon."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tlruntime.tl as tl
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.types import (
    ChatInviteExported,
    ChatInvitePublicJoinRequests,
    InputPeerChannel,
    InputPeerChat,
    InputPeerEmpty,
    InputPeerSelf,
    InputPeerUser,
    InputPeerUserFromMessage,
    StarsSubscriptionPricing,
)
from tlruntime.tl.types.messages import ExportedChatInvites

INT = st.integers(-(1 << 31), (1 << 31) - 1)
LONG = st.integers(-(1 << 63), (1 << 63) - 1)
TEXT = st.text(max_size=300)


def optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


PRICING = st.builds(StarsSubscriptionPricing, period=INT, amount=LONG)
PEER = st.one_of(
    st.builds(InputPeerEmpty),
    st.builds(InputPeerSelf),
    st.builds(InputPeerChat, chat_id=LONG),
    st.builds(InputPeerUser, user_id=LONG, access_hash=LONG),
    st.builds(InputPeerChannel, channel_id=LONG, access_hash=LONG),
    st.builds(
        InputPeerUserFromMessage,
        peer=st.builds(InputPeerChannel, channel_id=LONG, access_hash=LONG),
        msg_id=INT,
        user_id=LONG,
    ),
)
REQUEST = st.builds(
    ExportChatInvite,
    legacy_revoke_permanent=st.booleans(),
    request_needed=st.booleans(),
    peer=PEER,
    expire_date=optional(INT),
    usage_limit=optional(INT),
    title=optional(TEXT),
    subscription_pricing=optional(PRICING),
)
INVITE = st.builds(
    ChatInviteExported,
    revoked=st.booleans(),
    permanent=st.booleans(),
    request_needed=st.booleans(),
    link=TEXT,
    admin_id=LONG,
    date=INT,
    start_date=optional(INT),
    expire_date=optional(INT),
    usage_limit=optional(INT),
    usage=optional(INT),
    requested=optional(INT),
    subscription_expired=optional(INT),
    title=optional(TEXT),
    subscription_pricing=optional(PRICING),
)


@settings(max_examples=300)
@given(REQUEST)
def test_export_chat_invite_round_trips(req: ExportChatInvite) -> None:
    data = bytes(req)
    assert data[:4] == (0xA455DE90).to_bytes(4, "little")
    assert ExportChatInvite.from_bytes(data) == req
    assert tl.deserialize(data) == req  # a server reads requests too
    flags = int.from_bytes(data[4:8], "little")
    assert flags == req.flags
    assert bool(flags & 4) == req.legacy_revoke_permanent
    assert bool(flags & 1) == (req.expire_date is not None)


@settings(max_examples=300)
@given(INVITE)
def test_chat_invite_exported_round_trips(inv: ChatInviteExported) -> None:
    data = bytes(inv)
    back = ChatInviteExported.from_bytes(data)
    assert back == inv
    assert bytes(back) == data
    assert tl.deserialize(data) == inv


def test_chat_invite_public_join_requests() -> None:
    data = bytes(ChatInvitePublicJoinRequests())
    assert data == (0xED107AB7).to_bytes(4, "little")
    assert isinstance(tl.deserialize(data), ChatInvitePublicJoinRequests)


@settings(max_examples=50)
@given(st.lists(INVITE | st.builds(ChatInvitePublicJoinRequests), max_size=20))
def test_result_reader_of_the_seed_request(invites: list[object]) -> None:
    req = ExportChatInvite(peer=InputPeerSelf())
    for inv in invites:
        data = b"\x00" * 8 + bytes(inv)  # at an offset, as inside rpc_result
        value, end = req.read_result(data, 8)
        assert value == inv and end == len(data)
    bulk = ExportedChatInvites(count=len(invites), invites=invites, users=[])  # type: ignore[arg-type]
    assert ExportedChatInvites.from_bytes(bytes(bulk)) == bulk


# --- Telethon as the byte oracle -----------------------------------------------------


def _telethon_request(**kwargs: object) -> bytes:
    from telethon.tl import types as t
    from telethon.tl.functions.messages import ExportChatInviteRequest

    peer = t.InputPeerChannel(1234567890, -987654321012)
    pricing = kwargs.pop("subscription_pricing", None)
    expire = kwargs.pop("expire_date", None)
    return ExportChatInviteRequest(
        peer=peer,
        expire_date=None if expire is None else datetime.datetime.fromtimestamp(expire, datetime.timezone.utc),
        subscription_pricing=None if pricing is None else t.StarsSubscriptionPricing(**pricing),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )._bytes()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"legacy_revoke_permanent": True},
        {"request_needed": True, "title": "team"},
        {"expire_date": 1700000000, "usage_limit": 10},
        {"title": "ü" * 200, "subscription_pricing": {"period": 2592000, "amount": 100}},
        {
            "legacy_revoke_permanent": True,
            "request_needed": True,
            "expire_date": 1700000000,
            "usage_limit": 2147483647,
            "title": "team invite",
            "subscription_pricing": {"period": 2592000, "amount": -(1 << 63)},
        },
    ],
)
def test_bytes_equal_telethon(kwargs: dict[str, object]) -> None:
    pricing = kwargs.get("subscription_pricing")
    ours = ExportChatInvite(
        peer=InputPeerChannel(channel_id=1234567890, access_hash=-987654321012),
        legacy_revoke_permanent=bool(kwargs.get("legacy_revoke_permanent", False)),
        request_needed=bool(kwargs.get("request_needed", False)),
        expire_date=kwargs.get("expire_date"),  # type: ignore[arg-type]
        usage_limit=kwargs.get("usage_limit"),  # type: ignore[arg-type]
        title=kwargs.get("title"),  # type: ignore[arg-type]
        subscription_pricing=None if pricing is None else StarsSubscriptionPricing(**pricing),  # type: ignore[arg-type]
    )
    assert bytes(ours) == _telethon_request(**dict(kwargs))

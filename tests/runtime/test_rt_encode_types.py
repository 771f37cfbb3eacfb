"""Object fields are checked against their TL type when serializing: a typed EncodeError names the
class, the field, the expected TL type and what was given (issue 6, part C)."""

from __future__ import annotations

import pytest

import tlruntime.tl
from tlruntime.errors import EncodeError, TLError
from tlruntime.tl.functions import InvokeWithLayer
from tlruntime.tl.functions.help import GetConfig
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.functions.users import GetUsers
from tlruntime.tl.types import (
    FutureSalt,
    FutureSalts,
    InputPeerChannel,
    InputPeerEmpty,
    InputPeerSelf,
    InputUser,
    InputUserSelf,
    RpcResult,
    StarsSubscriptionPricing,
    TlsBlockString,
    TlsClientHello,
)

PRICING = StarsSubscriptionPricing(period=2592000, amount=100)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ExportChatInvite(peer=PRICING),  # type: ignore[arg-type]
         "ExportChatInvite.peer (InputPeer): expected InputPeer, got StarsSubscriptionPricing (starsSubscriptionPricing)"),
        (lambda: ExportChatInvite(peer=InputPeerSelf(), subscription_pricing=InputPeerSelf()),  # type: ignore[arg-type]
         "ExportChatInvite.subscription_pricing (StarsSubscriptionPricing): expected StarsSubscriptionPricing, "
         "got InputPeerSelf (inputPeerSelf)"),
        (lambda: GetUsers(id=[InputPeerEmpty()]),  # type: ignore[list-item]
         "GetUsers.id (Vector<InputUser>): item 0: expected InputUser, got InputPeerEmpty (inputPeerEmpty)"),
        (lambda: GetUsers(id=[InputUserSelf(), "me"]),  # type: ignore[list-item]
         "GetUsers.id (Vector<InputUser>): item 1: expected a TL object of type InputUser, got str"),
        (lambda: ExportChatInvite(peer=None),  # type: ignore[arg-type]
         "ExportChatInvite.peer (InputPeer): expected a TL object of type InputPeer, got NoneType"),
        (lambda: FutureSalts(req_msg_id=1, now=2, salts=[InputPeerSelf()]),  # type: ignore[list-item]
         "FutureSalts.salts (vector<future_salt>): item 0: expected future_salt, got InputPeerSelf (inputPeerSelf)"),
        (lambda: TlsClientHello(blocks=[PRICING]),  # type: ignore[list-item]
         "TlsClientHello.blocks (vector<TlsBlock>): item 0: expected TlsBlock, "
         "got StarsSubscriptionPricing (starsSubscriptionPricing)"),
    ],
)
def test_wrong_tl_type_in_an_object_field_is_an_encode_error(make: object, expected: str) -> None:
    request = make()  # type: ignore[operator]
    with pytest.raises(EncodeError) as info:
        bytes(request)
    assert str(info.value) == expected
    assert isinstance(info.value, TLError)


def test_the_nested_object_names_itself() -> None:
    """A wrong type deep inside is reported by the object that holds it, not by the outer one."""
    outer = InvokeWithLayer(layer=229, query=GetUsers(id=[InputPeerSelf()]))  # type: ignore[list-item]
    with pytest.raises(EncodeError, match=r"^GetUsers\.id \(Vector<InputUser>\): item 0: expected InputUser"):
        bytes(outer)


def test_right_types_still_serialize_and_round_trip() -> None:
    for value in (
        ExportChatInvite(peer=InputPeerChannel(channel_id=1, access_hash=2), subscription_pricing=PRICING),
        GetUsers(id=[InputUserSelf(), InputUser(user_id=5, access_hash=6)]),
        GetUsers(id=[]),
        InvokeWithLayer(layer=229, query=GetConfig()),  # !X: any request
        RpcResult(req_msg_id=1, result=InputPeerSelf()),  # Object: any TL object
        FutureSalts(req_msg_id=1, now=2, salts=[FutureSalt(valid_since=3, valid_until=4, salt=5)]),  # bare
        TlsClientHello(blocks=[TlsBlockString(data="x")]),
    ):
        assert tlruntime.tl.deserialize(bytes(value)) == value

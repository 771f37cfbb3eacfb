"""The generated classes' public surface: introspection, dict/repr/eq, encode errors, results."""

from __future__ import annotations

import struct

import pytest

import tlruntime.tl as tl
from tlruntime.errors import EncodeError
from tlruntime.tl import functions, types
from tlruntime.tlobject import Field, TLObject, TLRequest


def test_introspection() -> None:
    cls = functions.messages.ExportChatInvite
    assert issubclass(cls, TLRequest)
    assert cls.CONSTRUCTOR_ID == 0xA455DE90
    assert cls.TL_NAME == "messages.exportChatInvite"
    assert cls.TL_LINE.startswith("messages.exportChatInvite#a455de90 flags:# ")
    assert cls.FIELDS[0] == Field("flags", "flags", "#", None, None)
    assert cls.FIELDS[1] == Field("legacy_revoke_permanent", "legacy_revoke_permanent", "true", "flags", 2)
    assert cls.FIELDS[3] == Field("peer", "peer", "InputPeer", None, None)
    assert [f.name for f in cls.FIELDS][-1] == "subscription_pricing"
    assert issubclass(types.ChatInviteExported, TLObject)


def test_keyword_only_constructor_and_renamed_params() -> None:
    with pytest.raises(TypeError):
        types.InputPeerChat(5)  # type: ignore[misc]
    # `from` is a Python keyword and `self` a reserved member: one trailing underscore each
    field = next(f for f in types.StoryFwdHeader.FIELDS if f.tl_name == "from")
    assert field.name == "from_"
    header = types.StoryFwdHeader(from_=types.PeerUser(user_id=1), story_id=2)
    assert types.StoryFwdHeader.from_bytes(bytes(header)).from_ == types.PeerUser(user_id=1)
    user = types.User(id=1, self_=True)
    assert types.User.from_bytes(bytes(user)).self_ is True
    assert next(f for f in types.User.FIELDS if f.tl_name == "self").name == "self_"


def test_dict_repr_eq() -> None:
    req = functions.messages.ExportChatInvite(
        peer=types.InputPeerChannel(channel_id=1, access_hash=2), title="t"
    )
    assert req.to_dict() == {
        "_": "messages.exportChatInvite",
        "legacy_revoke_permanent": False,
        "request_needed": False,
        "peer": {"_": "inputPeerChannel", "channel_id": 1, "access_hash": 2},
        "expire_date": None,
        "usage_limit": None,
        "title": "t",
        "subscription_pricing": None,
    }
    assert repr(req).startswith("ExportChatInvite(legacy_revoke_permanent=False, ")
    same = functions.messages.ExportChatInvite(peer=types.InputPeerChannel(channel_id=1, access_hash=2), title="t")
    assert req == same and req != types.InputPeerSelf()
    with pytest.raises(TypeError):
        hash(req)


def test_flags_property() -> None:
    inv = types.ChatInviteExported(link="x", admin_id=1, date=2, revoked=True, title="t")
    assert inv.flags == 1 | 256


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda: types.InputPeerChat(chat_id=1 << 63), "InputPeerChat.chat_id (long)"),
        (lambda: types.StarsSubscriptionPricing(period=1 << 31, amount=0), "period (int)"),
        (lambda: types.StarsSubscriptionPricing(period="1", amount=0), "expected an int"),  # type: ignore[arg-type]
        (
            lambda: functions.messages.ExportChatInvite(peer=types.InputPeerSelf(), title=b"bytes"),  # type: ignore[arg-type]
            "title (string)",
        ),
        (lambda: functions.messages.ExportChatInvite(peer=None), "peer (InputPeer)"),  # type: ignore[arg-type]
        (lambda: functions.messages.ExportChatInvite(peer=5), "peer (InputPeer)"),  # type: ignore[arg-type]
    ],
)
def test_encode_errors_name_the_field(make: object, fragment: str) -> None:
    assert callable(make)
    with pytest.raises(EncodeError) as info:
        bytes(make())
    assert fragment in str(info.value)


def test_shared_flag_bit_must_be_consistent() -> None:
    msg = types.Message(id=1, peer_id=types.PeerUser(user_id=1), date=0, message="hi", views=5)
    with pytest.raises(EncodeError) as info:
        bytes(msg)
    assert "views, forwards share flags.10" in str(info.value)
    msg.forwards = 2
    assert tl.deserialize(bytes(msg)) == msg


def test_second_flags_field() -> None:
    msg = types.Message(id=1, peer_id=types.PeerUser(user_id=1), date=0, message="", offline=True, effect=7)
    back = types.Message.from_bytes(bytes(msg))
    assert back.offline is True and back.effect == 7 and msg.flags2 == (1 << 1) | (1 << 2)


def test_field_named_like_a_builtin() -> None:
    part = functions.upload.SaveFilePart(file_id=1, file_part=2, bytes=b"\x00\x01")
    assert functions.upload.SaveFilePart.from_bytes(bytes(part)).bytes == b"\x00\x01"


def test_vector_and_bool_results() -> None:
    req = functions.messages.GetMessagesViews(peer=types.InputPeerSelf(), id=[1, 2], increment=True)
    assert req.increment is True
    ids_req = functions.contacts.GetContactIDs(hash=0)
    data = struct.pack("<II3i", 0x1CB5C415, 3, 1, -2, 3)
    assert ids_req.read_result(data) == ([1, -2, 3], len(data))
    bool_req = functions.auth.ResetAuthorizations()
    assert bool_req.read_result(struct.pack("<I", 0x997275B5)) == (True, 4)


def test_generic_wrappers_read_the_wrapped_result() -> None:
    inner = functions.contacts.GetContactIDs(hash=0)
    wrapped = functions.InvokeWithLayer(layer=229, query=functions.InitConnection(
        api_id=1, device_model="d", system_version="s", app_version="a",
        system_lang_code="en", lang_pack="", lang_code="en", query=inner,
    ))
    data = struct.pack("<II", 0x1CB5C415, 1) + struct.pack("<i", 42)
    assert wrapped.read_result(data) == ([42], len(data))
    assert tl.deserialize(bytes(wrapped)) == wrapped


def test_mtproto_bare_vector_of_bare_constructor() -> None:
    salts = types.FutureSalts(req_msg_id=1, now=2, salts=[types.FutureSalt(valid_since=1, valid_until=2, salt=3)])
    data = bytes(salts)
    assert data[16:20] == struct.pack("<I", 1)  # bare vector: count, no 0x1cb5c415
    assert tl.deserialize(data) == salts


def test_int128_fields() -> None:
    nonce = -(1 << 127)
    req = functions.ReqPqMulti(nonce=nonce)
    assert bytes(req)[4:] == nonce.to_bytes(16, "little", signed=True)
    assert functions.ReqPqMulti.from_bytes(bytes(req)).nonce == nonce


def test_object_fields_hold_bools_and_lists() -> None:
    result = types.RpcResult(req_msg_id=5, result=True)
    assert tl.deserialize(bytes(result)) == result

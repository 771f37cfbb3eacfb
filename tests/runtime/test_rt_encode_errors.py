"""Values that cannot be serialized: an EncodeError naming the class and the field, never a raw error."""

from __future__ import annotations

from typing import Any

import pytest

import tlruntime.tl as tl
from tlruntime.binary import pack_bytes, pack_string
from tlruntime.errors import EncodeError, StringEncodeError, TLError, ValueEncodeError
from tlruntime.tl import functions, types
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.types import InputPeerChannel

PEER = InputPeerChannel(channel_id=1, access_hash=2)


@pytest.mark.parametrize(  # lone surrogates that UTF-8 (even with surrogateescape) cannot encode
    "bad, where", [("\ud800", "U+D800 at index 0"), ("ok\udbff", "U+DBFF at index 2"),
                   ("a\udfffb", "U+DFFF at index 1"), ("\ud83d", "U+D83D at index 0")],
)
def test_unencodable_title_names_class_and_field(bad: str, where: str) -> None:
    with pytest.raises(EncodeError) as caught:
        bytes(ExportChatInvite(peer=PEER, title=bad))
    error = caught.value
    assert (error.class_name, error.field) == ("ExportChatInvite", "title")
    assert "ExportChatInvite.title" in str(error) and "UTF-8" in str(error)
    assert where in str(error)
    assert not isinstance(error, UnicodeError)


def test_unencodable_string_in_a_vector_names_the_field_and_item() -> None:
    request = functions.bots.ReorderUsernames(bot=types.InputUserSelf(), order=["a", "b\ud800"])
    with pytest.raises(EncodeError) as caught:
        bytes(request)
    assert (caught.value.class_name, caught.value.field) == ("ReorderUsernames", "order")
    assert "item 1" in str(caught.value)


def test_unencodable_string_in_a_long_field() -> None:
    # Past 253 bytes a string takes the 0xfe long form: a different code path, the same error.
    with pytest.raises(EncodeError) as caught:
        bytes(ExportChatInvite(peer=PEER, title="x" * 400 + "\ud800"))
    assert caught.value.field == "title" and "index 400" in str(caught.value)


def test_the_innermost_object_is_named() -> None:
    bad = types.ChatInviteExported(link="\udbff", admin_id=1, date=2)
    holder = types.messages.ExportedChatInvite(invite=bad, users=[])
    with pytest.raises(EncodeError) as caught:
        bytes(holder)
    assert (caught.value.class_name, caught.value.field) == ("ChatInviteExported", "link")


def test_surrogates_that_carry_bytes_still_round_trip() -> None:
    # U+DC80..U+DCFF are how a read keeps invalid UTF-8: they must write the same bytes back.
    raw = bytes(ExportChatInvite(peer=PEER, title="ok"))
    invalid = raw.replace(b"\x02ok\x00", b"\x02o\xff\x00")
    request = tl.deserialize(invalid)
    assert request.title == "o\udcff"
    assert bytes(request) == invalid
    assert pack_string("a\udc80") == b"\x02a\x80\x00"


def test_pack_string_raises_a_typed_error() -> None:
    with pytest.raises(StringEncodeError) as caught:
        pack_string("x\ud800")
    assert isinstance(caught.value, EncodeError) and isinstance(caught.value, TLError)
    assert "U+D800 at index 1" in str(caught.value)


def test_an_object_nested_past_the_stack_is_an_encode_error() -> None:
    text: Any = types.TextEmpty()
    for _ in range(5000):
        text = types.TextBold(text=text)
    with pytest.raises(EncodeError) as caught:
        bytes(text)
    assert caught.value.class_name == "TextBold" and "nested" in str(caught.value)


def test_a_value_too_long_for_tl_names_the_field() -> None:
    # 2**24 bytes do not fit the 3-byte length of TL's long form.
    request = functions.upload.SaveFilePart(file_id=1, file_part=0, bytes=b"x" * (1 << 24))
    with pytest.raises(EncodeError) as caught:
        bytes(request)
    assert (caught.value.class_name, caught.value.field) == ("SaveFilePart", "bytes")
    assert "16777216 bytes exceed the TL limit of 16777215" in str(caught.value)
    with pytest.raises(ValueEncodeError):  # the packer alone cannot name a field, but is typed
        pack_bytes(b"x" * (1 << 24))

"""tlruntime.testing: schema-derived hypothesis strategies, valid by construction."""

from __future__ import annotations

import subprocess
import sys
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tlruntime.tl
from tlruntime.testing import INT_BITS, from_type, layer_classes
from tlruntime.tl import abcs, functions, types
from tlruntime.tlobject import TLObject, TLRequest

SETTINGS = settings(
    max_examples=60, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _walk(value: Any, depth: int = 0) -> typing.Iterator[tuple[TLObject, int]]:
    """Every TL object inside ``value`` with its nesting depth (the top object is 0)."""
    if isinstance(value, TLObject):
        yield value, depth
        for f in value.FIELDS:
            if f.tl_type != "#":
                yield from _walk(getattr(value, f.name), depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, depth)


def _assert_valid(obj: TLObject) -> None:
    """Flags consistent per bit, ints within their TL width, strings UTF-8 encodable."""
    for node, _ in _walk(obj):
        present: dict[tuple[str | None, int | None], set[bool]] = {}
        for f in node.FIELDS:
            if f.tl_type == "#":
                continue
            value = getattr(node, f.name)
            if f.flag_field is not None:
                on = bool(value) if f.tl_type == "true" else value is not None
                present.setdefault((f.flag_field, f.bit), set()).add(on)
            items = value if isinstance(value, list) else [value]
            inner = f.tl_type[7:-1] if f.tl_type.lower().startswith("vector<") else f.tl_type
            for item in items:
                if item is None:
                    continue
                if inner in INT_BITS:
                    bits = INT_BITS[inner]
                    assert -(1 << (bits - 1)) <= item < 1 << (bits - 1), (node.TL_NAME, f.name, item)
                elif inner == "string":
                    item.encode("utf-8")  # strict: no lone surrogates
        assert all(len(states) == 1 for states in present.values()), (node.TL_NAME, present)


@SETTINGS
@given(peer=from_type(abcs.InputPeer))
def test_abstract_type_gives_its_constructors(peer: Any) -> None:
    assert isinstance(peer, typing.get_args(abcs.InputPeer))
    _assert_valid(peer)
    assert tlruntime.tl.deserialize(bytes(peer)) == peer


@SETTINGS
@given(invite=from_type(types.ChatInviteExported, max_blob=300))
def test_one_class_round_trips_with_long_strings(invite: types.ChatInviteExported) -> None:
    assert isinstance(invite, types.ChatInviteExported)
    _assert_valid(invite)
    assert types.ChatInviteExported.from_bytes(bytes(invite)) == invite


@SETTINGS
@given(value=from_type("Vector<InputUser>", max_list=4))
def test_type_strings_work_too(value: list[Any]) -> None:
    assert isinstance(value, list) and len(value) <= 4
    assert all(isinstance(v, typing.get_args(abcs.InputUser)) for v in value)


@SETTINGS
@given(query=from_type("!X"), obj=from_type("Object"))
def test_object_and_function_positions(query: Any, obj: Any) -> None:
    assert isinstance(query, TLRequest)
    assert isinstance(obj, TLObject) and not isinstance(obj, TLRequest)
    wrapped = functions.InvokeWithLayer(layer=229, query=query)
    assert tlruntime.tl.deserialize(bytes(wrapped)) == wrapped


def test_depth_is_bounded_and_flags_off_at_the_limit() -> None:
    seen: list[int] = []

    @settings(max_examples=40, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(message=from_type(types.Message, max_depth=2))
    def check(message: types.Message) -> None:
        _assert_valid(message)
        for node, depth in _walk(message):
            seen.append(depth)
            if depth >= 2:  # at the limit no optional field is present
                assert all(
                    getattr(node, f.name) in (None, False) for f in node.FIELDS if f.flag_field is not None
                ), node
        assert types.Message.from_bytes(bytes(message)) == message

    check()
    assert max(seen) >= 2  # the limit is reached (required nested objects go past it, bounded)
    assert max(seen) <= 6


def test_int_types_reach_their_edges() -> None:
    drawn: set[int] = set()

    @settings(max_examples=200, derandomize=True, deadline=None, database=None)
    @given(value=from_type("int256"))
    def collect(value: int) -> None:
        drawn.add(value)

    collect()
    assert all(-(1 << 255) <= v < 1 << 255 for v in drawn)
    assert any(v < -(1 << 128) for v in drawn) and any(v > 1 << 128 for v in drawn)


def test_field_overrides() -> None:
    @settings(max_examples=30, derandomize=True, deadline=None, database=None)
    @given(peer=from_type(types.PeerChat, fields={("peerChat", "chat_id"): st.integers(1, 9)}))
    def check(peer: types.PeerChat) -> None:
        assert 1 <= peer.chat_id <= 9

    check()


def test_layer_classes() -> None:
    every = layer_classes()
    assert len(every) > 2000
    assert types.ChatInviteExported in layer_classes("constructor")
    assert functions.messages.ExportChatInvite in layer_classes("function")
    assert types.GzipPacked not in every  # runtime wrappers are no values
    with pytest.raises(ValueError):
        layer_classes("type")


def test_bad_targets_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="from_type needs"):
        from_type(int)
    with pytest.raises(TypeError, match="runtime wrapper"):
        from_type(types.MsgContainer)
    with pytest.raises(LookupError, match="NoSuchType"):
        from_type("NoSuchType")
    with pytest.raises(ValueError):
        from_type("#")
    with pytest.raises(ValueError):
        from_type(types.InputPeerSelf, max_depth=0)


def test_import_without_hypothesis_says_what_is_missing() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import tlruntime.testing"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ImportError: tlruntime.testing needs hypothesis" in done.stderr

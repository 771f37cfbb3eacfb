"""The nesting limit: hostile depth ends in NestingError (a TLError), at MAX_NESTING, from any stack."""

from __future__ import annotations

import inspect
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

import tlruntime.tl as tl
from tlruntime.core_types import ContainerMessage, GzipPacked, MsgContainer, read_rpc_result
from tlruntime.errors import DecodeError, NestingError
from tlruntime.nesting import DEPTH, MAX_NESTING
from tlruntime.tl import functions, types
from tlruntime.tlobject import read_entry, read_object

REPO = Path(__file__).resolve().parents[2]
VECTOR = struct.pack("<I", 0x1CB5C415)
BOOL_TRUE = struct.pack("<I", 0x997275B5)


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _nest(levels: int, innermost: bytes, wrap: Callable[[bytes], bytes]) -> bytes:
    """``levels`` values, each holding the next: built byte by byte, as a hostile peer would."""
    data = innermost
    for _ in range(levels - 1):
        data = wrap(data)
    return data


def nested_vectors(levels: int) -> bytes:
    """Boxed vectors, each holding the next; the innermost is empty (the issue's shape)."""
    return _nest(levels, VECTOR + _u32(0), lambda inner: VECTOR + _u32(1) + inner)


def nested_bold(levels: int) -> bytes:
    """RichText values: textBold(textBold(... textEmpty))."""
    head = _u32(types.TextBold.CONSTRUCTOR_ID)
    return _nest(levels, bytes(types.TextEmpty()), lambda inner: head + inner)


def nested_concat(levels: int) -> bytes:
    """textConcat([textConcat([... textEmpty])]): a recursive type through Vector<RichText>."""
    head = _u32(types.TextConcat.CONSTRUCTOR_ID) + VECTOR + _u32(1)
    return _nest(levels, bytes(types.TextEmpty()), lambda inner: head + inner)


def nested_input_peer(levels: int) -> bytes:
    """inputPeerUserFromMessage(peer=inputPeerUserFromMessage(... inputPeerSelf))."""
    head = _u32(types.InputPeerUserFromMessage.CONSTRUCTOR_ID)
    tail = struct.pack("<iq", 5, 6)  # msg_id, user_id
    return _nest(levels, bytes(types.InputPeerSelf()), lambda inner: head + inner + tail)


def nested_json(levels: int) -> bytes:
    """jsonArray([jsonArray([... jsonNull])]) (JSONValue is recursive)."""
    head = _u32(types.JsonArray.CONSTRUCTOR_ID) + VECTOR + _u32(1)
    return _nest(levels, bytes(types.JsonNull()), lambda inner: head + inner)


def nested_gzip(layers: int, innermost: bytes = BOOL_TRUE) -> bytes:
    """``layers`` gzip_packed layers around boolTrue."""
    return _nest(layers + 1, innermost, lambda inner: bytes(GzipPacked.wrap(inner)))


def nested_containers(levels: int) -> bytes:
    """A container whose one message holds a container ... holding ``ping``."""

    def wrap(inner: bytes) -> bytes:
        return bytes(MsgContainer(messages=[ContainerMessage(msg_id=4, seqno=1, body=inner)]))

    return _nest(levels + 1, bytes(functions.Ping(ping_id=7)), wrap)


def nested_media(turns: int) -> bytes:
    """MessageMedia -> WebPage -> WebPageAttribute -> StoryItem -> MessageMedia, ``turns`` times."""
    media: Any = types.MessageMediaEmpty()
    for i in range(turns):
        story = types.StoryItem(id=i, date=0, expire_date=0, media=media)
        page = types.WebPage(
            id=i, url="u", display_url="d", hash=0,
            attributes=[types.WebPageAttributeStory(peer=types.PeerUser(user_id=1), id=i, story=story)],
        )
        media = types.MessageMediaWebPage(webpage=page)
    return bytes(media)


def test_the_builders_match_the_generated_classes() -> None:
    text: Any = types.TextEmpty()
    text = types.TextConcat(texts=[types.TextBold(text=text)])
    assert bytes(text) == _u32(types.TextConcat.CONSTRUCTOR_ID) + VECTOR + _u32(1) + nested_bold(2)
    peer = types.InputPeerUserFromMessage(peer=types.InputPeerSelf(), msg_id=5, user_id=6)
    assert bytes(peer) == nested_input_peer(2)
    assert bytes(types.JsonArray(value=[types.JsonNull()])) == nested_json(2)
    assert tl.deserialize(nested_vectors(3)) == [[[]]]


# Each builder, with how many counted levels one step of it adds (see tlruntime/nesting.py).
SHAPES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "vector": (nested_vectors, 1),
    "textBold": (nested_bold, 1),
    "textConcat": (nested_concat, 1),
    "inputPeer": (nested_input_peer, 1),
    "jsonValue": (nested_json, 1),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_at_the_limit_decodes_one_past_it_fails(name: str) -> None:
    build, _ = SHAPES[name]
    # deserialize counts the outermost value too (a vector, or an object of a recursive type).
    at_limit = build(MAX_NESTING)
    assert bytes_of(tl.deserialize(at_limit)) == at_limit
    assert bytes_of(tl.deserialize(at_limit)) == at_limit  # the same once every class is loaded
    past = build(MAX_NESTING + 1)
    with pytest.raises(NestingError) as caught:
        tl.deserialize(past)
    error = caught.value
    assert isinstance(error, DecodeError)
    assert (error.depth, error.limit) == (MAX_NESTING + 1, MAX_NESTING)
    assert error.constructor_id is not None and f"0x{error.constructor_id:08x}" in str(error)
    assert 0 < error.offset < len(past)
    assert DEPTH.level == 0


@pytest.mark.parametrize("name", ["textBold", "textConcat", "inputPeer", "jsonValue"])
def test_a_typed_from_bytes_does_not_count_its_own_value(name: str) -> None:
    build, _ = SHAPES[name]
    cls = type(tl.deserialize(build(1)))
    for levels in (MAX_NESTING + 1, MAX_NESTING + 2):
        data = build(levels)
        outer = type(tl.deserialize(build(2)))
        if levels == MAX_NESTING + 1:
            assert bytes(outer.from_bytes(data)) == data
        else:
            with pytest.raises(NestingError):
                outer.from_bytes(data)
    assert cls is not None


def bytes_of(value: Any) -> bytes:
    """Boxed bytes of a decoded value, vectors included (for round-trip checks)."""
    if isinstance(value, list):
        return VECTOR + _u32(len(value)) + b"".join(bytes_of(v) for v in value)
    return bytes(value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes.fromhex("15c4b51c01000000" * 497 + "15c4b51c00000000"), id="issue-vector"),
        pytest.param(nested_bold(2000), id="textBold"),
        pytest.param(nested_concat(700), id="textConcat"),
        pytest.param(nested_gzip(100), id="gzip_packed"),
        pytest.param(nested_containers(400), id="container-message"),
        pytest.param(nested_input_peer(600), id="inputPeer"),
        pytest.param(nested_json(700), id="jsonValue"),
        pytest.param(nested_media(40), id="messageMedia-cycle"),
    ],
)
def test_hostile_nesting_raises_nesting_error_everywhere(data: bytes) -> None:
    with pytest.raises(NestingError):
        tl.deserialize(data)
    with pytest.raises(NestingError):
        read_object(data, 0)
    with pytest.raises(NestingError):
        read_entry(data, 0, read_object)
    # ... also inside an rpc_result, read generically and through the boxed gzip path.
    with pytest.raises(NestingError):
        read_rpc_result(struct.pack("<Iq", 0xF35C6D01, 4) + data)
    assert DEPTH.level == 0  # the counter is restored whatever was raised


def test_typed_entry_points_raise_nesting_error() -> None:
    with pytest.raises(NestingError):
        types.TextBold.from_bytes(nested_bold(3000))
    with pytest.raises(NestingError):
        types.InputPeerUserFromMessage.from_bytes(nested_input_peer(3000))
    ping = bytes(functions.Ping(ping_id=7))
    with pytest.raises(NestingError):
        functions.Ping.from_bytes(nested_gzip(MAX_NESTING + 1, ping))
    assert functions.Ping.from_bytes(nested_gzip(MAX_NESTING, ping)) == functions.Ping(ping_id=7)
    with pytest.raises(NestingError):  # a function's result, read through read_result
        app_config = _u32(types.help.AppConfig.CONSTRUCTOR_ID) + _u32(1) + nested_json(3000)
        functions.help.GetAppConfig(hash=0).read_result(app_config)


def test_gzip_and_container_levels_count() -> None:
    assert tl.deserialize(nested_gzip(MAX_NESTING - 1)) is True  # read_object (1) + gzip layers
    with pytest.raises(NestingError):
        tl.deserialize(nested_gzip(MAX_NESTING))
    tl.deserialize(nested_containers(MAX_NESTING))
    with pytest.raises(NestingError):
        tl.deserialize(nested_containers(MAX_NESTING + 1))


def test_mutually_recursive_types_count_each_level() -> None:
    # Four recursive types per turn: MessageMedia, WebPage, WebPageAttribute, StoryItem.
    # 4 levels per turn plus the innermost messageMediaEmpty: 61 levels pass, 65 do not.
    tl.deserialize(nested_media((MAX_NESTING - 1) // 4))
    with pytest.raises(NestingError):
        tl.deserialize(nested_media(MAX_NESTING // 4))


def _at_stack_depth(depth: int, call: Callable[[], Any]) -> Any:
    """Run ``call`` with the Python stack ``depth`` frames deep (as inside a framework's callbacks)."""
    if len(inspect.stack(0)) >= depth:
        return call()
    return _at_stack_depth(depth, call)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_counted_limit_triggers_before_the_stack_runs_out(name: str) -> None:
    # 500 frames deep, half of Python's default limit left: the counted limit must still be the
    # one that stops the decode (depth and constructor named), not an exhausted stack.
    assert sys.getrecursionlimit() >= 1000
    build, _ = SHAPES[name]
    deep = build(5 * MAX_NESTING)
    at_limit = build(MAX_NESTING)

    def decode() -> tuple[Any, NestingError]:
        ok = tl.deserialize(at_limit)
        try:
            tl.deserialize(deep)
        except NestingError as exc:
            return ok, exc
        raise AssertionError("no NestingError")

    frames = sys.getrecursionlimit() - 500
    ok, error = _at_stack_depth(frames, decode)
    assert ok is not None
    assert error.depth == MAX_NESTING + 1 and error.constructor_id is not None


def test_an_exhausted_stack_is_still_a_nesting_error() -> None:
    # Called with a few dozen frames left, even a legal depth cannot be read: a typed error still.
    frames = sys.getrecursionlimit() - 40
    for data in (nested_bold(MAX_NESTING), nested_vectors(MAX_NESTING), nested_concat(MAX_NESTING)):
        def decode(data: bytes = data) -> BaseException | None:
            try:
                tl.deserialize(data)
            except NestingError as exc:
                return exc
            return None

        error = _at_stack_depth(frames, decode)
        assert isinstance(error, NestingError)
    assert DEPTH.level == 0


def test_the_counter_is_per_thread() -> None:
    # Two threads decoding values just under the limit at the same time: a shared counter
    # would add their depths and fail one of them.
    data = nested_bold(MAX_NESTING)
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def work() -> None:
        start.wait()
        for _ in range(300):
            try:
                tl.deserialize(data)
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(exc)
                return

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, mid-decode
    try:
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert failures == []


def test_recursive_types_are_learnt_whatever_the_load_order() -> None:
    """In a fresh interpreter, load every reader (forward, then reversed order) and list the counted types."""
    script = """
import sys
from tlruntime.tl._index import LOCATIONS
from tlruntime import tlobject
ids = sorted(LOCATIONS)
if sys.argv[1] == "reversed":
    ids.reverse()
for cid in ids:
    tlobject.load_reader(cid)
counted = set()
for cid, read in tlobject.READERS.items():
    if hasattr(read, "__wrapped__"):
        cls = tlobject.class_for_id(cid)
        counted.add(cls.TL_LINE.rpartition("=")[2].strip(" ;"))
print(" ".join(sorted(counted)))
# Generated modules bind single-constructor readers once: no cycle may consist of such types only.
by_type, holds = {}, {}
for cid in ids:
    cls = tlobject.class_for_id(cid)
    if issubclass(cls, tlobject.TLRequest):
        continue
    t = cls.TL_LINE.rpartition("=")[2].strip(" ;")
    by_type.setdefault(t, []).append(cls)
    holds.setdefault(t, set()).update(f.tl_type.replace("Vector<", "").rstrip(">").lstrip("%") for f in cls.FIELDS)
single = {t for t, c in by_type.items() if len(c) == 1}
def cyclic(t, path):
    return any(n in path or cyclic(n, path | {n}) for n in holds[t] if n in single)
print(any(cyclic(t, {t}) for t in single))
"""
    expected = (
        "InputMedia InputPeer JSONObjectValue JSONValue MessageExtendedMedia MessageMedia PageBlock "
        "PageListItem PageListOrderedItem Poll PollAnswer PollResults RichText SecureRequiredType "
        "StoryItem TlsBlock WebPage WebPageAttribute"
    )
    for order in ("forward", "reversed"):
        out = subprocess.run(
            [sys.executable, "-c", script, order], cwd=REPO, capture_output=True, text=True, timeout=240
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.split("\n")[:2] == [expected, "False"], order

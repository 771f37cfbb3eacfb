"""Shape of the generated code: lean imports, plain-function readers, inlined vector dispatch."""

from __future__ import annotations

import ast
import gzip
import struct
from pathlib import Path

import pytest

import tlruntime.tl as tl
from tlruntime.binary import pack_bytes, pack_string, read_string
from tlruntime.errors import UnknownConstructorError
from tlruntime.tlobject import READERS
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.types import ChatInviteExported, ChatInvitePublicJoinRequests, InputPeerSelf, PeerUser
from tlruntime.tl.types.messages import ExportedChatInvites

LAYER_DIR = Path(tl.__file__).parent
VECTOR = struct.pack("<I", 0x1CB5C415)


def _class_modules() -> list[Path]:
    return sorted(
        path
        for group in ("types", "functions")
        for path in (LAYER_DIR / group).rglob("*.py")
        if path.name != "__init__.py"
    )


def _runtime_bindings(tree: ast.Module) -> dict[str, int]:
    """Module-level names bound at run time (imports outside TYPE_CHECKING, constants) -> line."""
    bound: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = node.lineno
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = node.lineno
    return bound


def test_every_module_binds_only_names_it_uses() -> None:
    """No unused helper import or Struct constant in any generated class module."""
    modules = _class_modules()
    assert len(modules) > 2000  # the whole layer, not a sample
    problems: list[str] = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        loaded |= {
            n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
        }
        for name, line in _runtime_bindings(tree).items():
            if name not in loaded:
                problems.append(f"{path.relative_to(LAYER_DIR)}:{line}: {name} is bound but never used")
    assert not problems, "\n".join(problems[:20])


def test_a_module_without_strings_or_nested_objects_imports_little() -> None:
    text = (LAYER_DIR / "types" / "input_peer_self.py").read_text(encoding="utf-8")
    assert "packer as _packer" in text  # its constructor id is still packed through a precomputed Struct
    assert "_read_long_string" not in text and "_READERS" not in text and "unpacker" not in text
    assert "Struct(" not in text  # the layer's Struct objects are shared (tlruntime.binary.packer)


def test_struct_methods_are_shared_by_the_whole_layer() -> None:
    from tlruntime.binary import packer, unpacker

    assert packer("<qi") is packer("<qi") and unpacker("<qi") is unpacker("<qi")
    assert packer("<qi")(-1, 2) == struct.pack("<qi", -1, 2)
    assert unpacker("<qi")(b"\x00" + struct.pack("<qi", -1, 2), 1) == (-1, 2)


def test_read_is_a_plain_function_cached_in_readers() -> None:
    """``cls._read`` needs no bound method; boxed dispatch fills the id -> reader table."""
    read = ChatInviteExported._read
    assert type(read).__name__ == "function"
    obj, end = read(bytes(ChatInviteExported(link="x", admin_id=1, date=2))[4:], 0)
    assert type(obj) is ChatInviteExported and obj.link == "x" and end == 20
    # (PeerUser: a type that cannot contain itself, so its reader is not wrapped by the nesting
    # counter; InputPeer can, through inputPeerUserFromMessage: see test_rt_nesting.py.)
    tl.deserialize(bytes(PeerUser(user_id=1)))
    assert READERS[PeerUser.CONSTRUCTOR_ID] is PeerUser._read


def _invites_bytes(elements: list[bytes]) -> bytes:
    head = struct.pack("<Ii", ExportedChatInvites.CONSTRUCTOR_ID, len(elements))
    return head + VECTOR + struct.pack("<i", len(elements)) + b"".join(elements) + VECTOR + struct.pack("<i", 0)


def test_vector_of_boxed_objects_dispatches_each_element() -> None:
    first = ChatInviteExported(link="a", admin_id=1, date=2, title="t", usage=5)
    second = ChatInvitePublicJoinRequests()
    gzipped = struct.pack("<I", 0x3072CFA1) + pack_bytes(gzip.compress(bytes(first)))
    data = _invites_bytes([bytes(first), bytes(second), gzipped])
    value = ExportedChatInvites.from_bytes(data)
    assert value.invites == [first, second, first]
    assert value.users == []


def test_vector_of_boxed_objects_names_an_unknown_element() -> None:
    good = bytes(ChatInvitePublicJoinRequests())
    data = _invites_bytes([good, struct.pack("<I", 0xDEADBEEF)])
    with pytest.raises(UnknownConstructorError) as caught:
        ExportedChatInvites.from_bytes(data)
    assert caught.value.constructor_id == 0xDEADBEEF
    assert caught.value.offset == 8 + 8 + len(good)
    assert "ExportedChatInvite" in str(caught.value)


@pytest.mark.parametrize(
    ("expire_date", "usage_limit"), [(None, None), (7, None), (None, 9), (7, 9), (-(2**31), 2**31 - 1)]
)
def test_optional_fixed_run_writes_every_combination(expire_date: int | None, usage_limit: int | None) -> None:
    """Two optional ints on one flags field are packed together only when both are set."""
    req = ExportChatInvite(peer=InputPeerSelf(), expire_date=expire_date, usage_limit=usage_limit)
    body = bytes(req)[8 + 4 :]  # after id, flags and the inputPeerSelf id
    expected = b"".join(struct.pack("<i", v) for v in (expire_date, usage_limit) if v is not None)
    assert body == expected
    assert req.flags == (expire_date is not None) | (usage_limit is not None) << 1
    assert ExportChatInvite.from_bytes(bytes(req)) == req


def test_string_packing_short_forms_and_surrogates() -> None:
    for n in (0, 1, 2, 3, 4, 252, 253, 254, 255, 1000):
        value = "é" * (n // 2) + "x" * (n % 2)
        packed = pack_string(value)
        assert len(packed) % 4 == 0
        assert read_string(packed, 0) == (value, len(packed))
    raw = pack_bytes(b"\xff\xfeok")  # not UTF-8: read with surrogateescape, written back exactly
    text, _ = read_string(raw, 0)
    assert pack_string(text) == raw

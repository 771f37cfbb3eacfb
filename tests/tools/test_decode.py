"""``decode``: schema-driven trees with offsets, containers opened, problems reported, frames decrypted."""

from __future__ import annotations

import argparse
import gzip
import struct
from pathlib import Path

import pytest

from generator.decode import decode_frame, decode_value, read_auth_key, render_tree
from generator.decode.cli import configure, run
from generator.decode.frame import FrameInputError
from generator.decode.reader import SchemaIndex
from tlruntime.crypto.message import MessageCipher, padding_length
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.types import ChatInviteExported, InputPeerChannel, StarsSubscriptionPricing

DATA = Path(__file__).with_name("data")


def seed_request() -> ExportChatInvite:
    """The README's seed request, every field given."""
    return ExportChatInvite(
        peer=InputPeerChannel(channel_id=1, access_hash=2),
        legacy_revoke_permanent=True, request_needed=True,
        expire_date=1_800_000_000, usage_limit=10, title="team",
        subscription_pricing=StarsSubscriptionPricing(period=2592000, amount=50),
    )


def tl_bytes(raw: bytes) -> bytes:
    head = bytes([len(raw)]) if len(raw) < 254 else b"\xfe" + len(raw).to_bytes(3, "little")
    return head + raw + bytes(-(len(head) + len(raw)) % 4)


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tlgen decode")
    configure(parser)
    return run(parser.parse_args(list(argv)))


def test_seed_request_tree_matches_golden(schema_index: SchemaIndex) -> None:
    text = render_tree(decode_value(schema_index, bytes(seed_request())))
    assert text == (DATA / "seed_request.decode.txt").read_text(encoding="utf-8")


def test_cli_prints_the_same_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(bytes(seed_request()).hex(" ")) == 0
    assert capsys.readouterr().out == (DATA / "seed_request.decode.txt").read_text(encoding="utf-8")


def test_container_rpc_result_and_gzip_are_opened(schema_index: SchemaIndex) -> None:
    invite = ChatInviteExported(link="https://t.me/+abc", admin_id=7, date=1_700_000_000, title="team")
    packed = struct.pack("<I", 0x3072CFA1) + tl_bytes(gzip.compress(bytes(invite), mtime=0))
    rpc_result = struct.pack("<Iq", 0xF35C6D01, 1234) + packed
    pong = struct.pack("<Iqq", 0x347773C5, 99, 5)
    body1, body2 = rpc_result, pong
    container = struct.pack("<Ii", 0x73F1F8DC, 2)
    container += struct.pack("<qii", 1001, 1, len(body1)) + body1
    container += struct.pack("<qii", 1002, 2, len(body2)) + body2
    tree = decode_value(schema_index, container)
    text = render_tree(tree)
    assert not tree.problems(), text
    assert "msg_container#73f1f8dc 2 messages" in text
    assert "rpc_result#f35c6d01" in text and "req_msg_id: long = 1234" in text
    assert "gzip_packed#3072cfa1" in text and "chatInviteExported#" in text
    assert "link: string = 'https://t.me/+abc'" in text and "pong#347773c5" in text
    # offsets inside the unpacked gzip body are marked as such
    assert "z+0000" in text


def test_unknown_id_is_reported_with_its_offset(schema_index: SchemaIndex) -> None:
    data = bytes(seed_request())
    tree = decode_value(schema_index, data[:8] + struct.pack("<I", 0xDEADBEEF) + data[12:])
    [problem] = tree.problems()
    assert problem.problem == "unknown constructor id 0xdeadbeef at offset 8" and problem.offset == 8
    assert problem.label == "peer"


def test_truncation_is_reported_with_its_offset(schema_index: SchemaIndex) -> None:
    tree = decode_value(schema_index, bytes(seed_request())[:30])
    [problem] = tree.problems()
    assert problem.problem == "truncated: int needs 4 bytes at offset 28, 2 left"


def test_wrong_type_for_the_position_is_reported(schema_index: SchemaIndex) -> None:
    data = bytearray(bytes(seed_request()))
    data[8:12] = struct.pack("<I", 0x05416D58)  # starsSubscriptionPricing where an InputPeer goes
    [problem] = decode_value(schema_index, bytes(data)).problems()
    assert "is a StarsSubscriptionPricing, not the InputPeer" in problem.problem


def test_hostile_vector_count_does_not_loop(schema_index: SchemaIndex) -> None:
    tree = decode_value(schema_index, struct.pack("<Ii", 0x1CB5C415, 2**31 - 1), "Vector<long>")
    [problem] = tree.problems()
    assert "does not fit" in problem.problem


def test_left_over_bytes_are_reported(schema_index: SchemaIndex) -> None:
    [problem] = decode_value(schema_index, bytes(seed_request()) + b"\0\0\0\0").problems()
    assert problem.problem == "4 bytes left over after the value, from offset 60"


def test_type_option_reads_bare_and_boxed_values(schema_index: SchemaIndex) -> None:
    invite = ChatInviteExported(link="x", admin_id=7, date=1, revoked=True)
    bare = bytes(invite)[4:]
    tree = decode_value(schema_index, bare, "chatInviteExported")
    assert not tree.problems() and "revoked: flags.0?true = true" in render_tree(tree)
    assert not decode_value(schema_index, bytes(invite), "ExportedChatInvite").problems()
    [wrong] = decode_value(schema_index, bytes(invite), "InputPeer").problems()
    assert "not the InputPeer" in wrong.problem
    longs = decode_value(schema_index, struct.pack("<Iiqq", 0x1CB5C415, 2, 5, -6), "Vector<long>")
    assert [c.value for c in longs.children] == ["5", "-6"]


def _frame(key: bytes, x: int, body: bytes, *, msg_id: int, seq_no: int) -> bytes:
    plaintext = struct.pack("<qqqii", 0x1122334455667788, -42, msg_id, seq_no, len(body)) + body
    padding = bytes(range(padding_length(len(plaintext))))
    return MessageCipher(key).encrypt(x, plaintext, padding)


@pytest.mark.parametrize("x, direction", [(0, "client -> server (x=0)"), (8, "server -> client (x=8)")])
def test_frame_from_our_encryptor_decrypts(schema_index: SchemaIndex, x: int, direction: str) -> None:
    key = bytes((i * 7 + 3) % 256 for i in range(256))
    frame = _frame(key, x, bytes(seed_request()), msg_id=7_300_000_000_000_000_000 // 2 * 2, seq_no=3)
    header, tree = decode_frame(schema_index, frame, key)
    fields = dict(header.fields)
    assert fields["direction"] == direction
    assert fields["auth_key_id"] == MessageCipher(key).auth_key_id.hex() and fields["msg_key"] == frame[8:24].hex()
    assert fields["salt"] == str(0x1122334455667788) and fields["session_id"] == "-42"
    assert fields["seq_no"] == "3 (content-related)" and fields["length"] == "60"
    assert not tree.problems() and tree.value == "messages.exportChatInvite#a455de90" and tree.offset == 0x20
    with pytest.raises(FrameInputError, match="does not decrypt"):
        decode_frame(schema_index, frame, key, direction=8 - x)


def test_frame_cli_with_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = bytes((i * 5 + 1) % 256 for i in range(256))
    (tmp_path / "key.hex").write_text(key.hex() + "\n", encoding="ascii")
    (tmp_path / "frame.bin").write_bytes(_frame(key, 8, struct.pack("<Iqq", 0x347773C5, 9, 10), msg_id=4, seq_no=2))
    assert cli("--auth-key", str(tmp_path / "key.hex"), "--file", str(tmp_path / "frame.bin")) == 0
    out = capsys.readouterr().out
    assert "direction    server -> client (x=8)" in out and "pong#347773c5" in out and "ping_id: long = 10" in out


def test_unencrypted_message_needs_no_key(schema_index: SchemaIndex) -> None:
    body = struct.pack("<I", 0xBE7E8EF1) + bytes(range(16))  # req_pq_multi
    header, tree = decode_frame(schema_index, bytes(8) + struct.pack("<qi", 77, len(body)) + body, None)
    assert dict(header.fields)["msg_id"] == "77 (unix time 0)" and tree.value == "req_pq_multi#be7e8ef1"


def test_bad_inputs_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "short.key").write_bytes(b"abc")
    with pytest.raises(FrameInputError, match="256 raw bytes"):
        read_auth_key(tmp_path / "short.key")
    assert cli("zz") == 2 and "hexadecimal" in capsys.readouterr().err
    assert cli() == 2 and "no input" in capsys.readouterr().err
    assert cli("--frame", "0102030405060708aa") == 2 and "--auth-key" in capsys.readouterr().err
    assert cli("efbeadde") == 1
    captured = capsys.readouterr()
    assert "unknown constructor id 0xdeadbeef at offset 0" in captured.out
    assert "Traceback" not in captured.err
    assert cli("--type", "NoSuchType", "00000000") == 2 and "no such type" in capsys.readouterr().err


def test_json_output_keeps_offsets(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert cli("--json", bytes(seed_request()).hex()) == 0
    tree = json.loads(capsys.readouterr().out)["tree"]
    assert tree["value"] == "messages.exportChatInvite#a455de90" and (tree["offset"], tree["end"]) == (0, 60)
    peer = next(child for child in tree["children"] if child["label"] == "peer")
    assert peer["offset"] == 8 and peer["children"][0] == {
        "label": "channel_id", "offset": 12, "end": 20, "type": "long", "value": "1"
    }


def test_mangled_bytes_never_raise(schema_index: SchemaIndex) -> None:
    """Seeded mutations and truncations of real messages: always a tree, never an exception or a hang."""
    import random

    rng = random.Random(20261129)
    samples = [bytes(seed_request()), bytes(ChatInviteExported(link="x" * 300, admin_id=1, date=2, title="t"))]
    for _ in range(600):
        data = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = rng.randint(0, len(data))
        tree = decode_value(schema_index, bytes(data[:cut]))
        assert tree.offset == 0
        render_tree(tree)

"""``tlgen decode``: show TL bytes or a captured MTProto frame as a tree with byte offsets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tlruntime.errors import TLError

__all__ = ["SUMMARY", "configure", "run"]

#: One line for the subcommand list of ``tlgen --help``.
SUMMARY = "show TL bytes or a captured MTProto frame as a tree with byte offsets"

DESCRIPTION = """\
Decode TL bytes into a tree: one line per field with its byte offset (hex), TL type and value.
Any boxed value is found by its constructor id in the schema (not the generated classes);
gzip_packed, msg_container, message and rpc_result are opened. Unknown constructor ids and
truncated input are reported at their offsets. With --auth-key the input is a captured
MTProto 2.0 message (auth_key_id + msg_key + encrypted data, transport framing removed) in
either direction: its header fields are shown, then its body."""

EPILOG = """\
examples:
  tlgen decode d7e52ca4...                      # a boxed value given as hex
  tlgen decode --file reply.bin                 # raw bytes from a file
  tlgen decode --type chatInviteExported 29...  # a bare value (no constructor id in front)
  tlgen decode --type 'Vector<long>' 15c4b51c...
  tlgen decode --auth-key key.bin --file frame.bin
exit status: 0 decoded completely, 1 decoded with problems (shown in the tree), 2 unusable input."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("hex", nargs="?", help="the bytes as hex (spaces and colons allowed); or use --file")
    parser.add_argument("--file", "-f", type=Path, metavar="F", help="read raw bytes from F instead")
    parser.add_argument(
        "--type", "-t", metavar="NAME", dest="type_name",
        help="read the bytes as NAME: a boxed type (InputPeer), a bare constructor "
        "(chatInviteExported, %%Message), a primitive or a vector (Vector<long>)",
    )
    parser.add_argument(
        "--auth-key", type=Path, metavar="F",
        help="decrypt an MTProto 2.0 message with the 256-byte auth key in F (raw or hex)",
    )
    parser.add_argument(
        "--frame", action="store_true",
        help="the input is an MTProto message (implied by --auth-key; an unencrypted one needs no key)",
    )
    parser.add_argument(
        "--direction", choices=("client", "server"),
        help="who sent the message (client: x=0, server: x=8); default: try both",
    )
    parser.add_argument(
        "--schema", action="append", type=Path, metavar="TL", default=None,
        help="schema file to decode with (repeat for several); default: the bundled mtproto.tl + api.tl",
    )
    parser.add_argument("--json", action="store_true", help="print the tree as JSON")


def _input_bytes(args: argparse.Namespace) -> bytes:
    if args.file is not None and args.hex is not None:
        raise ValueError("give either HEX or --file, not both")
    if args.file is not None:
        try:
            return Path(args.file).read_bytes()
        except OSError as error:
            raise ValueError(f"{args.file}: {error.strerror}") from None
    if args.hex is None:
        raise ValueError("no input: give HEX or --file F")
    text = "".join(args.hex.split()).replace(":", "")
    if text.startswith(("0x", "0X")):
        text = text[2:]
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ValueError("HEX must be hexadecimal digits (an even number of them)") from None


def run(args: argparse.Namespace) -> int:
    from generator.decode import decode_frame, decode_value, read_auth_key, render_tree
    from generator.decode.reader import SchemaIndex
    from generator.schema_source import load_validated

    try:
        data = _input_bytes(args)
        index = SchemaIndex.build(load_validated(args.schema))
        header = None
        if args.auth_key is not None or args.frame:
            key = read_auth_key(args.auth_key) if args.auth_key is not None else None
            direction = {"client": 0, "server": 8, None: None}[args.direction]
            header, tree = decode_frame(index, data, key, direction)
        else:
            tree = decode_value(index, data, args.type_name)
    except (TLError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        doc: dict[str, object] = {"tree": tree.to_json()}
        if header is not None:
            doc["header"] = dict(header.fields)
        print(json.dumps(doc, indent=2))
    else:
        if header is not None:
            sys.stdout.write(header.render() + "\n")
        sys.stdout.write(render_tree(tree))
    problems = tree.problems()
    for node in problems:
        print(f"problem: {node.problem}", file=sys.stderr)
    return 1 if problems else 0

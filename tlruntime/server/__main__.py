"""``python -m tlruntime.server``: run the loopback MTProto server until interrupted.

Prints two machine-readable lines once it listens (flushed, so a parent
process reading the pipe sees them at once)::

    fingerprint: 0123456789abcdef
    port: 43121

With ``--port 0`` the operating system chooses the port; tests start the
server as a subprocess and read it from that line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from ..endpoint import ServerLimits
from .app import LoopbackServer
from .keys import fingerprint_hex, load_or_generate_key, write_public_key


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tlruntime.server",
        description="Loopback MTProto 2.0 server: handshake, encrypted sessions and RPC handlers.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument("--public-key-out", metavar="PEM", help="write the server's public RSA key here (PKCS#1 PEM)")
    parser.add_argument("--key-file", metavar="PEM", help="load the private key from here; generated and saved if missing")
    parser.add_argument("--state", metavar="SQLITE", help="persist created auth keys in this SQLite file")
    parser.add_argument("--dc-id", type=int, default=2, help="DC id announced in help.getConfig (default 2)")
    parser.add_argument("--log-level", default="WARNING", help="logging level (default WARNING)")
    limits = parser.add_argument_group("limits", "named limits of the server endpoint (see ServerLimits)")
    defaults = ServerLimits()
    for name in ServerLimits.names():
        default = getattr(defaults, name)
        limits.add_argument(
            "--" + name.replace("_", "-"), type=type(default), default=default, metavar=type(default).__name__.upper(),
            help=f"(default {default})",
        )
    args = parser.parse_args(argv)
    try:
        args.limits = ServerLimits(**{name: getattr(args, name) for name in ServerLimits.names()})
    except ValueError as error:
        parser.error(str(error))
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be within 0..65535, got {args.port}")
    return args


async def _serve(args: argparse.Namespace) -> None:
    key = load_or_generate_key(args.key_file)
    if args.public_key_out:
        write_public_key(key.public_key, args.public_key_out)
    server = LoopbackServer(
        host=args.host, port=args.port, private_key=key, state_path=args.state, dc_id=args.dc_id, limits=args.limits
    )
    async with server:
        print(f"fingerprint: {fingerprint_hex(key.public_key)}", flush=True)
        print(f"port: {server.port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

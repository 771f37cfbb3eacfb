"""``python -m tlruntime.server``: run the loopback MTProto server until interrupted.

Prints two machine-readable lines once it listens (flushed, so a parent
process reading the pipe sees them at once)::

    fingerprint: 0123456789abcdef
    port: 43121

With ``--port 0`` the operating system chooses the port; tests start the
server as a subprocess and read it from that line.

``--dcs N`` serves a loopback Telegram of DCs 1..N in one process (a
:class:`~tlruntime.server.LoopbackTelegram`; logins required), printing one
line per DC after the fingerprint::

    fingerprint: 0123456789abcdef
    dc 1 port: 43121
    dc 2 port: 43122

Bots: ``--bot TOKEN`` (home DC 2, or the highest DC below it) or
``--bot TOKEN@DC``; ``--any-bot-token`` lets every well-formed token log in.
Without ``--bot``, ``--dcs`` issues the Bot API documentation's example token
(``DEFAULT_BOT_TOKEN``).

With ``--proxy-secret HEX`` the server runs in MTProxy mode (only ``dd`` and
``ee`` clients with that secret get in) and also prints the links to paste
into a client::

    proxy dd: tg://proxy?server=127.0.0.1&port=43121&secret=dd...
    proxy ee: tg://proxy?server=127.0.0.1&port=43121&secret=ee...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from ..endpoint import MTProxyGate, ServerLimits
from ..errors import TLError
from .accounts import DEFAULT_BOT_TOKEN, AccountsError, parse_bot_token
from .app import LoopbackServer
from .keys import fingerprint_hex, load_or_generate_key, write_public_key
from .telegram import LoopbackTelegram


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
    parser.add_argument("--dc-id", type=int, default=None, help="DC id announced in help.getConfig (default 2; single DC only)")
    parser.add_argument(
        "--dcs", type=int, metavar="N",
        help="serve DCs 1..N in one process, one port each (implies --require-auth); with --port P, DC n listens on P+n-1",
    )
    parser.add_argument(
        "--bot", action="append", default=[], metavar="TOKEN[@DC]",
        help=f"issue a bot token <bot_id>:<secret>, optionally with its home DC (default 2); repeatable "
        f"(with --dcs and no --bot: {DEFAULT_BOT_TOKEN})",
    )
    parser.add_argument("--any-bot-token", action="store_true", help="every well-formed bot token logs in (tests)")
    parser.add_argument(
        "--require-auth", action="store_true",
        help="calls that need a user answer 401 AUTH_KEY_UNREGISTERED until the key logs in (always on with --dcs)",
    )
    parser.add_argument(
        "--proxy-secret", metavar="HEX",
        help="MTProxy mode: accept only dd/ee (fake-TLS) clients with this 16-byte secret (32 hex digits)",
    )
    parser.add_argument(
        "--proxy-domain", metavar="NAME",
        help="MTProxy mode: the fake-TLS domain (ee clients must name it; default: any, links say localhost)",
    )
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
    if args.proxy_domain is not None and args.proxy_secret is None:
        parser.error("--proxy-domain needs --proxy-secret")
    if args.proxy_secret is not None:
        try:
            MTProxyGate(args.proxy_secret, domain=args.proxy_domain)
        except TLError as error:
            parser.error(f"--proxy-secret/--proxy-domain: {error}")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be within 0..65535, got {args.port}")
    if args.dcs is not None:
        if not 1 <= args.dcs <= 1000:
            parser.error(f"--dcs must be within 1..1000, got {args.dcs}")
        if args.port and args.port + args.dcs - 1 > 65535:
            parser.error(f"--port {args.port} leaves no room for {args.dcs} DCs")
        if args.dc_id is not None:
            parser.error("--dc-id is for a single DC; with --dcs the DCs are 1..N")
        if args.state is not None:
            parser.error("--state keeps one DC's auth keys; it cannot be used with --dcs")
        if args.proxy_secret is not None:
            # One MTProxy port routing to the DC named in each client's header is not built yet.
            parser.error("--proxy-secret serves a single DC; it cannot be used with --dcs yet")
    try:
        args.bots = [_bot_option(value) for value in args.bot]
    except ValueError as error:
        parser.error(str(error))
    return args


def _bot_option(value: str) -> str | tuple[str, int]:
    """``TOKEN`` or ``TOKEN@DC`` (checked here, so a typo is a usage error, not a server that never logs in)."""
    token, at, dc = value.rpartition("@") if "@" in value else (value, "", "")
    if parse_bot_token(token) is None:
        raise ValueError(f"--bot {value!r}: a bot token is <bot_id>:<secret> (digits, ':', letters/digits/-/_)")
    if not at:
        return token
    if not dc.isdigit() or int(dc) < 1:
        raise ValueError(f"--bot {value!r}: the home DC after '@' must be a positive number")
    return token, int(dc)


async def _serve(args: argparse.Namespace) -> None:
    key = load_or_generate_key(args.key_file)
    if args.public_key_out:
        write_public_key(key.public_key, args.public_key_out)
    if args.dcs is not None:
        telegram = LoopbackTelegram(
            args.dcs, args.host, port=args.port, private_key=key, bots=args.bots or (DEFAULT_BOT_TOKEN,),
            any_bot_token=args.any_bot_token, limits=args.limits,
        )  # fmt: skip
        async with telegram:
            print(f"fingerprint: {fingerprint_hex(key.public_key)}", flush=True)
            for dc_id, port in telegram.ports.items():
                print(f"dc {dc_id} port: {port}", flush=True)
            await _wait_for_signal()
        return
    dc_id = args.dc_id if args.dc_id is not None else 2
    server = LoopbackServer(
        host=args.host, port=args.port, private_key=key, state_path=args.state, dc_id=dc_id, limits=args.limits,
        require_auth=args.require_auth, bots=args.bots, any_bot_token=args.any_bot_token,
        proxy_secret=args.proxy_secret, proxy_domain=args.proxy_domain,
    )  # fmt: skip
    async with server:
        print(f"fingerprint: {fingerprint_hex(key.public_key)}", flush=True)
        print(f"port: {server.port}", flush=True)
        if server.mtproxy is not None:
            print(f"proxy dd: {server.proxy_link('dd')}", flush=True)
            print(f"proxy ee: {server.proxy_link('ee')}", flush=True)
        await _wait_for_signal()


async def _wait_for_signal() -> None:
    """Until SIGINT or SIGTERM."""
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
    except (OSError, AccountsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

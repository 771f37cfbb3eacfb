"""Telegram's data centers: the built-in address table and the table ``help.getConfig`` refreshes.

Built-in addresses are what a client needs before its first ``help.getConfig``:
DC 1..5 in production, DC 1..3 on the test servers, each with one IPv4 and one
IPv6 address, all on port 443.  (The official apps and the peer libraries ship
the same addresses; kurigram connects to the test DCs on port 80, which they
also listen on — 443 is what /api/obtaining_api_id publishes, so it is used here.)

After login a client refreshes its table from ``Config.dc_options``
(:func:`dc_table_from_options`): each option is one endpoint with flags
(``ipv6``, ``media_only``, ``cdn``, ``tcpo_only``, ``static``,
``this_port_only``) and, for some, an MTProxy ``secret``.  :meth:`DcTable.address`
picks an endpoint a plain MTProto client can use.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ..errors import TLError

__all__ = [
    "DEFAULT_PORT",
    "DcEndpoint",
    "DcTable",
    "DcTableError",
    "UnknownDcError",
    "builtin_dc_table",
    "dc_address",
    "dc_ids",
    "dc_table_from_options",
]

DEFAULT_PORT: Final = 443

# dc id -> (IPv4, IPv6)
_PRODUCTION: Final[Mapping[int, tuple[str, str]]] = {
    1: ("149.154.175.53", "2001:b28:f23d:f001::a"),
    2: ("149.154.167.51", "2001:67c:4e8:f002::a"),
    3: ("149.154.175.100", "2001:b28:f23d:f003::a"),
    4: ("149.154.167.91", "2001:67c:4e8:f004::a"),
    5: ("91.108.56.130", "2001:b28:f23f:f005::a"),
}
_TEST: Final[Mapping[int, tuple[str, str]]] = {
    1: ("149.154.175.10", "2001:b28:f23d:f001::e"),
    2: ("149.154.167.40", "2001:67c:4e8:f002::e"),
    3: ("149.154.175.117", "2001:b28:f23d:f003::e"),
}


class UnknownDcError(TLError, LookupError):
    """No usable address is known for the requested DC (``.dc_id``, ``.test``, ``.ipv6``)."""

    def __init__(self, dc_id: int, *, test: bool, ipv6: bool, known: Iterable[int]) -> None:
        self.dc_id = dc_id
        self.test = test
        self.ipv6 = ipv6
        where = "test" if test else "production"
        family = "IPv6" if ipv6 else "IPv4"
        super().__init__(
            f"no {family} address for {where} DC {dc_id}; known DCs: {', '.join(map(str, sorted(known))) or 'none'}"
        )


def dc_ids(test: bool = False) -> tuple[int, ...]:
    """The DC ids with built-in addresses (1..5 in production, 1..3 on the test servers)."""
    return tuple(sorted(_TEST if test else _PRODUCTION))


def dc_address(dc_id: int, test: bool = False, ipv6: bool = False) -> tuple[str, int]:
    """The built-in ``(host, port)`` of DC ``dc_id`` (production unless ``test``)."""
    table = _TEST if test else _PRODUCTION
    try:
        v4, v6 = table[dc_id]
    except (KeyError, TypeError):
        raise UnknownDcError(dc_id, test=test, ipv6=ipv6, known=table) from None
    return (v6 if ipv6 else v4), DEFAULT_PORT


@dataclass(frozen=True, slots=True)
class DcEndpoint:
    """One address of one DC, with the flags ``dcOption`` gives it."""

    dc_id: int
    host: str
    port: int
    ipv6: bool = False
    media_only: bool = False
    tcpo_only: bool = False
    cdn: bool = False
    static: bool = False
    this_port_only: bool = False
    secret: bytes | None = None

    @property
    def plain_mtproto(self) -> bool:
        """Usable by an ordinary client connection: not media-only, CDN, obfuscated-only or proxied."""
        return not (self.media_only or self.cdn or self.tcpo_only or self.secret)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the secret as hex), for a session store."""
        data: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["secret"] = self.secret.hex() if self.secret is not None else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DcEndpoint:
        try:
            secret = data.get("secret")
            fields = {name: data[name] for name in cls.__dataclass_fields__ if name in data and name != "secret"}
            return _checked(cls(**fields, secret=bytes.fromhex(secret) if secret is not None else None))
        except (TypeError, ValueError, KeyError) as exc:
            raise DcTableError(f"not a stored DC endpoint: {exc}") from None


class DcTableError(TLError, ValueError):
    """A DC option or stored table entry that cannot describe an endpoint."""


def _checked(endpoint: DcEndpoint) -> DcEndpoint:
    if not isinstance(endpoint.dc_id, int) or endpoint.dc_id <= 0:
        raise DcTableError(f"DC id must be a positive int, got {endpoint.dc_id!r}")
    if not isinstance(endpoint.port, int) or not 0 < endpoint.port < 65536:
        raise DcTableError(f"DC {endpoint.dc_id}: port {endpoint.port!r} is outside 1..65535")
    try:
        parsed = ipaddress.ip_address(endpoint.host)
    except ValueError:
        raise DcTableError(f"DC {endpoint.dc_id}: {endpoint.host!r} is not an IP address") from None
    if (parsed.version == 6) != endpoint.ipv6:
        raise DcTableError(
            f"DC {endpoint.dc_id}: {endpoint.host} is IPv{parsed.version} but the ipv6 flag is {endpoint.ipv6}"
        )
    return endpoint


@dataclass(frozen=True, slots=True)
class DcTable:
    """Every known endpoint, per DC, in the order the server listed them (built-ins: one per family)."""

    test: bool = False
    endpoints: tuple[DcEndpoint, ...] = field(default_factory=tuple)

    def dc_ids(self) -> tuple[int, ...]:
        return tuple(sorted({endpoint.dc_id for endpoint in self.endpoints}))

    def endpoints_of(self, dc_id: int) -> tuple[DcEndpoint, ...]:
        return tuple(endpoint for endpoint in self.endpoints if endpoint.dc_id == dc_id)

    def address(self, dc_id: int, *, ipv6: bool = False, media: bool = False) -> tuple[str, int]:
        """The ``(host, port)`` to reach DC ``dc_id``.

        Picks, in order: a plain endpoint of the wanted family (a media-only one
        first when ``media``), then — when the table lacks one — the built-in
        address, so a partial ``dcOption`` list never loses a DC.
        """
        candidates = [e for e in self.endpoints_of(dc_id) if e.ipv6 == ipv6 and not (e.cdn or e.tcpo_only or e.secret)]
        if media:
            candidates.sort(key=lambda endpoint: not endpoint.media_only)  # stable: server order kept
        else:
            candidates = [endpoint for endpoint in candidates if not endpoint.media_only]
        if candidates:
            return candidates[0].host, candidates[0].port
        try:
            return dc_address(dc_id, test=self.test, ipv6=ipv6)
        except UnknownDcError:
            raise UnknownDcError(dc_id, test=self.test, ipv6=ipv6, known=self.dc_ids()) from None

    def refreshed(self, options: Iterable[Any]) -> DcTable:
        """A new table from ``Config.dc_options``; DCs the options do not mention keep their endpoints."""
        fresh = dc_table_from_options(options, test=self.test)
        covered = set(fresh.dc_ids())
        kept = tuple(endpoint for endpoint in self.endpoints if endpoint.dc_id not in covered)
        return replace(fresh, endpoints=fresh.endpoints + kept)

    def to_dc_options(self) -> list[Any]:
        """The table as ``dcOption`` objects, as a server answers ``help.getConfig`` (the inverse of
        :func:`dc_table_from_options`; loads the generated layer on first use)."""
        from ..tl.types import DcOption

        return [
            DcOption(
                id=e.dc_id, ip_address=e.host, port=e.port, ipv6=e.ipv6, media_only=e.media_only,
                tcpo_only=e.tcpo_only, cdn=e.cdn, static=e.static, this_port_only=e.this_port_only, secret=e.secret,
            )  # fmt: skip
            for e in self.endpoints
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"test": self.test, "endpoints": [endpoint.to_dict() for endpoint in self.endpoints]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DcTable:
        try:
            test = data["test"]
            raw = data["endpoints"]
        except (KeyError, TypeError):
            raise DcTableError("a stored DC table needs 'test' and 'endpoints'") from None
        if not isinstance(test, bool) or not isinstance(raw, list):
            raise DcTableError("a stored DC table has a bool 'test' and a list of 'endpoints'")
        return cls(test, tuple(DcEndpoint.from_dict(item) for item in raw))


def builtin_dc_table(test: bool = False) -> DcTable:
    """The built-in addresses as a table (IPv4 and IPv6 endpoint per DC, port 443)."""
    table = _TEST if test else _PRODUCTION
    endpoints = []
    for dc_id in sorted(table):
        v4, v6 = table[dc_id]
        endpoints.append(DcEndpoint(dc_id, v4, DEFAULT_PORT))
        endpoints.append(DcEndpoint(dc_id, v6, DEFAULT_PORT, ipv6=True))
    return DcTable(test, tuple(endpoints))


def dc_table_from_options(options: Iterable[Any], *, test: bool = False) -> DcTable:
    """Turn ``Config.dc_options`` (generated ``DcOption`` objects, or anything with their fields) into a table.

    Pure: reads ``id``, ``ip_address``, ``port``, the flag fields and ``secret``;
    a malformed option raises :class:`DcTableError` naming it.
    """
    endpoints = []
    for position, option in enumerate(options):
        try:
            endpoint = DcEndpoint(
                dc_id=option.id,
                host=option.ip_address,
                port=option.port,
                ipv6=bool(option.ipv6),
                media_only=bool(option.media_only),
                tcpo_only=bool(option.tcpo_only),
                cdn=bool(option.cdn),
                static=bool(option.static),
                this_port_only=bool(option.this_port_only),
                secret=option.secret,
            )
        except AttributeError as exc:
            raise DcTableError(f"dc_options[{position}] is not a dcOption: {exc}") from None
        try:
            endpoints.append(_checked(endpoint))
        except DcTableError as exc:
            raise DcTableError(f"dc_options[{position}]: {exc}") from None
    return DcTable(test, tuple(endpoints))

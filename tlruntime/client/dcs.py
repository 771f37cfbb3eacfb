"""Where a client's DCs are: the address it was given, the DC table, the home DC (no IO but SQLite).

A client knows its DCs from three sources, in this order:

1. the ``host``/``port`` it was given explicitly, for the DC it was given
   them for (loopback servers, custom deployments);
2. the table the server it talks to answered in ``help.getConfig``
   (``Config.dc_options``), kept until ``Config.expires``;
3. only for a client of Telegram itself (no explicit host): Telegram's
   built-in addresses (:func:`tlruntime.telegram.builtin_dc_table`).

Rule: a client given an explicit host never falls back to Telegram's built-in
table, and never uses a stored table that came from Telegram: the addresses of
its other DCs come from its own server's ``help.getConfig`` or nowhere (a test
against the loopback must not dial out).  Each stored table carries its
*origin* (``telegram``, ``telegram-test`` or ``custom``, the latter with the
explicit address it was reached through), and a table of another origin is
ignored: a session file reused against another loopback server (new ports)
starts from the address it is given, not from stale ports.

The home DC (where the account lives; ``*_MIGRATE_X`` moves it) and the DC
table are stored in the session file with :meth:`DcDirectory.save`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from ..storage import SessionStore
from ..telegram.dcs import DcTable, DcTableError, UnknownDcError, builtin_dc_table

__all__ = ["DcDirectory", "ORIGIN_CUSTOM", "ORIGIN_TELEGRAM", "ORIGIN_TELEGRAM_TEST"]

log = logging.getLogger(__name__)

ORIGIN_TELEGRAM = "telegram"
ORIGIN_TELEGRAM_TEST = "telegram-test"
ORIGIN_CUSTOM = "custom"

_HOME_KEY = "home_dc"
_TABLE_KEY = "dc_table"


@dataclass(slots=True)
class DcDirectory:
    """The addresses a client may dial, and its home DC.

    ``explicit`` is ``(dc_id, host, port)`` when the client was given an
    address; ``table`` is the server's (or, for Telegram, the built-in) table;
    ``fresh_until`` the time (client clock) after which ``help.getConfig``
    should be asked again (0: never fetched in this directory's life);
    ``ipv6`` picks IPv6 endpoints instead of IPv4 ones.
    """

    test: bool
    explicit: tuple[int, str, int] | None
    table: DcTable
    home_dc: int
    fresh_until: float = 0.0
    ipv6: bool = False

    @classmethod
    def create(
        cls, *, dc_id: int, test: bool, explicit: tuple[str, int] | None, ipv6: bool = False
    ) -> "DcDirectory":
        if explicit is not None:
            return cls(test, (dc_id, explicit[0], explicit[1]), DcTable(test), dc_id, ipv6=ipv6)
        return cls(test, None, builtin_dc_table(test), dc_id, ipv6=ipv6)

    @property
    def origin(self) -> str:
        if self.explicit is not None:
            return ORIGIN_CUSTOM
        return ORIGIN_TELEGRAM_TEST if self.test else ORIGIN_TELEGRAM

    @property
    def custom(self) -> bool:
        return self.explicit is not None

    # --- addresses --------------------------------------------------------------

    def address(self, dc_id: int) -> tuple[str, int] | None:
        """The ``(host, port)`` to dial for ``dc_id``, or None when unknown (yet)."""
        if self.explicit is not None:
            given_dc, host, port = self.explicit
            if dc_id == given_dc:
                return host, port
            # The server's table only: DcTable.address would fall back to Telegram's built-ins.
            for endpoint in self.table.endpoints_of(dc_id):
                if endpoint.plain_mtproto and endpoint.ipv6 == self.ipv6:
                    return endpoint.host, endpoint.port
            return None
        try:
            return self.table.address(dc_id, ipv6=self.ipv6)
        except UnknownDcError:
            return None

    def require_address(self, dc_id: int) -> tuple[str, int]:
        """:meth:`address`, or :class:`UnknownDcError` naming the DCs that are known."""
        found = self.address(dc_id)
        if found is None:
            known = set(self.table.dc_ids())
            if self.explicit is not None:
                known.add(self.explicit[0])
            raise UnknownDcError(dc_id, test=self.test, ipv6=self.ipv6, known=known)
        return found

    def is_fresh(self, now: float) -> bool:
        return now < self.fresh_until

    def refresh(self, config: object, now: float) -> None:
        """Take ``Config.dc_options`` (fresh for ``expires - date`` seconds, the server's own validity)."""
        options = getattr(config, "dc_options", None)
        if options is None:
            raise DcTableError("help.getConfig answered without dc_options")
        self.table = self.table.refreshed(options)
        lifetime = float(getattr(config, "expires", 0) - getattr(config, "date", 0))
        # A server that answers an already expired config is asked again at most once a minute.
        self.fresh_until = now + max(lifetime, 60.0)

    # --- store --------------------------------------------------------------------

    def load(self, store: SessionStore) -> None:
        """Take the stored home DC and table (ignored when they came from another origin)."""
        raw_table = store.get_value(_TABLE_KEY)
        if raw_table is None:
            return
        try:
            data = json.loads(raw_table)
            stored_explicit = tuple(data["explicit"]) if data.get("explicit") is not None else None
            if data.get("origin") != self.origin or stored_explicit != self.explicit:
                log.warning(
                    "the session file's DC table came from %s %s, this client talks to %s %s: ignoring it",
                    data.get("origin"), stored_explicit or "", self.origin, self.explicit or "",
                )  # fmt: skip
                return
            table = DcTable.from_dict(data["table"])
            fresh_until = float(data.get("fresh_until", 0.0))
            home = int(store.get_value(_HOME_KEY) or self.home_dc)
        except (ValueError, TypeError, KeyError, AttributeError, DcTableError) as exc:
            log.warning("ignoring an unreadable stored DC table: %s", exc)
            return
        if table.test != self.test:
            return
        self.table = table
        self.fresh_until = fresh_until
        if home > 0 and self.address(home) is not None:
            self.home_dc = home

    def save(self, store: SessionStore) -> None:
        data = {
            "origin": self.origin,
            "explicit": list(self.explicit) if self.explicit is not None else None,
            "fresh_until": self.fresh_until,
            "table": self.table.to_dict(),
        }
        store.set_value(_TABLE_KEY, json.dumps(data, sort_keys=True))
        store.set_value(_HOME_KEY, str(self.home_dc))

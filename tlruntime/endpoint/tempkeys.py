"""Temporary (PFS) auth keys of one server endpoint: when each expires, and what it is bound to.

/api/pfs: a temporary key comes from a handshake with ``p_q_inner_data_temp_dc``
(``expires_in`` seconds); the server keeps it in RAM only and forgets it when it
expires, after which messages under it get transport error -404, as for any
unknown key.  ``auth.bindTempAuthKey`` binds it to a permanent key; each
permanent key is bound to one temporary key at a time (binding a new one
unbinds the previous one, which stays usable, unbound, until it expires).

Sans-IO: times are the server's injected clock, passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["TempKeyTable"]


class TempKeyTable:
    """Expiry times and bindings of temporary keys (ids are signed TL longs)."""

    __slots__ = ("expires_at", "_bound", "_by_perm")

    def __init__(self) -> None:
        #: temp key id -> server time at which it is forgotten.
        self.expires_at: dict[int, float] = {}
        #: temp key id -> the permanent key id it is bound to.
        self._bound: dict[int, int] = {}
        #: permanent key id -> the temp key id bound to it now.
        self._by_perm: dict[int, int] = {}

    def __contains__(self, key_id: object) -> bool:
        return key_id in self.expires_at

    def __len__(self) -> int:
        return len(self.expires_at)

    def add(self, key_id: int, expires_at: float) -> None:
        """A handshake created a temporary key that lives until ``expires_at`` (server time)."""
        self.expires_at[key_id] = expires_at

    def oldest(self) -> int:
        """The temporary key created first among those held (the one evicted when the table is full)."""
        return next(iter(self.expires_at))

    def expired(self, key_id: int, now: float) -> bool:
        """True for a temporary key whose time is up (False for permanent keys)."""
        expires_at = self.expires_at.get(key_id)
        return expires_at is not None and expires_at <= now

    def expired_ids(self, now: float) -> Iterator[int]:
        """Every temporary key whose time is up (a list copy: the caller forgets them)."""
        return iter([key_id for key_id, at in self.expires_at.items() if at <= now])

    def perm_of(self, temp_key_id: int) -> int | None:
        """The permanent key ``temp_key_id`` is bound to, or None (unbound, or not a temp key)."""
        return self._bound.get(temp_key_id)

    def temp_of(self, perm_key_id: int) -> int | None:
        """The temporary key bound to ``perm_key_id`` now, or None."""
        return self._by_perm.get(perm_key_id)

    def bind(self, temp_key_id: int, perm_key_id: int, expires_at: float) -> None:
        """Bind (the caller checked the binding message); the key now expires at the earlier time."""
        previous = self._by_perm.get(perm_key_id)
        if previous is not None and previous != temp_key_id:
            self._bound.pop(previous, None)  # one temporary key per permanent key
        self._bound[temp_key_id] = perm_key_id
        self._by_perm[perm_key_id] = temp_key_id
        current = self.expires_at.get(temp_key_id)
        if current is not None:
            self.expires_at[temp_key_id] = min(current, expires_at)

    def forget(self, key_id: int) -> None:
        """Drop a temporary key (expired) or a permanent key's binding (the key is gone)."""
        self.expires_at.pop(key_id, None)
        perm = self._bound.pop(key_id, None)
        if perm is not None and self._by_perm.get(perm) == key_id:
            del self._by_perm[perm]
        temp = self._by_perm.pop(key_id, None)
        if temp is not None:
            self._bound.pop(temp, None)

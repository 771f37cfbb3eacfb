"""SQLite persistence for auth keys (stdlib :mod:`sqlite3` only).

Two small stores share one file format:

* :class:`SessionStore` (client side) keeps, per DC, the auth key, the last
  server salt and the clock offset, so a restarted client skips the
  Diffie-Hellman handshake and starts with a salt the server accepts; and a
  few named client facts (home DC, DC table, which keys are logged in) as
  text values (:meth:`SessionStore.get_value` / :meth:`SessionStore.set_value`).
* :class:`AuthKeyStore` (server side) keeps the auth keys the loopback server
  created, so a client that reconnects with a stored key is recognised across
  server restarts when the server is given a ``--state`` file.

Every write commits at once: a crash loses at most the write in progress, and
the file never holds a half-written key.  ``":memory:"`` works for tests.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from typing import Iterator, Self

__all__ = ["StoredSession", "SessionStore", "AuthKeyStore", "auth_key_id_of"]

_SCHEMA_VERSION = 1
_AUTH_KEY_LENGTH = 256


def _to_signed64(value: int) -> int:
    """SQLite integers are signed 64-bit; TL ``long`` values may arrive unsigned."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def auth_key_id_of(auth_key: bytes) -> int:
    """The 64 low-order bits of SHA1(auth_key), as a signed little-endian ``long``."""
    return int.from_bytes(hashlib.sha1(auth_key).digest()[-8:], "little", signed=True)


@dataclass(frozen=True, slots=True)
class StoredSession:
    """What a client needs to resume without a handshake.

    ``server_salt`` is kept as a signed 64-bit integer (the TL ``long`` reading
    of the 8 salt bytes); ``time_offset`` is server time minus local time, in
    seconds.
    """

    dc_id: int
    auth_key: bytes
    server_salt: int
    time_offset: int
    host: str = ""
    port: int = 0

    @property
    def auth_key_id(self) -> int:
        return auth_key_id_of(self.auth_key)


class _SQLiteFile:
    """Opens the database, creates the tables, checks the schema version."""

    _TABLES: tuple[str, ...] = ()

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        if self.path != ":memory:" and not self.path.startswith("file:"):
            _create_private(self.path)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (_SCHEMA_VERSION,))
        elif row[0] != _SCHEMA_VERSION:
            self._db.close()
            raise ValueError(f"{self.path}: unsupported session file version {row[0]} (expected {_SCHEMA_VERSION})")
        for statement in self._TABLES:
            self._db.execute(statement)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _create_private(path: str) -> None:
    """Create ``path`` readable by its owner only (0600) unless it exists: it holds auth keys.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _check_key(auth_key: bytes) -> None:
    if len(auth_key) != _AUTH_KEY_LENGTH:
        raise ValueError(f"auth key must be {_AUTH_KEY_LENGTH} bytes, got {len(auth_key)}")


class SessionStore(_SQLiteFile):
    """Client-side store: one row per DC."""

    _TABLES = (
        """CREATE TABLE IF NOT EXISTS sessions (
               dc_id INTEGER PRIMARY KEY,
               auth_key BLOB NOT NULL,
               server_salt INTEGER NOT NULL,
               time_offset INTEGER NOT NULL,
               host TEXT NOT NULL DEFAULT '',
               port INTEGER NOT NULL DEFAULT 0
           )""",
        # Added after version 1 without a version bump: CREATE IF NOT EXISTS adds it to older files.
        """CREATE TABLE IF NOT EXISTS client_values (
               key TEXT PRIMARY KEY,
               value TEXT NOT NULL
           )""",
    )

    def load(self, dc_id: int) -> StoredSession | None:
        row = self._db.execute(
            "SELECT auth_key, server_salt, time_offset, host, port FROM sessions WHERE dc_id = ?", (dc_id,)
        ).fetchone()
        if row is None:
            return None
        auth_key, salt, offset, host, port = row
        return StoredSession(dc_id, bytes(auth_key), int(salt), int(offset), str(host), int(port))

    def save(self, session: StoredSession) -> None:
        _check_key(session.auth_key)
        self._db.execute(
            """INSERT INTO sessions (dc_id, auth_key, server_salt, time_offset, host, port)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(dc_id) DO UPDATE SET auth_key = excluded.auth_key,
                   server_salt = excluded.server_salt, time_offset = excluded.time_offset,
                   host = excluded.host, port = excluded.port""",
            (
                session.dc_id,
                session.auth_key,
                _to_signed64(session.server_salt),
                session.time_offset,
                session.host,
                session.port,
            ),
        )

    def update_salt(self, dc_id: int, server_salt: int, time_offset: int) -> None:
        """Cheap refresh of the fields that change during a session's life."""
        self._db.execute(
            "UPDATE sessions SET server_salt = ?, time_offset = ? WHERE dc_id = ?",
            (_to_signed64(server_salt), time_offset, dc_id),
        )

    def delete(self, dc_id: int) -> None:
        """Forget a key the server no longer knows (transport error -404)."""
        self._db.execute("DELETE FROM sessions WHERE dc_id = ?", (dc_id,))

    def dc_ids(self) -> tuple[int, ...]:
        """The DCs a key is stored for."""
        return tuple(int(row[0]) for row in self._db.execute("SELECT dc_id FROM sessions ORDER BY dc_id"))

    def get_value(self, key: str) -> str | None:
        """A named client fact (home DC, DC table...), or None when never set."""
        row = self._db.execute("SELECT value FROM client_values WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_value(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO client_values (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def delete_value(self, key: str) -> None:
        self._db.execute("DELETE FROM client_values WHERE key = ?", (key,))


class AuthKeyStore(_SQLiteFile):
    """Server-side store of the auth keys it has created, by auth_key_id."""

    _TABLES = (
        """CREATE TABLE IF NOT EXISTS auth_keys (
               auth_key_id INTEGER PRIMARY KEY,
               auth_key BLOB NOT NULL
           )""",
    )

    def add(self, auth_key: bytes) -> int:
        _check_key(auth_key)
        key_id = auth_key_id_of(auth_key)
        self._db.execute(
            "INSERT OR REPLACE INTO auth_keys (auth_key_id, auth_key) VALUES (?, ?)", (key_id, auth_key)
        )
        return key_id

    def get(self, auth_key_id: int) -> bytes | None:
        row = self._db.execute(
            "SELECT auth_key FROM auth_keys WHERE auth_key_id = ?", (_to_signed64(auth_key_id),)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        for key_id, key in self._db.execute("SELECT auth_key_id, auth_key FROM auth_keys"):
            yield int(key_id), bytes(key)

"""The one error hierarchy of the toolkit.

Every error the generator or the runtime raises on bad input derives from
:class:`TLError`, so a caller can catch the whole family with one clause and
still branch on the precise subclass.  Each subclass carries the facts a user
needs to act (a position, a constructor id, an RPC code) as attributes, not
only inside its message.
"""

from __future__ import annotations

__all__ = [
    "TLError",
    "SchemaError",
    "GenerationError",
    "EncodeError",
    "DecodeError",
    "TruncatedError",
    "UnknownConstructorError",
    "LengthError",
    "TrailingBytesError",
    "TransportError",
    "TransportCodeError",
    "FrameError",
    "SecurityError",
    "HandshakeError",
    "MessageRejectedError",
    "RPCError",
    "FloodWaitError",
    "ConnectionLostError",
]


class TLError(Exception):
    """Root of every error raised by the generator and by ``tlruntime``."""


# --- schema / generator -----------------------------------------------------


class SchemaError(TLError):
    """A schema line that cannot be parsed or does not validate.

    Carries ``file``, ``line`` (1-based), ``column`` (1-based) and the
    offending ``source_line``; ``str()`` shows them with a caret.
    """

    def __init__(
        self, message: str, *, file: str, line: int, column: int, source_line: str
    ) -> None:
        self.reason = message
        self.file = file
        self.line = line
        self.column = column
        self.source_line = source_line
        caret = " " * max(column - 1, 0) + "^"
        super().__init__(f"{file}:{line}:{column}: {message}\n    {source_line}\n    {caret}")


class GenerationError(TLError):
    """The schema parsed but cannot be emitted (for example two TL names map to one Python name)."""


# --- serialization ----------------------------------------------------------


class EncodeError(TLError, ValueError):
    """A value that cannot be serialized (out of range, wrong type, inconsistent flags)."""


class DecodeError(TLError, ValueError):
    """Bytes that cannot be read as the expected TL value.  ``offset`` is where reading failed."""

    def __init__(self, message: str, *, offset: int) -> None:
        self.offset = offset
        super().__init__(f"{message} (at offset {offset})")


class TruncatedError(DecodeError):
    """The input ended before the value did."""


class UnknownConstructorError(DecodeError):
    """A constructor id that is not in the layer, or not one the position allows."""

    def __init__(self, constructor_id: int, *, offset: int, expected: str = "any boxed object") -> None:
        self.constructor_id = constructor_id
        self.expected = expected
        super().__init__(
            f"unknown constructor id 0x{constructor_id:08x} where {expected} was expected",
            offset=offset,
        )


class LengthError(DecodeError):
    """A length prefix that points past the buffer or above a sane limit."""


class TrailingBytesError(DecodeError):
    """An exact read left bytes unread."""


# --- transport --------------------------------------------------------------


class TransportError(TLError):
    """Framing failed or the peer spoke a transport we do not accept."""


class TransportCodeError(TransportError):
    """The server answered with a bare transport error code such as -404 or -429."""

    def __init__(self, code: int) -> None:
        self.code = code
        meaning = {
            -404: "auth key not found or message unreadable",
            -429: "too many connections or requests (flood)",
            -444: "invalid DC",
        }.get(code, "transport error")
        super().__init__(f"transport error {code}: {meaning}")


class FrameError(TransportError):
    """A frame whose length, checksum or sequence number is wrong."""


# --- security ---------------------------------------------------------------


class SecurityError(TLError):
    """A check required by Telegram's security guidelines failed; the data was discarded."""


class HandshakeError(SecurityError):
    """The auth key exchange saw a value it must reject (nonce, prime, g_a, hash...)."""


class MessageRejectedError(SecurityError):
    """An encrypted message failed a check (auth_key_id, msg_key, session_id, msg_id, padding...)."""


# --- RPC --------------------------------------------------------------------


def _split_trailing_number(message: str) -> tuple[str, int | None]:
    """``FLOOD_WAIT_42`` -> (``FLOOD_WAIT_X``, 42); a message without a trailing number is kept.

    (Plain string methods, not ``re``: importing ``re`` would cost every user of
    the layer several milliseconds at start-up.)
    """
    head, sep, tail = message.rpartition("_")
    if sep and head and tail.isascii() and tail.isdigit():
        return f"{head}_X", int(tail)
    return message, None


class RPCError(TLError):
    """An ``rpc_error`` answered to a request.

    ``code`` is the numeric error code, ``message`` the raw error string and
    ``value`` the number embedded in it (``FLOOD_WAIT_42`` gives 42), or None.
    ``name`` is the message with that number removed (``FLOOD_WAIT_X`` style).
    """

    def __init__(self, code: int, message: str, request: object = None) -> None:
        self.code = code
        self.message = message
        self.request = request
        self.name, self.value = _split_trailing_number(message)
        super().__init__(f"RPC error {code}: {message}")

    @staticmethod
    def from_rpc_error(code: int, message: str, request: object = None) -> "RPCError":
        """Build the most specific subclass for ``message``."""
        if message.startswith("FLOOD_WAIT_") or message.startswith("FLOOD_PREMIUM_WAIT_"):
            return FloodWaitError(code, message, request)
        return RPCError(code, message, request)


class FloodWaitError(RPCError):
    """``FLOOD_WAIT_X``: ``seconds`` tells how long to wait before retrying."""

    @property
    def seconds(self) -> int:
        return self.value or 0


class ConnectionLostError(TLError):
    """The connection closed and the request could not be delivered or answered."""


class LengthPastEndError(LengthError, TruncatedError):
    """A length prefix or vector count that points past the end of the input.

    The input may be truncated or the prefix hostile; the two cannot be told
    apart, so this is both a :class:`LengthError` and a :class:`TruncatedError`.
    """


__all__.append("LengthPastEndError")


class SessionCheckError(MessageRejectedError):
    """A decrypted MTProto message failed a session check and was discarded.

    ``reason`` is a short stable token naming the check (``"auth_key_id"``,
    ``"msg_key"``, ``"session_id"``, ``"msg_id_parity"``, ``"msg_id_too_old"``,
    ``"msg_id_too_new"``, ``"duplicate_msg_id"``, ``"padding"``, ``"length"``,
    ``"container"``); ``msg_id`` is the offending message id when known.
    """

    def __init__(self, reason: str, detail: str, *, msg_id: int | None = None) -> None:
        self.reason = reason
        self.msg_id = msg_id
        super().__init__(f"{reason}: {detail}")


class BadMessageError(TLError):
    """The peer ignored one of our messages (``bad_msg_notification`` ``code``) and it was not retried."""

    def __init__(self, code: int, msg_id: int) -> None:
        self.code = code
        self.msg_id = msg_id
        super().__init__(f"message {msg_id} refused by the peer with bad_msg_notification code {code}")


__all__ += ["SessionCheckError", "BadMessageError"]


class SessionResetError(ConnectionLostError):
    """The server lost the session (or the auth key) while this request had no answer.

    The request may or may not have run there (``maybe_executed`` is always
    True): it is the one case MTProto cannot make exactly-once.  Raised
    instead of re-sending when the client runs with ``on_session_reset="raise"``
    (the default); retry it yourself if running it twice is harmless.
    """

    maybe_executed = True

    def __init__(self, reason: str, request: object = None) -> None:
        self.request = request
        name = getattr(type(request), "TL_NAME", type(request).__name__)
        super().__init__(f"{name} may have run in a lost session ({reason}); not re-sent")


__all__ += ["SessionResetError"]

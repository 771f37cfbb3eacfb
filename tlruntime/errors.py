"""The one error hierarchy of the toolkit.

Every error the generator or the runtime raises on bad input derives from
:class:`TLError`, so a caller can catch the whole family with one clause and
still branch on the precise subclass.  Each subclass carries the facts a user
needs to act (a position, a constructor id, an RPC code) as attributes, not
only inside its message.
"""

from __future__ import annotations

# collections.abc, not typing: typing imports ``re``, which start-up must not pay for.
TYPE_CHECKING = False  # collections.abc is for type checkers only: a cheap `import tlruntime.errors`
if TYPE_CHECKING:
    from collections.abc import Callable

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
    "NestingError",
    "StringEncodeError",
    "ValueEncodeError",
    "TransportError",
    "TransportCodeError",
    "FrameError",
    "SecurityError",
    "HandshakeError",
    "MessageRejectedError",
    "RPCError",
    "SeeOtherError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "NotAcceptableError",
    "FloodError",
    "InternalServerError",
    "RPC_ERROR_BASES",
    "FloodWaitError",
    "rpc_error_from",
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
    """A value that cannot be serialized (out of range, wrong type, inconsistent flags).

    ``class_name`` and ``field`` name where the value sits when known
    (``ExportChatInvite``, ``title``), else None.
    """

    def __init__(self, message: str, *, class_name: str | None = None, field: str | None = None) -> None:
        self.class_name = class_name
        self.field = field
        super().__init__(message)


class ValueEncodeError(EncodeError):
    """A single value a ``tlruntime.binary`` packer cannot write (out of range, too long...).

    The packers do not know where the value sits; a generated class catches
    this and raises an :class:`EncodeError` that names the class and the field.
    """


class StringEncodeError(ValueEncodeError):
    """A ``str`` that UTF-8 cannot encode: a lone surrogate outside U+DC80..U+DCFF.

    (Lone surrogates in U+DC80..U+DCFF are what reading invalid UTF-8 produces;
    they are written back as the original bytes.)  Raised by ``binary.pack_string``.
    """


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


class NestingError(DecodeError):
    """A value nested deeper than ``tlruntime.tlobject.MAX_NESTING`` levels (or than the stack allows).

    ``depth`` is the level that went past the limit, ``limit`` the limit, and
    ``constructor_id`` the id read at ``offset`` (None when the Python stack ran
    out before the counted limit, which only happens when the decoder is
    called with almost no stack left).
    """

    def __init__(
        self, message: str, *, offset: int, constructor_id: int | None = None,
        depth: int | None = None, limit: int | None = None,
    ) -> None:
        self.constructor_id = constructor_id
        self.depth = depth
        self.limit = limit
        super().__init__(message, offset=offset)


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


def _request_name(request: object) -> str | None:
    """``messages.exportChatInvite``, or ``help.getConfig via invokeWithLayer > initConnection``.

    Wrappers (``invokeWithLayer``, ``initConnection``, ``invokeWithoutUpdates``...)
    carry the real call in their ``query`` field; the innermost call is the one
    that failed, the wrappers are named after it.
    """
    names: list[str] = []
    current = request
    while current is not None and len(names) < 8:
        name = getattr(type(current), "TL_NAME", None)
        if not isinstance(name, str):
            break
        names.append(name)
        current = getattr(current, "query", None)
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return f"{names[-1]} via {' > '.join(names[:-1])}"


class RPCError(TLError):
    """An ``rpc_error`` answered to a request.

    ``code`` is the numeric error code, ``message`` the raw error string and
    ``value`` the number embedded in it (``FLOOD_WAIT_42`` gives 42), or None.
    ``name`` is the message with that number replaced by ``X`` (``FLOOD_WAIT_X``
    style).  ``request`` is the request that failed (when known); ``str(e)``
    names it by its TL name.

    :func:`rpc_error_from` returns the most specific class: one generated class
    per known error name (``tlruntime.tl.errors``), under one base class per
    code (:class:`BadRequestError` for 400, :class:`FloodError` for 420, ...).
    """

    #: The error name a generated class stands for (``FLOOD_WAIT_X``); None on base classes.
    NAME: str | None = None
    #: The codes a generated class is documented with; empty on base classes.
    CODES: tuple[int, ...] = ()
    #: ``(prefix, suffix)`` around the number in the message of a generated ``_X`` class.
    NUMBER_AFFIX: tuple[str, str] | None = None

    def __init__(self, code: int, message: str, request: object = None) -> None:
        self.code = code
        self.message = message
        self.request = request
        self.name, self.value = self._parse(message)
        self.request_name = _request_name(request)
        text = f"RPC error {code}: {message}"
        if self.request_name is not None:
            text += f" (caused by {self.request_name})"
        super().__init__(text)

    @classmethod
    def _parse(cls, message: str) -> tuple[str, int | None]:
        affix = cls.NUMBER_AFFIX
        if affix is not None and cls.NAME is not None:
            prefix, suffix = affix
            middle = message[len(prefix) : len(message) - len(suffix)]
            if (
                message.startswith(prefix)
                and message.endswith(suffix)
                and middle.isascii()
                and middle.isdigit()
            ):
                return cls.NAME, int(middle)
        return _split_trailing_number(message)

    @staticmethod
    def from_rpc_error(code: int, message: str, request: object = None) -> "RPCError":
        """Build the most specific subclass for ``message`` (same as :func:`rpc_error_from`)."""
        return rpc_error_from(code, message, request)


class SeeOtherError(RPCError):
    """303: the request must be repeated on another DC, ``dc_id`` (every 303 is a ``*_MIGRATE_X``)."""

    CODE = 303

    @property
    def dc_id(self) -> int:
        return self.value or 0


class BadRequestError(RPCError):
    """400: the request's parameters are wrong."""

    CODE = 400


class UnauthorizedError(RPCError):
    """401: the authorization is missing or no longer valid."""

    CODE = 401


class ForbiddenError(RPCError):
    """403: the request is not allowed for this user."""

    CODE = 403


class NotFoundError(RPCError):
    """404: the method or object does not exist."""

    CODE = 404


class NotAcceptableError(RPCError):
    """406: the request cannot be accepted now (the app should usually show why)."""

    CODE = 406


class FloodError(RPCError):
    """420: too many requests."""

    CODE = 420


class InternalServerError(RPCError):
    """500: the server failed; the request may succeed when repeated."""

    CODE = 500


#: The base class of each RPC error code; other codes get :class:`RPCError` itself.
RPC_ERROR_BASES: dict[int, type[RPCError]] = {
    303: SeeOtherError,
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    406: NotAcceptableError,
    420: FloodError,
    500: InternalServerError,
}


class FloodWaitError(FloodError):
    """``FLOOD_WAIT_X`` (and every other 420 ``*_WAIT_X``): ``seconds`` tells how long to wait before retrying."""

    NAME = "FLOOD_WAIT_X"
    CODES = (420,)
    NUMBER_AFFIX = ("FLOOD_WAIT_", "")

    @property
    def seconds(self) -> int:
        return self.value or 0


#: Where the classes generated from the facts table live (see generator/errors).
GENERATED_ERRORS_MODULE = "tlruntime.tl.errors"
# The generated ``lookup(message)`` function; None until first use, False when there is none.
_generated_lookup: Callable[[str], type[RPCError] | None] | bool | None = None


def _find_generated(message: str) -> type[RPCError] | None:
    """The generated class for ``message``, imported on first use (start-up stays cheap)."""
    global _generated_lookup
    if _generated_lookup is None:
        import importlib

        try:
            module = importlib.import_module(GENERATED_ERRORS_MODULE)
        except ModuleNotFoundError as error:
            if error.name not in (GENERATED_ERRORS_MODULE, GENERATED_ERRORS_MODULE.rpartition(".")[0]):
                raise
            _generated_lookup = False
        else:
            _generated_lookup = module.lookup
    if _generated_lookup is False:
        return None
    if _generated_lookup is True:  # never stored; keeps the type checker's narrowing simple
        return None
    found = _generated_lookup(message)
    return found if isinstance(found, type) and issubclass(found, RPCError) else None


def rpc_error_from(code: int, message: str, request: object = None) -> RPCError:
    """The typed error for an ``rpc_error`` answer.

    The class generated for the error's name when the name is known and the code
    is one it is documented with; otherwise the base class of ``code``
    (:class:`BadRequestError` for 400...), so ``except`` clauses on the code
    classes never see an error of another code; :class:`RPCError` for codes
    without a base class.  Flood waits are :class:`FloodWaitError` even when the
    generated classes are absent.
    """
    found = _find_generated(message)
    if found is not None and (not found.CODES or code in found.CODES):
        return found(code, message, request)
    if found is None and code == 420 and message.startswith(("FLOOD_WAIT_", "FLOOD_PREMIUM_WAIT_")):
        return FloodWaitError(code, message, request)
    return RPC_ERROR_BASES.get(code, RPCError)(code, message, request)


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

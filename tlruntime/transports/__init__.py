"""MTProto transports as sans-IO codecs: bytes in, frames out, no sockets and no asyncio.

Client::

    codec = make_client_codec("obfuscated-intermediate", dc_id=2)
    writer.write(codec.initial_bytes() + codec.encode(message))
    for event in codec.feed(await reader.read(65536)):
        ...  # Frame(payload) or QuickAck(token)

Server::

    detector = TransportDetector()
    detection = detector.feed(first_chunk)  # None until the opening is recognised
    codec = detection.codec                 # then feed the codec directly

Errors come from :mod:`tlruntime.errors`: :class:`~tlruntime.errors.FrameError`
for a broken envelope, :class:`~tlruntime.errors.TransportCodeError` for a bare
error code (-404, -429, -444...) received by the client, and
:class:`~tlruntime.errors.TransportError` for everything else.
"""

from .abridged import Abridged
from .base import FramingCodec, RandomBytes, TransportCodec
from .detect import Detection, TransportDetector, TransportKind, sniff_transport
from .events import DEFAULT_MAX_FRAME_SIZE, BytesLike, Event, Frame, QuickAck, Side
from .factory import CLIENT_CODEC_NAMES, make_client_codec
from .full import Full
from .intermediate import Intermediate, PaddedIntermediate, mtproto_message_length
from .obfuscated import Obfuscated2, parse_proxy_secret

__all__ = [
    "Abridged",
    "BytesLike",
    "CLIENT_CODEC_NAMES",
    "DEFAULT_MAX_FRAME_SIZE",
    "Detection",
    "Event",
    "Frame",
    "FramingCodec",
    "Full",
    "Intermediate",
    "Obfuscated2",
    "PaddedIntermediate",
    "QuickAck",
    "RandomBytes",
    "Side",
    "TransportCodec",
    "TransportDetector",
    "TransportKind",
    "make_client_codec",
    "mtproto_message_length",
    "parse_proxy_secret",
    "sniff_transport",
]

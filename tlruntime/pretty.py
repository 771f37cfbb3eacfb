"""Readable forms of TL values: a multi-line pretty form and JSON.

``obj.pretty()`` (also ``str(obj)``) renders a TL object as indented,
Python-like text for people::

    ChatInviteExported(
      revoked=True,
      link='https://t.me/+AbCd',
      admin_id=42,
      date=1700000000,
      subscription_pricing=StarsSubscriptionPricing(period=2592000, amount=100),
    )

* fields that are absent are left out: optional fields that are ``None`` and
  ``true`` flags that are not set (a ``Bool`` field that is ``False`` is a
  value and stays);
* a value whose one-line form fits in ``width`` columns stays on one line,
  anything longer is broken into one field (or list item) per line;
* ``bytes`` up to 64 bytes print as Python literals, longer ones as
  ``<N bytes: first 32 bytes in hex…>`` (the form is for reading, not for
  copying data back: use ``to_dict`` or ``to_json`` for that).

``obj.to_json()`` is ``to_dict()`` as JSON text: ``{"_": tl_name, field: value, ...}``
with keys in schema order (``"_"`` first; the computed ``flags`` fields are not
written), every field present (``null`` when absent, as in ``to_dict``).
Integers are written with all their digits (a ``long`` or ``int256`` stays
exact; pass ``big_ints_as_strings=True`` for readers such as JavaScript that
parse JSON numbers as doubles: integers beyond ±(2**53 - 1) are then strings).
``bytes`` are base64 (RFC 4648, standard alphabet, padded) by default, or hex
with ``bytes_as="hex"``.  Non-finite doubles, which JSON cannot express, are
the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.

TL objects are recognised by their class attributes (``TL_NAME``, ``FIELDS``),
so this module needs nothing from :mod:`tlruntime.tlobject` (which imports it
for the ``pretty``/``to_json``/``__str__`` methods).  ``json`` and ``base64``
are imported on first use: importing the layer stays as cheap as it was.
"""

from __future__ import annotations

import math
from typing import Any, Literal

__all__ = ["pretty", "to_json", "to_jsonable", "BYTES_SHOWN", "MAX_SAFE_INTEGER"]

#: Longer ``bytes`` values are abbreviated in the pretty form.
BYTES_SHOWN = 64
#: The largest integer a double holds exactly (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1

BytesEncoding = Literal["base64", "hex"]


def _is_tl_object(value: object) -> bool:
    cls = type(value)
    return hasattr(cls, "TL_NAME") and hasattr(cls, "FIELDS")


def _present_fields(obj: Any) -> list[tuple[str, Any]]:
    """``(python name, value)`` of the fields worth showing, in schema order."""
    shown: list[tuple[str, Any]] = []
    for field in type(obj).FIELDS:
        if field.tl_type == "#":
            continue  # computed from the others when writing
        value = getattr(obj, field.name, None)
        if value is None or (field.tl_type == "true" and value is False):
            continue
        shown.append((field.name, value))
    return shown


def _scalar(value: object) -> str:
    if isinstance(value, bytes) and len(value) > BYTES_SHOWN:
        return f"<{len(value)} bytes: {value[:32].hex()}…>"
    return repr(value)


def _one_line(value: object) -> str:
    if _is_tl_object(value):
        inner = ", ".join(f"{name}={_one_line(v)}" for name, v in _present_fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_one_line(v) for v in value) + "]"
    return _scalar(value)


def _render(value: object, level: int, lead: int, indent: int, width: int, out: list[str]) -> None:
    """Append ``value`` to ``out``: on one line if it fits after ``lead`` columns, else broken up.

    The first line continues the current one (``out`` ends with the field name
    or the indentation); every following line is indented itself.
    """
    flat = _one_line(value)
    if lead + len(flat) <= width or not (_is_tl_object(value) or isinstance(value, list)):
        out.append(flat)
        return
    pad = " " * (indent * (level + 1))
    if isinstance(value, list):
        out.append("[\n")
        for item in value:
            out.append(pad)
            _render(item, level + 1, len(pad), indent, width, out)
            out.append(",\n")
        out.append(" " * (indent * level) + "]")
        return
    out.append(f"{type(value).__name__}(\n")
    for name, item in _present_fields(value):
        out.append(f"{pad}{name}=")
        _render(item, level + 1, len(pad) + len(name) + 1, indent, width, out)
        out.append(",\n")
    out.append(" " * (indent * level) + ")")


def pretty(value: object, *, indent: int = 2, width: int = 88) -> str:
    """The multi-line readable form of a TL object (or list, or plain value); see the module doc."""
    if indent < 0 or width < 1:
        raise ValueError(f"indent must be >= 0 and width >= 1, got indent={indent}, width={width}")
    out: list[str] = []
    _render(value, 0, 0, indent, width, out)
    return "".join(out)


def to_jsonable(
    value: object, *, bytes_as: BytesEncoding = "base64", big_ints_as_strings: bool = False
) -> Any:
    """Plain JSON-ready data (dicts, lists, str, int, float, bool, None) for a TL value."""
    if bytes_as not in ("base64", "hex"):
        raise ValueError(f"bytes_as must be 'base64' or 'hex', got {bytes_as!r}")
    import base64

    def convert(v: object) -> Any:
        if _is_tl_object(v):
            out: dict[str, Any] = {"_": type(v).TL_NAME}  # type: ignore[attr-defined]
            for field in type(v).FIELDS:  # type: ignore[attr-defined]
                if field.tl_type != "#":
                    out[field.name] = convert(getattr(v, field.name, None))
            return out
        if isinstance(v, list):
            return [convert(item) for item in v]
        if isinstance(v, (bytes, bytearray, memoryview)):
            raw = bytes(v)
            return base64.b64encode(raw).decode("ascii") if bytes_as == "base64" else raw.hex()
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int):
            return str(v) if big_ints_as_strings and abs(v) > MAX_SAFE_INTEGER else v
        if isinstance(v, float):
            if math.isnan(v):
                return "NaN"
            if math.isinf(v):
                return "Infinity" if v > 0 else "-Infinity"
            return v
        raise TypeError(f"{type(v).__name__} value {v!r} is not a TL value")

    return convert(value)


def to_json(
    value: object,
    *,
    indent: int | None = None,
    bytes_as: BytesEncoding = "base64",
    big_ints_as_strings: bool = False,
) -> str:
    """JSON text of a TL value (see the module doc); ``indent`` as for :func:`json.dumps`."""
    import json

    data = to_jsonable(value, bytes_as=bytes_as, big_ints_as_strings=big_ints_as_strings)
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)

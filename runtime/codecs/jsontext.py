"""JSON text → Python through the standard library's C scanner, without ``json.loads``'s wrapping.

``json.loads(bytes)`` sniffs the encoding, decodes, then runs the scanner and a whitespace regex;
for the small documents events carry that wrapping costs more than the parse. :func:`loads` calls
the scanner on the UTF-8 text directly and accepts exactly what ``json.loads`` accepts: anything the
direct call does not take whole (other encodings, a BOM, whitespace, an error) goes through
``json.loads``, which also produces the error message.
"""

from __future__ import annotations

import json
from typing import Any

#: The C scanner: ``scan(text, index) -> (value, end)``; raises StopIteration or ValueError.
scan: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # public, untyped


def loads(data: bytes | str) -> Any:
    """Parse one JSON document (bytes or text); raises ``ValueError`` like ``json.loads``."""
    try:
        text = data.decode() if type(data) is bytes else data
        value, end = scan(text, 0)
        if end == len(text):
            return value
    except (StopIteration, ValueError):  # UnicodeDecodeError included
        pass
    return json.loads(data)  # the general path: other encodings, a BOM, whitespace, errors

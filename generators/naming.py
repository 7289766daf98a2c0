"""Names the generators derive from proto names; rules use the same functions to find collisions."""

from __future__ import annotations

import keyword
import re
from functools import lru_cache

_BOUNDARY1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_BOUNDARY2 = re.compile(r"([a-z0-9])([A-Z])")


@lru_cache(maxsize=65536)
def snake_case(name: str) -> str:
    """`SendUserCreated` -> `send_user_created`; `HTTPServer` -> `http_server`."""
    s = _BOUNDARY1.sub(r"\1_\2", name)
    s = _BOUNDARY2.sub(r"\1_\2", s)
    s = re.sub(r"_+", "_", s.replace("-", "_")).strip("_").lower()
    return s + "_" if keyword.iskeyword(s) else s


def method_name(rpc_name: str) -> str:
    """The SDK method generated for an operation."""
    return snake_case(rpc_name)

"""Parse untrusted JSON (bundle metadata, registry index, cache entry) with bounded nesting.

``json.loads`` recurses once per nesting level, so a few KB of ``[[[[...`` raise
``RecursionError`` instead of a parse error; a document just under Python's
limit parses but breaks later recursive steps (validation, copying, dumping).
Files sslsci writes nest a handful of levels, so anything past ``MAX_JSON_DEPTH``
is refused as malformed, with the same error class as any other bad file.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 64


class NestingError(ValueError):
    """A JSON document nests arrays or objects deeper than ``MAX_JSON_DEPTH``."""


def nesting_depth(document: Any, bound: int = MAX_JSON_DEPTH) -> int:
    """Levels of arrays/objects in ``document`` (without recursion), stopping past ``bound``."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > bound:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(raw: bytes | str) -> Any:
    """``json.loads`` that raises ``NestingError`` for too-deep documents, never RecursionError.

    Decoding problems raise ``UnicodeDecodeError`` or ``json.JSONDecodeError`` as usual.
    """
    too_deep = f"nests arrays or objects more than {MAX_JSON_DEPTH} levels deep"
    try:
        document = json.loads(raw)
    except RecursionError:
        raise NestingError(too_deep) from None
    if nesting_depth(document) > MAX_JSON_DEPTH:
        raise NestingError(too_deep)
    return document

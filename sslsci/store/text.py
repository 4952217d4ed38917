"""Text that SQLite, JSON and terminals accept, from names and messages that may not be.

Python hands a file name that is not valid UTF-8 over as a ``str`` with lone surrogates
(``os.fsdecode``); such a string cannot be encoded, so a manifest row or a printed
message holding it fails. ``printable`` turns those bytes into ``\\xNN``: the result is
stable, so a rerun finds the same manifest row.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` as valid UTF-8: bytes that are not UTF-8 become ``\\xNN``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name byte stands for
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def printable_or_none(text: str | None) -> str | None:
    return None if text is None else printable(text)

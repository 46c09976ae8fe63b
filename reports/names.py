"""File names as people see them: always valid text, never able to reorder or hide what follows.

Paths are kept as Python gives them for file operations (bytes that are not UTF-8 become lone
surrogates, PEP 383); everything shown to people or written to JSON, HTML, CSV, XLSX or the
terminal goes through `display_path` first:

- a name component that is not UTF-8 is decoded as CP949 (Korean names from Windows zip tools)
  when that succeeds, else its undecodable bytes are written as `\\xNN`;
- control characters (newline, ESC ...) and bidirectional controls (U+202E RIGHT-TO-LEFT
  OVERRIDE and friends, which reverse how the rest of a name is displayed) are written as
  `\\xNN` / `\\uNNNN`.
"""

from __future__ import annotations

import os
import unicodedata

# Bidirectional formatting characters (Unicode TR9): embeddings, overrides, isolates, marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def display_path(path: str | os.PathLike[str]) -> str:
    """`path` in a form that is safe to show and to encode as UTF-8 (see the module doc)."""
    text = os.fspath(path)
    if has_undecodable(text):
        raw = text.encode("utf-8", "surrogateescape")
        text = "/".join(_decode_component(part) for part in raw.split(b"/"))
    return escape_controls(text)


def has_undecodable(text: str) -> bool:
    """True when `text` carries bytes that were not valid UTF-8 (lone surrogates)."""
    return any("\udc80" <= c <= "\udcff" for c in text)


def escape_controls(text: str) -> str:
    """Control and bidirectional formatting characters written as escapes; the rest kept."""
    return "".join(_escape(c) if _is_control(c) else c for c in text)


def _decode_component(part: bytes) -> str:
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return part.decode("cp949")
    except UnicodeDecodeError:
        return part.decode("utf-8", "backslashreplace")


def _is_control(c: str) -> bool:
    return c in BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cs")


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

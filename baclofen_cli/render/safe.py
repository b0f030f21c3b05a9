"""The output boundary: text from input or data files never reaches a terminal raw.

``visible`` shows every control character, escape sequence, line or paragraph
separator, bidirectional override and other invisible format character as a
backslash escape (``\\x1b``, ``\\n``, ``\\u202e``), so an item can neither colour the
screen nor start a line of its own. Ordinary spaces (also no-break spaces) and all
printable letters are kept. ``columns`` reads ``COLUMNS`` clamped to a sane range.
No imports: the renderers and the CLI's error path use it at no cost.
"""

MIN_COLUMNS = 20
MAX_COLUMNS = 500
DEFAULT_COLUMNS = 100
_LINE_BREAKS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: str) -> str:
    """``text`` with every non-printing character (except a space) written as a visible escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or (c.isspace() and c not in _LINE_BREAKS) else _escape(c) for c in text)


def _escape(c: str) -> str:
    named = _NAMED.get(c)
    if named:
        return named
    code = ord(c)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def columns(value: "str | None", default: int = DEFAULT_COLUMNS) -> int:
    """A width from ``COLUMNS``-like text, clamped to MIN_COLUMNS..MAX_COLUMNS; ``default`` if not a number."""
    try:
        width = int((value or "").strip())
    except ValueError:
        return default
    return min(max(width, MIN_COLUMNS), MAX_COLUMNS)


_JSON_UNSAFE = None


def ascii_only(stream: object) -> bool:
    """True when ``stream`` cannot carry every character (its encoding is not a Unicode one):
    JSON written to it must escape everything outside ASCII to stay lossless."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str):
        return False  # an in-memory stream: it holds text, not bytes
    import codecs  # already loaded by the interpreter's own I/O

    try:
        return not codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return True


def json_text(value: object, *, ascii: bool = False, indent: "int | None" = None,
              separators: "tuple[str, str] | None" = None) -> str:
    """The one way baclo writes JSON: ``json.dumps`` made terminal-safe by ``json_safe``; with ``ascii``
    (see ``ascii_only``) every non-ASCII character is a ``\\uXXXX`` escape, so the output is the same
    JSON value in any encoding (PYTHONIOENCODING=ascii included)."""
    import json

    return json_safe(json.dumps(value, ensure_ascii=ascii, indent=indent, separators=separators))


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls, line separators,
    bidirectional and zero-width characters written as ``\\uXXXX`` escapes: the same JSON value, but
    nothing a terminal would act on. (``json.dumps`` already escapes C0 controls inside strings.)"""
    global _JSON_UNSAFE
    if text.isascii() and "\x7f" not in text:
        return text
    if _JSON_UNSAFE is None:
        import re

        _JSON_UNSAFE = re.compile("[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                                  "\ufff9-\ufffb\ud800-\udfff]")
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

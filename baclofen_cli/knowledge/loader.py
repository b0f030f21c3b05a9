"""Find, read, parse and cache the knowledge file.

The YAML is the single source of truth. Parsing it costs tens of milliseconds,
so after a successful load the parsed, checked content and its name indexes are
written as JSON to a cache file whose name is the BLAKE2 hash of the YAML bytes
and of this loader's version: any edit to the YAML (or a new baclo) misses the cache
and is parsed and checked afresh, so the cache can never serve stale data.
"""


import json
import os
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from baclofen_cli import __version__
from baclofen_cli.errors import DataError
from baclofen_cli.knowledge.model import Knowledge
from baclofen_cli.knowledge.schema import SchemaError, build_knowledge

MAX_BYTES = 4 * 1024 * 1024
"""Refuse larger files before parsing: the bundled file is well under 1 MiB."""
MAX_NODES = 500_000
"""Refuse parsed content with more values than this (bounds time and memory)."""
CACHE_FORMAT = f"1-{__version__}"
ENV_DATA = "BACLO_DATA"
ENV_CACHE = "BACLO_CACHE_DIR"
ENV_NO_CACHE = "BACLO_NO_CACHE"

try:  # the built-in BLAKE2 avoids importing OpenSSL's hashlib (2 ms at start-up)
    from _blake2 import blake2b as _hash
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b as _hash

_loaded: Dict[Tuple[str, str], Knowledge] = {}


def bundled_path() -> Path:
    """The knowledge file shipped with the package (or, in a source checkout, under data/)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "data" / "baclofen.yaml"
    if packaged.is_file():
        return packaged
    return here.parent / "data" / "baclofen.yaml"


def load_knowledge(path: Optional[str] = None) -> Knowledge:
    """Load, check and return the knowledge file; once per process per file content."""
    chosen = Path(path) if path else bundled_path()
    shown = str(chosen)
    content = _read(chosen, shown)
    digest = _hash(content, digest_size=32).hexdigest()
    cached = _loaded.get((shown, digest))
    if cached is not None:
        return cached
    knowledge = _from_cache(digest, shown)
    if knowledge is None:
        raw = _parse(content, shown)
        try:
            knowledge = build_knowledge(raw, path=shown, digest=digest)
        except SchemaError as e:
            raise DataError(f"invalid knowledge file {shown}: {e}") from None
        _write_cache(digest, raw, knowledge)
    _loaded[(shown, digest)] = knowledge
    return knowledge


def _read(path: Path, shown: str) -> bytes:
    try:
        if path.is_dir():
            raise DataError(f"cannot read knowledge file {shown}: it is a directory")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError(
                f"refusing knowledge file {shown}: it is {size:,} bytes, over the limit of {MAX_BYTES:,}"
            )
        with path.open("rb") as f:
            content = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(f"knowledge file not found: {shown}") from None
    except PermissionError:
        raise DataError(f"cannot read knowledge file {shown}: permission denied") from None
    except OSError as e:
        raise DataError(f"cannot read knowledge file {shown}: {e.strerror or e}") from None
    if len(content) > MAX_BYTES:  # the file grew while we read it, or is a device
        raise DataError(f"refusing knowledge file {shown}: over the limit of {MAX_BYTES:,} bytes")
    return content


def _parse(content: bytes, shown: str) -> Any:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content[: e.start].count(b"\n") + 1
        raise DataError(
            f"invalid knowledge file {shown}: not UTF-8 text (bad byte at line {line}, offset {e.start})"
        ) from None
    if "\x00" in text:
        raise DataError(f"invalid knowledge file {shown}: it contains NUL characters (not a text file)")
    import yaml  # deferred: only a cache miss pays for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader: no object-constructing tags
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = e.problem or e.context or "cannot be parsed"
        if isinstance(e, yaml.constructor.ConstructorError):
            problem = f"{problem} (tags that construct objects are refused)"
        raise DataError(f"invalid YAML in knowledge file {shown}{where}: {problem}") from None
    except yaml.YAMLError as e:
        raise DataError(f"invalid YAML in knowledge file {shown}: {e}") from None
    except RecursionError:
        raise DataError(f"invalid knowledge file {shown}: nested too deeply") from None
    _refuse_shared_and_huge(raw, shown)
    return raw


def _refuse_shared_and_huge(raw: Any, shown: str) -> None:
    """Refuse YAML anchors/aliases and oversized trees.

    PyYAML turns an alias into a second reference to the same object, so an
    "alias bomb" is small in memory but explodes when walked. The knowledge file
    has no use for aliases: any container reached twice is refused at once.
    """
    seen = set()
    stack = [raw]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise DataError(f"refusing knowledge file {shown}: more than {MAX_NODES:,} values")
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                raise DataError(
                    f"invalid knowledge file {shown}: YAML anchors and aliases (&, *) are not allowed"
                )
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
            if isinstance(node, dict):
                for key in node:
                    if not isinstance(key, str):
                        raise DataError(
                            f"invalid knowledge file {shown}: mapping key {key!r} is not text"
                        )
        elif not isinstance(node, (str, int, float, bool)) and node is not None:
            # dates and timestamps: keep them as text so the content is plain JSON
            raise DataError(
                f"invalid knowledge file {shown}: unexpected value of type {type(node).__name__}; "
                "quote dates and other special values"
            )


def _cache_dir() -> Optional[Path]:
    if os.environ.get(ENV_NO_CACHE):
        return None
    explicit = os.environ.get(ENV_CACHE)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "baclo"


def _cache_file(digest: str) -> Optional[Path]:
    directory = _cache_dir()
    if directory is None:
        return None
    key = _hash(f"{CACHE_FORMAT}:{digest}".encode(), digest_size=16).hexdigest()
    return directory / f"knowledge-{key}.json"


def _from_cache(digest: str, shown: str) -> Optional[Knowledge]:
    cache = _cache_file(digest)
    if cache is None:
        return None
    try:
        with cache.open("rb") as f:
            payload = json.loads(f.read())
        if payload.get("format") != CACHE_FORMAT or payload.get("digest") != digest:
            return None
        names = (payload["medication_names"], payload["condition_names"])
        return build_knowledge(payload["data"], path=shown, digest=digest, names=names)
    except (OSError, ValueError, KeyError, TypeError, SchemaError):
        return None  # a missing or damaged cache is simply rebuilt from the YAML


def _write_cache(digest: str, raw: Any, knowledge: Knowledge) -> None:
    cache = _cache_file(digest)
    if cache is None:
        return
    payload = {
        "format": CACHE_FORMAT,
        "digest": digest,
        "data": raw,
        "medication_names": {k: list(t) for k, t in knowledge.medication_names.items()},
        "condition_names": {k: list(t) for k, t in knowledge.condition_names.items()},
    }
    try:
        import tempfile  # deferred: only a cache miss writes

        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".knowledge-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home or full disk only costs speed, never correctness

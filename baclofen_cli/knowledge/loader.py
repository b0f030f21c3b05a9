"""Find, read, parse and cache the knowledge file.

The YAML is the single source of truth. Only a regular file is read (a FIFO, a
device or a directory is refused at once, never waited on), and a key given twice
in one mapping is an error naming both lines. Parsing costs tens of milliseconds,
so after a successful load the parsed, checked content and its name indexes are
written as JSON to a cache file whose name is the BLAKE2 hash of the YAML bytes,
of this baclo's version and of the source of the code that builds the cached
structures (``CODE_MODULES``): any edit to the YAML or to that code misses the
cache and is parsed and checked afresh. The cache file starts with a header line
carrying a checksum of the rest; a cache that is truncated, edited, of another
format or of the wrong shape is ignored and rebuilt, never served, never a crash:
content read from it that fails to build, whatever the exception, even a part built
late in the run, is discarded and everything is rebuilt from the YAML
(``Knowledge.guard``).

Threat model. The cache is a speed aid kept in the user's own cache directory
(``$XDG_CACHE_HOME/baclo`` or ``~/.cache/baclo``; ``BACLO_CACHE_DIR`` to choose). The
checksum detects damage (a truncated write, a disk error), not an attacker: anyone
who can rewrite the file can recompute it. So baclo creates the directory 0700 and
its files 0600, and refuses to read a cache file that is not owned by the current
user or that group or others may write (it is then rebuilt in memory). What is left
is someone who can write your own files: they can just as well edit the installed
package or the knowledge file itself, so no cache check can stop them. A keyed MAC
would add nothing: its key would have to live beside the cache, readable by exactly
the same people who can write the cache.
"""


import json
import os
import stat
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
CACHE_FORMAT = f"3-{__version__}"
ENV_DATA = "BACLO_DATA"
ENV_CACHE = "BACLO_CACHE_DIR"
ENV_NO_CACHE = "BACLO_NO_CACHE"

try:  # the built-in BLAKE2 avoids importing OpenSSL's hashlib (2 ms at start-up)
    from _blake2 import blake2b as _hash
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b as _hash

_loaded: Dict[Tuple[str, str], Knowledge] = {}
_code_digest: Optional[str] = None

CODE_MODULES = ("baclofen_cli.knowledge.loader", "baclofen_cli.knowledge.schema", "baclofen_cli.knowledge.model",
                "baclofen_cli.names")
"""The modules whose code shapes what the cache holds (the model, its checks and the name keys)."""


def code_digest() -> str:
    """A hash of the source of ``CODE_MODULES`` (about 0.1 ms): a code change is a new cache."""
    global _code_digest
    if _code_digest is None:
        import sys

        h = _hash(digest_size=16)
        for name in CODE_MODULES:
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            h.update(name.encode())
            try:
                with open(path, "rb") as f:  # type: ignore[arg-type]
                    h.update(f.read())
            except (OSError, TypeError):
                h.update(b"?")  # no source to read: the version alone keys the cache
        _code_digest = h.hexdigest()
    return _code_digest


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
    knowledge = _from_cache(digest, shown, content)
    if knowledge is None:
        knowledge = _from_yaml(content, digest, shown)
    _loaded[(shown, digest)] = knowledge
    return knowledge


def _from_yaml(content: bytes, digest: str, shown: str) -> Knowledge:
    """Parse and check the YAML, and write the compiled cache for next time."""
    raw = _parse(content, shown)
    try:
        knowledge = build_knowledge(raw, path=shown, digest=digest)
    except SchemaError as e:
        raise DataError(f"invalid knowledge file {shown}: {e}") from None
    _write_cache(digest, raw, knowledge)
    return knowledge


def _read(path: Path, shown: str) -> bytes:
    """The bytes of a regular file, at most MAX_BYTES; anything else is refused without waiting."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"cannot read knowledge file {shown}: {_kind(info.st_mode)}, not a regular file")
        if info.st_size > MAX_BYTES:
            raise DataError(
                f"refusing knowledge file {shown}: it is {info.st_size:,} bytes, over the limit of {MAX_BYTES:,}"
            )
        # O_NONBLOCK: if the path became a FIFO since the stat, opening it must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise DataError(f"cannot read knowledge file {shown}: {_kind(mode)}, not a regular file")
            content = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(f"knowledge file not found: {shown}") from None
    except PermissionError:
        raise DataError(f"cannot read knowledge file {shown}: permission denied") from None
    except OSError as e:
        raise DataError(f"cannot read knowledge file {shown}: {e.strerror or e}") from None
    except ValueError as e:  # a path with a NUL character
        raise DataError(f"cannot read knowledge file {shown}: {e}") from None
    if len(content) > MAX_BYTES:  # the file grew while we read it
        raise DataError(f"refusing knowledge file {shown}: over the limit of {MAX_BYTES:,} bytes")
    return content


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "it is a directory"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device"
    if stat.S_ISSOCK(mode):
        return "it is a socket"
    return "it is a special file"


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

    loader = _strict_loader()
    try:
        raw = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader: no object-constructing tags
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = e.problem or e.context or "cannot be parsed"
        if isinstance(e, yaml.constructor.ConstructorError) and "given twice" not in problem:
            problem = f"{problem} (tags that construct objects are refused)"
        raise DataError(f"invalid YAML in knowledge file {shown}{where}: {problem}") from None
    except yaml.YAMLError as e:
        raise DataError(f"invalid YAML in knowledge file {shown}: {e}") from None
    except RecursionError:
        raise DataError(f"invalid knowledge file {shown}: nested too deeply") from None
    _refuse_shared_and_huge(raw, shown)
    return raw


_STRICT_LOADER: Any = None


def _strict_loader() -> Any:
    """The C safe loader (the Python one if libyaml is missing) that refuses a key given twice."""
    global _STRICT_LOADER
    if _STRICT_LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class StrictLoader(base):  # type: ignore[valid-type, misc]
            def construct_mapping(self, node: Any, deep: bool = False) -> Any:
                if isinstance(node, yaml.MappingNode):
                    self.flatten_mapping(node)
                    first: Dict[Any, Any] = {}
                    for key_node, _ in node.value:
                        if not isinstance(key_node, yaml.ScalarNode):
                            continue
                        key = self.construct_object(key_node, deep=deep)
                        try:
                            earlier: Any = first.setdefault(key, key_node.start_mark)
                        except TypeError:
                            continue
                        if earlier is not key_node.start_mark:
                            raise yaml.constructor.ConstructorError(
                                None, None,
                                f"the key {key!r} is given twice in one mapping (first at line {earlier.line + 1})",
                                key_node.start_mark)
                return super().construct_mapping(node, deep=deep)

        _STRICT_LOADER = StrictLoader
    return _STRICT_LOADER


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
    key = _hash(f"{CACHE_FORMAT}:{digest}:{code_digest()}".encode(), digest_size=16).hexdigest()
    return directory / f"knowledge-{key}.json"


def _from_cache(digest: str, shown: str, content: bytes) -> Optional[Knowledge]:
    """The cached knowledge for this content and code, or None: anything wrong with the cache is a miss."""
    cache = _cache_file(digest)
    if cache is None:
        return None
    try:
        fd = os.open(cache, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or not _private(info):
                return None
            blob = f.read()
        header_end = blob.find(b"\n")
        header = json.loads(blob[:header_end])
        body = memoryview(blob)[header_end + 1:]
        if (not isinstance(header, dict) or header.get("format") != CACHE_FORMAT or header.get("digest") != digest
                or header.get("code") != code_digest()
                or header.get("checksum") != _hash(body, digest_size=32).hexdigest()):
            return None
        lines = body.tobytes().split(b"\n")
        index = json.loads(lines[0])
        meds, conditions, keys = index["medication_names"], index["condition_names"], index["parts"]
        if not (isinstance(meds, dict) and isinstance(conditions, dict) and isinstance(keys, list)
                and len(keys) == len(lines) - 1 and all(type(k) is str for k in keys)
                and _name_index(meds) and _name_index(conditions)):
            return None
        data = _LazyParts(zip(keys, lines[1:], strict=True))
        knowledge = build_knowledge(data, path=shown, digest=digest, names=(meds, conditions))
        knowledge.meta  # noqa: B018 - a first part built from the cache: its shape is as expected
    except Exception:  # noqa: BLE001 - a missing or damaged cache is simply rebuilt from the YAML
        return None

    def rebuild() -> Knowledge:  # a part that fails to build later: the YAML, parsed and checked
        try:
            os.unlink(cache)
        except OSError:
            pass
        return _from_yaml(content, digest, shown)

    return knowledge.guard(rebuild)


class _LazyParts(dict):  # type: ignore[type-arg]
    """The top-level parts of a cached knowledge file, each decoded from its own JSON line on first use:
    ``info`` never decodes the interaction tables, ``check`` never the sections. A damaged line fails when
    its part is built, which ``Knowledge.guard`` answers by rebuilding from the YAML."""

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        if type(value) is bytes:
            value = json.loads(value)
            dict.__setitem__(self, key, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


def _name_index(index: Dict[str, Any]) -> bool:
    """Every entry is the three texts of a ``Target`` (about 0.1 ms for the bundled file)."""
    return all(type(v) is list and len(v) == 3 and type(v[0]) is str and type(v[1]) is str and type(v[2]) is str
               for v in index.values())


def _private(info: os.stat_result) -> bool:
    """A cache file baclo may trust: owned by this user and writable by no one else (see the module doc)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # no owners to compare (Windows): the user's profile directory protects it
        return True
    return info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write_cache(digest: str, raw: Any, knowledge: Knowledge) -> None:
    cache = _cache_file(digest)
    if cache is None:
        return
    index = {
        "medication_names": {k: list(t) for k, t in knowledge.medication_names.items()},
        "condition_names": {k: list(t) for k, t in knowledge.condition_names.items()},
        "parts": list(raw),
    }
    try:
        import tempfile  # deferred: only a cache miss writes

        # one line for the name indexes, then one line per part of the file (JSON has no raw line breaks),
        # so a run decodes only the parts it uses (see _LazyParts)
        body = b"\n".join(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                          for value in [index, *raw.values()])
        header = {"format": CACHE_FORMAT, "digest": digest, "code": code_digest(),
                  "checksum": _hash(body, digest_size=32).hexdigest()}
        cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: see the module doc
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".knowledge-", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(json.dumps(header).encode("ascii") + b"\n" + body)
            os.replace(tmp, cache)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError, TypeError):
        pass  # a read-only home or full disk only costs speed, never correctness

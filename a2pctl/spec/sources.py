"""Which customer files a command was given: files, directories and globs.

A directory stands for every `*.yaml` / `*.yml` file directly in it (sorted by
name); a glob (`customers/*.yaml`, `customers/**/*.yml`) for the files it
matches, the way a shell would expand it, also where no shell did (quoted, or
on Windows). Plain paths are kept as given, even when missing: the file check
reports them. Each file is given once, in the order first named.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from a2pctl.errors import UsageError

SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = frozenset("*?[")


def expand(args: Iterable[Path]) -> list[Path]:
    """Every customer file the arguments name; UsageError for a directory without
    YAML files or a glob that matches nothing."""
    found: dict[Path, Path] = {}
    for arg in args:
        for path in _one(Path(arg)):
            found.setdefault(_identity(path), path)
    return list(found.values())


def _identity(path: Path) -> Path:
    """The file a path names, to give it once; a path that cannot be resolved (a symlink
    loop) stands for itself, and the file check reports it."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _one(arg: Path) -> list[Path]:
    text = str(arg)
    if arg.is_dir():
        return _directory(arg)
    if _GLOB_CHARS & set(text) and not arg.exists():
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise UsageError(
                f"{text}: no file matches this pattern",
                hint="check the pattern, e.g. customers/*.yaml",
            )
        out: list[Path] = []
        for match in matches:
            path = Path(match)
            out += _directory(path, empty_ok=True) if path.is_dir() else [path]
        return out
    return [arg]


def _directory(directory: Path, empty_ok: bool = False) -> list[Path]:
    try:
        files = sorted(
            p for p in directory.iterdir() if p.suffix.lower() in SUFFIXES and not p.is_dir()
        )
    except OSError as exc:
        raise UsageError(f"cannot read the directory {directory}: {exc.strerror or exc}") from None
    if not files and not empty_ok:
        raise UsageError(
            f"{directory} holds no customer file (*.yaml or *.yml)",
            hint="give the directory with the customer files, or the files themselves",
        )
    return files

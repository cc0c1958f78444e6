"""The library versions the runtime's patches were written for, and whether they are installed.

The versions are those pinned in requirements.lock: a patch replaces code of
one release, and a different release (even a patch release) may have changed
what it replaces. `mismatches` says, for each patched library, what is
installed when it is not what the lock file pins.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from bot.settings import REPO_ROOT

# The libraries whose internals bot/runtime patches (distribution names as pip spells them).
PATCHED_LIBRARIES = ("rasa", "rasa-sdk", "sanic", "python-engineio")
LOCK_FILE = REPO_ROOT / "requirements.lock"
_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=4)
def pinned_versions(lock_file: Path = LOCK_FILE) -> dict[str, str]:
    """Every `name==version` line of the lock file, by normalised name."""
    pins = {}
    for line in lock_file.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            pins[_normalised(match.group(1))] = match.group(2)
    return pins


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def mismatches(libraries: tuple[str, ...] = PATCHED_LIBRARIES, lock_file: Path = LOCK_FILE) -> list[str]:
    """One plain sentence per library whose installed version is not the pinned one (empty: all match)."""
    pins = pinned_versions(lock_file)
    problems = []
    for name in libraries:
        pinned, installed = pins.get(_normalised(name)), installed_version(name)
        if pinned is None:
            problems.append(f"{name} is not pinned in {lock_file.name}")
        elif installed != pinned:
            problems.append(f"{name} {installed or '(not installed)'} is installed, the patches were written "
                            f"for {pinned} ({lock_file.name})")
    return problems

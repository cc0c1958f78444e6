"""Trains the Rasa model only when its inputs changed.

The model file is named after a fingerprint of everything that shapes it
(config, domain, training data, our NLU and policy code), so an unchanged
project reuses `models/migri-<fingerprint>.tar.gz` without retraining.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from bot.knowledge.domain_export import GENERATED_DOMAIN, write_generated_domain
from bot.settings import RASA_PROCESS_ENV, REPO_ROOT, get_settings

MODEL_PREFIX = "migri-"
KEEP_MODELS = 3


# Our NLU components and policies and the language code they use: the model depends on them as on the data.
CODE_PATTERNS = ("bot/nlu/*.py", "bot/dialogue/*.py", "bot/language/*.py")


def _files(patterns: Iterable[str], root: Path) -> list[Path]:
    return sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})


def model_inputs(root: Path = REPO_ROOT) -> list[Path]:
    # The generated domain carries the answer texts from knowledge/ as well.
    return _files(("config.yml", "domain.yml", "var/generated/domain.yml", "data/**/*.yml", *CODE_PATTERNS), root)


@lru_cache(maxsize=1)
def code_fingerprint(root: Path = REPO_ROOT) -> str:
    """A hash of our components' code. Rasa's training cache keys a component's output by its name,
    configuration and inputs only, so without this it would restore, after a code change, what the
    old code trained (components add it in `fingerprint_addon`)."""
    return fingerprint(_files(CODE_PATTERNS, root), root)


def fingerprint(files: Iterable[Path], root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(models_dir: Path | None = None, root: Path = REPO_ROOT) -> Path:
    write_generated_domain()
    directory = models_dir or get_settings().models_dir
    return directory / f"{MODEL_PREFIX}{fingerprint(model_inputs(root), root)}.tar.gz"


def _remove_old_models(directory: Path, keep: Path) -> None:
    old = sorted(
        (path for path in directory.glob(f"{MODEL_PREFIX}*.tar.gz") if path != keep),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for path in old[KEEP_MODELS - 1 :]:
        path.unlink(missing_ok=True)


def ensure_model(models_dir: Path | None = None, force: bool = False) -> Path:
    """The current model's path, training it first if it does not exist yet."""
    target = model_path(models_dir)
    if target.exists() and not force:
        shown = target.relative_to(REPO_ROOT) if target.is_relative_to(REPO_ROOT) else target
        print(f"Model is up to date: {shown}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    print("Training the model (about a minute)...", flush=True)
    threads = str(os.cpu_count() or 1)
    env = {**os.environ, **RASA_PROCESS_ENV, "EMBEDDING_THREADS": threads, "OMP_NUM_THREADS": threads}
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(REPO_ROOT / "config.yml"),
        "--domain", str(GENERATED_DOMAIN),
        "--data", str(REPO_ROOT / "data"),
        "--out", str(target.parent),
        "--fixed-model-name", target.name[: -len(".tar.gz")],
        # `make test` runs `rasa data validate --fail-on-warnings`; the training's own check only
        # warns, and it costs about 10 s, a third of a retraining after a data edit.
        "--skip-validation",
    ]
    subprocess.run(command, check=True, env=env, cwd=REPO_ROOT)
    _remove_old_models(target.parent, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the model if its inputs changed.")
    parser.add_argument("--force", action="store_true", help="train even if up to date")
    args = parser.parse_args()
    ensure_model(force=args.force)


if __name__ == "__main__":
    main()

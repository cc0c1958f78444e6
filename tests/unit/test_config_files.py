"""Every YAML file an operator uses parses, and no key is given twice (YAML keeps the last
one silently, so a half-edited file would change settings without an error)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.settings import REPO_ROOT

FILES = sorted([*REPO_ROOT.glob("*.yml"), *REPO_ROOT.glob("deploy/**/*.yml"), *REPO_ROOT.glob("knowledge/**/*.yml"),
                *REPO_ROOT.glob("data/**/*.yml")])


class StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"{key!r} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def test_the_files_are_found() -> None:
    names = {path.relative_to(REPO_ROOT).as_posix() for path in FILES}
    assert {"domain.yml", "endpoints.yml", "deploy/helm/values-rasa.yml", "deploy/endpoints.yml"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.relative_to(REPO_ROOT).as_posix())
def test_yaml_parses_without_repeated_keys(path: Path) -> None:
    assert yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader) is not None

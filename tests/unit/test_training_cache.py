"""Rasa's training cache is keyed on our code too: after a change of our components' code, a retraining
does not restore what the old code trained."""

import importlib

import yaml

from bot.settings import REPO_ROOT
from bot.training import code_fingerprint, model_inputs


def our_components() -> list[type]:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [entry["name"] for entry in config["pipeline"] + config["policies"] if entry["name"].startswith("bot.")]
    return [getattr(importlib.import_module(name.rsplit(".", 1)[0]), name.rsplit(".", 1)[1]) for name in names]


def test_every_component_of_ours_adds_the_code_fingerprint():
    components = our_components()
    assert len(components) >= 5
    for component in components:
        assert component.fingerprint_addon({}) == code_fingerprint(), component.__name__


def test_the_code_fingerprint_changes_with_the_code_and_is_part_of_the_model_fingerprint(tmp_path):
    for directory in ("bot/nlu", "bot/dialogue", "bot/language"):
        (tmp_path / directory).mkdir(parents=True)
    source = tmp_path / "bot" / "nlu" / "component.py"
    source.write_text("A = 1\n")
    before = code_fingerprint.__wrapped__(tmp_path)
    source.write_text("A = 2\n")
    assert code_fingerprint.__wrapped__(tmp_path) != before
    assert source in model_inputs(tmp_path)

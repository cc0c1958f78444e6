"""Shared fixtures (the knowledge base and the answer renderer), and the order of the session:
tests marked `after_everything` (the scan of the stacks' files) run last."""

import os

import pytest

# Classifiers trained by tests neither start from nor overwrite the project's last weights (var/).
os.environ.setdefault("CLASSIFIER_WARM_START", "off")

from bot.knowledge.render import AnswerRenderer
from bot.knowledge.store import load_knowledge

LANGUAGES = ("fi", "sv", "en")


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge()


@pytest.fixture(scope="session")
def renderer(knowledge):
    return AnswerRenderer(knowledge, "Europe/Helsinki")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("after_everything") is not None)   # a stable sort

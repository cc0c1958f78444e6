"""Shared fixtures (the knowledge base and the answer renderer), the order of the session (tests
marked `after_everything`, the scan of the stacks' files, run last), and Hypothesis without deadlines."""

import os

import pytest
from hypothesis import settings

# Classifiers trained by tests neither start from nor overwrite the project's last weights (var/).
os.environ.setdefault("CLASSIFIER_WARM_START", "off")

from bot.knowledge.render import AnswerRenderer
from bot.knowledge.store import load_knowledge

# Property tests check what happens, not how fast: timing belongs in bench/, and on a loaded
# 2-core machine one example can exceed Hypothesis's default 200 ms and fail the test.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

LANGUAGES = ("fi", "sv", "en")


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge()


@pytest.fixture(scope="session")
def renderer(knowledge):
    return AnswerRenderer(knowledge, "Europe/Helsinki")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("after_everything") is not None)   # a stable sort

"""Shared fixtures: the knowledge base and the answer renderer."""

import pytest

from bot.knowledge.render import AnswerRenderer
from bot.knowledge.store import load_knowledge

LANGUAGES = ("fi", "sv", "en")


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge()


@pytest.fixture(scope="session")
def renderer(knowledge):
    return AnswerRenderer(knowledge, "Europe/Helsinki")

"""The knowledge base: facts and answer texts from `knowledge/`, rendered per language."""

from bot.knowledge.render import AnswerRenderer, UnknownAnswer
from bot.knowledge.store import KnowledgeBase, load_knowledge

__all__ = ["AnswerRenderer", "KnowledgeBase", "UnknownAnswer", "load_knowledge"]

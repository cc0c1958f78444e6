"""What our NLU components and policies share."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class CreatedFromConfig:
    """A component built from its configuration alone (nothing trained or stored)."""

    def __init__(self, config: dict[str, Any]) -> None:
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Any:
        return cls(config)


class FingerprintsOwnCode:
    """A graph component whose cached training output is invalidated when our code changes."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        from bot.training import code_fingerprint

        return code_fingerprint()

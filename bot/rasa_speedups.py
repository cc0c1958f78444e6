"""Speed-ups for stock Rasa 3.6 that profiling under load pointed at (bench/load, py-spy).

1. Rasa checks every action-server response with `jsonschema.validate`, which
   first validates the schema itself and builds a new validator on every call:
   about a quarter of the Rasa server's time when forms run. The same schema is
   checked here with one validator built once; behaviour (the ValidationError
   raised on a bad response) is unchanged.
2. Rasa runs the NLU pipeline on its event loop, so while one message is
   understood every other conversation waits. Here the pipeline runs in one
   dedicated thread: the sentence embeddings and the language detector are
   native code that releases the GIL, so on a machine with two cores the event
   loop keeps serving other conversations meanwhile. One thread keeps the
   components' use sequential, as before.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

_NLU_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError, exceptions

    error = exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    if isinstance(error, ValidationError):
        error.message += ". Failed to validate Action server response from API."
    raise error


async def _parse_message(self: Any, message: Any, tracker: Any = None, only_output_properties: bool = True
                         ) -> dict[str, Any]:
    """MessageProcessor.parse_message with the NLU graph run off the event loop."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if self.http_interpreter:
        parse_data = await self.http_interpreter.parse(message)
    else:
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        loop = asyncio.get_running_loop()
        parse_data = await loop.run_in_executor(
            _NLU_THREAD, self._parse_message_with_graph, message, tracker, only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


def install() -> None:
    """Replaces the slow parts; safe to call more than once."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    MessageProcessor.parse_message = _parse_message  # type: ignore[method-assign]

"""Logs without personal data: what users typed, and where staff searched, stays out of every log.

- Rasa's structured log (structlog) carries message texts in some events, e.g.
  "message.parsing.failed" with the raw text of any message starting with "/{".
  `hide_user_values` replaces the values of the keys Rasa itself lists as
  personal (rasa.utils.log_utils._anonymizer) before anything is rendered.
- aiohttp's access log writes the request line with its query string (a
  review search for a name, a chat page's session): `PathOnlyAccessLogger`
  writes method, path, status and time only.
- Our SQLAlchemy engines are made with `hide_parameters=True`, so an SQL error
  does not log the values it was given (bot/backend/db.py, bot/review/).
"""

from __future__ import annotations

from typing import Any

import structlog
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

HIDDEN = "[hidden]"
# The keys rasa.utils.log_utils._anonymizer treats as personal (it only acts with a plugin installed).
PERSONAL_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message",
})


def hide_user_values(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: personal values are replaced before any renderer sees them."""
    for key in PERSONAL_KEYS.intersection(event_dict):
        event_dict[key] = HIDDEN
    return event_dict


def install_structlog_filter() -> None:
    """Puts `hide_user_values` first in structlog's processors (once; after Rasa configured them)."""
    processors = list(structlog.get_config().get("processors", []))
    if hide_user_values not in processors:
        structlog.configure(processors=[hide_user_values, *processors])


class PathOnlyAccessLogger(AbstractAccessLogger):
    """An access log line without the client's address and without the query string."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info('"%s %s" %s %.3f s', request.method, request.path, response.status, time)

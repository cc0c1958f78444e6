"""Speed-ups for stock Rasa 3.6 that profiling under load pointed at (bench/load, py-spy).

The replacement functions only: bot/runtime/patches.py installs them (each by name,
switchable off, for the pinned Rasa version only); docs/performance.md gives each one's gain.

1. Rasa checks every action-server response with `jsonschema.validate`, which
   first validates the schema itself and builds a new validator on every call:
   about a quarter of the Rasa server's time when forms run. Even built once,
   the validator took 1.2 ms for a form's reply (each event is tried against
   some 25 event schemas). The same schema is now checked by jsonschema-rs
   (compiled; 4 us), and only a response it finds invalid goes through
   jsonschema, for the same ValidationError Rasa raised.
2. Rasa runs the NLU pipeline on its event loop, so while one message is
   understood every other conversation waits. Here the pipeline runs in one
   dedicated thread: the sentence embeddings and the language detector are
   native code that releases the GIL, so on a machine with two cores the event
   loop keeps serving other conversations meanwhile. One thread keeps the
   components' use sequential, as before.
3. Rasa runs its model graphs (understanding a message, predicting the next
   action) through dask's scheduler, which rebuilds the task graph and
   queues every node on every call: about an eighth of the server's time
   under load, for graphs of a dozen nodes run one after another. Here the
   nodes needed for the targets run in an order worked out once per set of
   targets, each given its inputs as dask would give them.
4. Rasa sends the action server the whole conversation with every action
   call: 25-40 KB of JSON per call by the end of a booking, serialised by
   Rasa and parsed again by the SDK. The action server is sent the current
   turn's events only (from the user's latest message on), with the slots,
   latest message, active form and the rest of the tracker's state as
   before. That is all the SDK's forms and our actions read (the latest
   input channel, the slots just extracted): actions/current_turn.py says
   what an action may read, and a test keeps actions to it. The forms' validation
   actions, which get the domain, get it without its responses and action
   list (40 -> 6 KB): the SDK reads only its slots and forms.
5. Rasa opens a new HTTP session, and so a new connection (its address
   looked up in a thread), for every call to the action server. Calls now
   share one session per endpoint and event loop, whose connections are kept
   for 2 s between calls: less than the action server's 5 s, so a
   connection the server is closing is never reused.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from graphlib import TopologicalSorter
from typing import Any

_NLU_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


@lru_cache(maxsize=1)
def _fast_action_response_check() -> Any:
    try:
        import jsonschema_rs
    except ImportError:
        return None
    from rasa.core.actions.action import RemoteAction

    return jsonschema_rs.validator_for(RemoteAction.action_response_format_spec())


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError, exceptions

    fast = _fast_action_response_check()
    if fast is not None and fast.is_valid(result):
        return True
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


def _run_graph(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
    """DaskGraphRunner.run without dask: the same nodes, inputs, results and errors."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    plans = self.__dict__.setdefault("_sequential_plans", {})
    plan = plans.get(tuple(run_targets))
    if plan is None:
        schema = self._graph_schema.minimal_graph_schema(run_targets)
        order = TopologicalSorter({name: [need for need in node.needs.values() if need in schema.nodes]
                                   for name, node in schema.nodes.items()}).static_order()
        plan = plans[tuple(run_targets)] = [(name, list(schema.nodes[name].needs.values())) for name in order]
    # Like dask: an input is passed to the nodes that need it as the pair (name, value),
    # the form every node's own result takes.
    results: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and any(value == node for node, _ in plan):
            raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of the "
                                f"input names passed to the `run` method are the same as node names in the "
                                f"graph schema.")
        results[name] = (name, value)
    try:
        for name, needs in plan:
            results[name] = self._instantiated_nodes[name](*(results.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


class _CurrentTurnView:
    """The part of a tracker that RemoteAction reads, with the events cut to the current turn."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker
        self.sender_id = tracker.sender_id

    def current_state(self, _verbosity: Any = None) -> dict[str, Any]:
        from rasa.shared.core.events import UserUttered
        from rasa.shared.core.trackers import EventVerbosity

        state = self._tracker.current_state(EventVerbosity.NONE)
        events = list(self._tracker.events)
        start = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
        state["events"] = [event.as_dict() for event in events[start:]]
        return state


# Rasa's own RemoteAction._action_call_format, set when the patch is installed (bot/runtime/patches.py).
upstream_action_call_format: Any = None


_DOMAIN_KEYS_NOT_SENT = ("responses", "actions")


def _action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    body = upstream_action_call_format(self, _CurrentTurnView(tracker), domain)
    if "domain" in body:
        body["domain"] = {key: value for key, value in body["domain"].items() if key not in _DOMAIN_KEYS_NOT_SENT}
    return body


KEEP_ALIVE_SECONDS = 2.0  # below Sanic's (the SDK's server) 5 s keep-alive timeout
_shared_sessions: list[Any] = []  # every session handed out, to close at shutdown


class _Borrowed:
    """`async with` over a long-lived session: leaving the block does not close it."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *_: object) -> None:
        return None


def _shared_session(self: Any) -> _Borrowed:
    """EndpointConfig.session: the endpoint's session for the running event loop, made once."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    sessions = self.__dict__.setdefault("_sessions_by_loop", {})
    session = sessions.get(id(loop))
    if session is None or session.closed or session.loop is not loop:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = sessions[id(loop)] = aiohttp.ClientSession(
            headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS))
        _shared_sessions.append(session)
    return _Borrowed(session)


async def close_shared_sessions(*_: object) -> None:
    """Closes the sessions made on the running loop (a Sanic listener as it stops)."""
    loop = asyncio.get_running_loop()
    for session in [s for s in _shared_sessions if s.loop is loop]:
        _shared_sessions.remove(session)
        await session.close()

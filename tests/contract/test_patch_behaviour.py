"""What each patch relies on in the upstream code, checked on the stock libraries.

The source hashes (test_upstream_sources.py) catch any change; these say what
must still hold for a patch to be kept after one. Each test names its patch.
"""

import asyncio
import inspect

import pytest

from bot.runtime.patches import BY_NAME, install_patches, uninstall_all


def only(name):
    """Installs just the patch `name`, as the launcher would."""
    others = frozenset(BY_NAME) - {name}
    return install_patches(BY_NAME[name].process, others, version_problems=[])


# -- fail_loud_tracker_store ---------------------------------------------------------------

class BrokenStore:
    def __init__(self):
        from rasa.shared.core.domain import Domain

        self.domain, self.event_broker = Domain.empty(), None

    async def retrieve(self, sender_id):
        raise OSError("database gone")

    async def save(self, tracker):
        raise OSError("database gone")


def test_fail_loud_tracker_store_the_agent_wraps_its_store_in_the_class_named_in_its_module():
    from rasa.core.agent import Agent
    from rasa.shared.core.domain import Domain

    from bot.runtime.tracker_store import FailLoudTrackerStore

    store = BrokenStore()
    assert type(Agent._create_tracker_store(store, Domain.empty())).__name__ == "FailSafeTrackerStore"
    only("fail_loud_tracker_store")
    assert isinstance(Agent._create_tracker_store(store, Domain.empty()), FailLoudTrackerStore)


def test_fail_loud_tracker_store_errors_reach_the_callers_through_the_two_error_hooks():
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.runtime.tracker_store import FailLoudTrackerStore, TrackerStoreUnavailable

    store = FailLoudTrackerStore(BrokenStore())
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(store.retrieve("someone"))
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(store.save(DialogueStateTracker("someone", [])))


# -- action_response_schema ------------------------------------------------------------------

def test_action_response_schema_rasa_checks_each_response_through_the_replaced_method():
    from rasa.core.actions.action import RemoteAction

    assert "self._validate_action_result(response)" in inspect.getsource(RemoteAction.run)


def test_action_response_schema_the_schema_compiles_in_jsonschema_rs():
    import jsonschema_rs
    from rasa.core.actions.action import RemoteAction

    validator = jsonschema_rs.validator_for(RemoteAction.action_response_format_spec())
    assert validator.is_valid({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []})
    assert not validator.is_valid({"events": "nope"})


# -- nlu_in_thread ----------------------------------------------------------------------------

def test_nlu_in_thread_the_copied_method_calls_what_rasa_still_has():
    from rasa.core.processor import MessageProcessor

    parameters = list(inspect.signature(MessageProcessor._parse_message_with_graph).parameters)
    assert parameters == ["self", "message", "tracker", "only_output_properties"]
    assert list(inspect.signature(MessageProcessor.parse_message).parameters) == [
        "self", "message", "tracker", "only_output_properties"]
    for name in ("_update_full_retrieval_intent", "_check_for_unseen_features"):
        assert callable(getattr(MessageProcessor, name)), name
    assert "self.http_interpreter" in inspect.getsource(MessageProcessor.__init__)


# -- graph_runner -------------------------------------------------------------------------------

def test_graph_runner_the_runner_keeps_its_schema_and_nodes_where_the_patch_reads_them():
    from rasa.engine.runner.dask import DaskGraphRunner

    source = inspect.getsource(DaskGraphRunner.__init__)
    assert "self._graph_schema = graph_schema" in source
    assert "self._instantiated_nodes" in source
    assert list(inspect.signature(DaskGraphRunner.run).parameters) == ["self", "inputs", "targets"]


# -- action_call_current_turn --------------------------------------------------------------------

def test_action_call_current_turn_rasa_reads_only_the_state_and_sender_of_the_tracker():
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.runtime.speedups import _CurrentTurnView

    tracker = DialogueStateTracker.from_events("someone", [
        UserUttered("first"), ActionExecuted("action_listen"), UserUttered("second")])
    body = RemoteAction("action_x", None)._action_call_format(_CurrentTurnView(tracker), Domain.empty())
    assert body["sender_id"] == "someone"
    assert [event.get("text") for event in body["tracker"]["events"]] == ["second"]


# -- action_server_session ----------------------------------------------------------------------

def test_action_server_session_every_request_takes_its_session_from_the_replaced_method():
    from rasa.utils.endpoints import EndpointConfig

    assert "async with self.session() as session:" in inspect.getsource(EndpointConfig.request)


# -- connection_balance --------------------------------------------------------------------------

def test_connection_balance_sanic_calls_serve_by_its_module_name_with_the_settings_the_patch_reads():
    from sanic.server import runners

    assert "serve" in runners.serve_multiple.__code__.co_names  # looked up at call time: the patch is seen
    parameters = inspect.signature(runners.serve).parameters
    for name in ("loop", "connections", "protocol", "app", "signal", "state", "unix"):
        assert name in parameters, name
    assert list(inspect.signature(runners._build_protocol_kwargs).parameters) == ["protocol", "config"]


# -- session_length ------------------------------------------------------------------------------

def test_session_length_a_session_starts_where_rasa_asks_whether_it_expired():
    from rasa.core.processor import MessageProcessor

    source = inspect.getsource(MessageProcessor._update_tracker_session)
    assert "self._has_session_expired(tracker)" in source
    assert "ACTION_SESSION_START_NAME" in source
    only("session_length")
    try:
        from bot.runtime.session_length import has_session_ended
        assert MessageProcessor._has_session_expired is has_session_ended
    finally:
        uninstall_all()
    assert MessageProcessor._has_session_expired.__module__ == "rasa.core.processor"


# -- engineio_whole_body -------------------------------------------------------------------------

def test_engineio_whole_body_servers_read_the_drivers_shared_table_at_each_request():
    from engineio import AsyncServer
    from engineio.async_drivers import aiohttp as driver

    assert AsyncServer(async_mode="aiohttp")._async is driver._async
    assert "self._async['translate_request']" in inspect.getsource(AsyncServer.handle_request)
    only("engineio_whole_body")
    uninstall_all()
    assert driver._async["translate_request"] is driver.translate_request

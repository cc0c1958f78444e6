"""The speed-up patches (bot/runtime/speedups.py) do what the Rasa code they replace did."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.runtime.patches import install_patches, uninstall_all


@pytest.fixture(autouse=True, scope="module")
def _patched():
    """The Rasa server's patches, as the launcher installs them (undone after this module)."""
    install_patches("rasa", frozenset(), version_problems=[])
    yield
    uninstall_all()


@pytest.fixture(scope="module")
def action():
    return RemoteAction("action_anything", None)


def test_a_valid_response_passes(action):
    response = {"events": [{"event": "slot", "name": "language", "value": "fi"}],
                "responses": [{"text": "Hei", "buttons": [], "template": None}]}
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "nope"},
])
def test_an_invalid_response_raises_validation_error(action, response):
    with pytest.raises(ValidationError):
        action._validate_action_result(response)


def test_nlu_runs_off_the_event_loop_thread():
    import asyncio
    import threading
    from types import SimpleNamespace

    from rasa.core.processor import MessageProcessor

    seen = {}

    def parse_with_graph(message, tracker, only_output_properties):
        seen["thread"] = threading.current_thread().name
        return {"text": message.text, "intent": {"name": "greet"}, "entities": []}

    processor = SimpleNamespace(http_interpreter=None, _parse_message_with_graph=parse_with_graph,
                                _update_full_retrieval_intent=lambda data: None,
                                _check_for_unseen_features=lambda data: None)
    message = SimpleNamespace(text="moi", sender_id="x")
    parsed = asyncio.run(MessageProcessor.parse_message(processor, message, tracker=object()))
    assert parsed["intent"]["name"] == "greet"
    assert seen["thread"].startswith("nlu")


class Arithmetic:
    """A graph component (registered by duck typing: GraphNode only calls create and the fn)."""

    def __init__(self, config):
        self.config = config

    @classmethod
    def create(cls, config, model_storage, resource, execution_context, **kwargs):
        return cls(config)

    @staticmethod
    def get_default_config():
        return {}

    def scale(self, x):
        return x * self.config["factor"]

    def add(self, x, y):
        return x + y

    def fail(self, x):
        raise ValueError("component failed")


def toy_runner(tmp_path, runner_class):
    from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    def node(fn, needs, factor=1, target=False):
        return SchemaNode(needs=needs, uses=Arithmetic, constructor_name="create", fn=fn,
                          config={"factor": factor}, eager=True, is_target=target)

    schema = GraphSchema({
        "double": node("scale", {"x": "__number__"}, factor=2),
        "triple": node("scale", {"x": "__number__"}, factor=3),
        "sum": node("add", {"x": "double", "y": "triple"}, target=True),
        "ten_times": node("scale", {"x": "sum"}, factor=10, target=True),
        "broken": node("fail", {"x": "__number__"}),
    })
    return runner_class.create(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "toy"))


def dask_run(runner, inputs, targets):
    """What Rasa's DaskGraphRunner.run does (the graph_runner patch replaces it)."""
    import dask

    run_targets = targets or runner._graph_schema.target_names
    graph = {name: (runner._instantiated_nodes[name], *node.needs.values())
             for name, node in runner._graph_schema.minimal_graph_schema(run_targets).nodes.items()}
    graph.update({name: (name, value) for name, value in inputs.items()})
    return dict(dask.get(graph, run_targets))


def test_graphs_run_without_dask_give_what_dask_gives(tmp_path):
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.runtime.speedups import _run_graph

    runner = toy_runner(tmp_path, DaskGraphRunner)
    for targets in (None, ["sum"], ["ten_times"], ["double", "sum"]):
        assert _run_graph(runner, {"__number__": 4}, targets) == dask_run(runner, {"__number__": 4}, targets)
    assert _run_graph(runner, {"__number__": 4}, ["ten_times"]) == {"ten_times": 200}
    assert _run_graph(runner, {"__number__": 4}) == {"sum": 20, "ten_times": 200}


def test_graph_errors_are_the_ones_dask_raised(tmp_path):
    from rasa.engine.exceptions import GraphComponentException, GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.runtime.speedups import _run_graph

    runner = toy_runner(tmp_path, DaskGraphRunner)
    with pytest.raises(GraphComponentException):
        _run_graph(runner, {"__number__": 4}, ["broken"])
    with pytest.raises(GraphRunError):
        _run_graph(runner, {"__number__": "sum"}, ["sum"])  # an input named like a node


def test_the_action_server_is_sent_the_current_turn_with_the_whole_state():
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("""
version: "3.1"
intents: [greet, book]
slots:
  language: {type: text, mappings: [{type: custom}]}
  booking_category: {type: text, mappings: [{type: custom}]}
forms:
  booking_form: {required_slots: [booking_category]}
responses:
  utter_greet: [{text: Hei}]
""")
    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_listen"),
        UserUttered("hei", {"name": "greet", "confidence": 1.0}, input_channel="sms"),
        SlotSet("language", "fi"),
        BotUttered("Hei!"),
        ActionExecuted("action_listen"),
        UserUttered("haluan varata ajan", {"name": "book", "confidence": 1.0}, input_channel="rest"),
        SlotSet("booking_category", "permit"),
    ], slots=domain.slots)
    body = RemoteAction("validate_booking_form", None)._action_call_format(tracker, domain)
    state = body["tracker"]
    assert [event["event"] for event in state["events"]] == ["user", "slot"]
    assert state["events"][0]["text"] == "haluan varata ajan"
    assert state["slots"]["language"] == "fi"  # slots set in earlier turns are all there
    assert state["latest_message"]["text"] == "haluan varata ajan"
    assert state["latest_input_channel"] == "rest"
    assert body["next_action"] == "validate_booking_form" and body["sender_id"] == "someone"
    # The domain (sent here as selective domain is off) keeps what the SDK reads, not the responses.
    assert set(body["domain"]["slots"]) == {"language", "booking_category"} and "forms" in body["domain"]
    assert "responses" not in body["domain"]


def test_a_conversation_without_user_messages_is_sent_whole():
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events("someone", [ActionExecuted("action_session_start"), SessionStarted()])
    body = RemoteAction("action_anything", None)._action_call_format(tracker, Domain.empty())
    assert [event["event"] for event in body["tracker"]["events"]] == ["action", "session_started"]


def sdk_events():
    from datetime import datetime

    from rasa_sdk import events

    return [events.SlotSet("language", "fi"), events.FollowupAction("action_listen"), events.ActiveLoop("booking_form"),
            events.ActiveLoop(None), events.AllSlotsReset(), events.Restarted(), events.SessionStarted(),
            events.ActionExecuted("utter_greet"), events.BotUttered("Hei"), events.ConversationPaused(),
            events.ConversationResumed(), events.UserUtteranceReverted(), events.ActionReverted(),
            events.ActionExecutionRejected("booking_form"), events.LoopInterrupted(True),
            events.ReminderScheduled("remind", datetime(2026, 12, 1, 9), name="r"), events.ReminderCancelled(name="r"),
            events.UserUttered("hei", {"intent": {"name": "greet", "confidence": 1.0}, "entities": []})]


@pytest.mark.parametrize("response", [
    {"events": sdk_events(), "responses": [{"text": "Hei", "buttons": [{"title": "a", "payload": "/b"}]}]},
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot"}]},
    {"events": [{"event": "no such event"}]},
    {"events": [{"event": "user", "parse_data": {"entities": "not a list"}}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"no_event_key": 1}]},
], ids=lambda response: str(response)[:40])
def test_the_compiled_check_agrees_with_jsonschema(response):
    import jsonschema

    from bot.runtime.speedups import _fast_action_response_check

    validator = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())(
        RemoteAction.action_response_format_spec())
    assert _fast_action_response_check().is_valid(response) == validator.is_valid(response)


async def test_calls_to_an_endpoint_share_one_session_and_its_connections():
    from aiohttp import web
    from aiohttp.test_utils import TestServer
    from rasa.utils.endpoints import EndpointConfig

    from bot.runtime.speedups import close_shared_sessions

    peers = set()

    async def webhook(request):
        peers.add(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [], "got": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    async with TestServer(app) as server:
        endpoint = EndpointConfig(str(server.make_url("/webhook")))
        for number in range(5):
            assert (await endpoint.request(json={"n": number}))["got"] == {"n": number}
        assert len(peers) == 1  # one kept-alive connection, not one per call
        await close_shared_sessions()
        assert (await endpoint.request(json={"n": 5}))["got"] == {"n": 5}  # a new session after closing
        await close_shared_sessions()

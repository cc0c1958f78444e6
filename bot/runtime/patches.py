"""The registry of every change this project makes to library internals, installed by name.

Rasa is extended through its extension points (custom channels, tracker and
lock stores, graph components); what those cannot reach is patched here and
nowhere else. Each patch:

- has a name, the process it is for (`rasa`: the Rasa server, started by
  `python -m bot.runtime`; `web`: the web server's chat relay) and the
  upstream functions it replaces or relies on (`upstream`), whose source the
  contract tests pin (tests/contract/);
- is installed only when the installed Rasa, rasa-sdk, Sanic and
  python-engineio are the versions requirements.lock pins: otherwise nothing
  is patched, and the log says why;
- can be switched off with RASA_PATCHES_DISABLED=name,name (or `all`);
- is logged, installed or not, when the process starts.

Nothing is patched by importing a module: only `install_patches` patches.
docs/performance.md gives each speed-up's measured gain.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.runtime import versions

logger = logging.getLogger("bot.runtime.patches")
ALL = "all"

Undo = Callable[[], None]


@dataclass(frozen=True)
class Patch:
    name: str
    process: str                      # "rasa" or "web"
    summary: str                      # what it changes and why, one line for the start-up log
    upstream: tuple[str, ...]         # "module:Qualified.name" replaced (first) or relied on
    install: Callable[[], Undo]       # installs the patch; returns how to undo it (tests)


def resolve(reference: str) -> Any:
    """The object named "package.module:Class.attribute"."""
    module_name, _, qualified = reference.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualified.split("."):
        target = target.__dict__[part] if isinstance(target, type) else getattr(target, part)
    return target


def _replace(owner: Any, attribute: str, replacement: Any) -> Undo:
    original = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
    setattr(owner, attribute, replacement)
    return lambda: setattr(owner, attribute, original)


# -- the patches ---------------------------------------------------------------------------

def _action_response_schema() -> Undo:
    from rasa.core.actions.action import RemoteAction

    from bot.runtime.speedups import _validate_action_result
    return _replace(RemoteAction, "_validate_action_result", _validate_action_result)


def _nlu_in_thread() -> Undo:
    from rasa.core.processor import MessageProcessor

    from bot.runtime.speedups import _parse_message
    return _replace(MessageProcessor, "parse_message", _parse_message)


def _graph_runner() -> Undo:
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.runtime.speedups import _run_graph
    return _replace(DaskGraphRunner, "run", _run_graph)


def _action_call_current_turn() -> Undo:
    from rasa.core.actions.action import RemoteAction

    from bot.runtime import speedups
    speedups.upstream_action_call_format = RemoteAction.__dict__["_action_call_format"]
    return _replace(RemoteAction, "_action_call_format", speedups._action_call_format)


def _action_server_session() -> Undo:
    from rasa.utils.endpoints import EndpointConfig

    from bot.runtime.speedups import _shared_session
    return _replace(EndpointConfig, "session", _shared_session)


def _fail_loud_tracker_store() -> Undo:
    import rasa.core.agent

    from bot.runtime.tracker_store import FailLoudTrackerStore
    return _replace(rasa.core.agent, "FailSafeTrackerStore", FailLoudTrackerStore)


def _connection_balance() -> Undo:
    from bot.runtime import connection_balance
    return connection_balance.install_from_environment()


def _engineio_whole_body() -> Undo:
    from engineio.async_drivers import aiohttp as driver

    from bot.runtime.engineio_body import with_whole_body
    original = driver._async["translate_request"]
    driver._async["translate_request"] = lambda request: with_whole_body(original(request))
    return lambda: driver._async.__setitem__("translate_request", original)


def _session_length() -> Undo:
    from rasa.core.processor import MessageProcessor

    from bot.runtime import session_length
    session_length.upstream_has_session_expired = MessageProcessor.__dict__["_has_session_expired"]
    return _replace(MessageProcessor, "_has_session_expired", session_length.has_session_ended)


PATCHES: tuple[Patch, ...] = (
    Patch("fail_loud_tracker_store", "rasa",
          "a tracker store error fails the turn (the user gets the service notice) instead of Rasa "
          "continuing the conversation in one process's memory",
          ("rasa.core.agent:Agent._create_tracker_store", "rasa.core.tracker_store:FailSafeTrackerStore"),
          _fail_loud_tracker_store),
    Patch("action_response_schema", "rasa",
          "action-server responses checked by jsonschema-rs (4 us), jsonschema only for an invalid one",
          ("rasa.core.actions.action:RemoteAction._validate_action_result",
           "rasa.core.actions.action:RemoteAction.action_response_format_spec"),
          _action_response_schema),
    Patch("nlu_in_thread", "rasa",
          "the NLU pipeline runs in one thread of its own, not on the event loop",
          ("rasa.core.processor:MessageProcessor.parse_message",
           "rasa.core.processor:MessageProcessor._parse_message_with_graph"),
          _nlu_in_thread),
    Patch("graph_runner", "rasa",
          "model graphs run their nodes in an order worked out once, not through dask's scheduler",
          ("rasa.engine.runner.dask:DaskGraphRunner.run", "rasa.engine.runner.dask:DaskGraphRunner.__init__"),
          _graph_runner),
    Patch("action_call_current_turn", "rasa",
          "action calls carry the current turn's events only, and validation actions the domain without "
          "responses (actions/current_turn.py says what an action may read)",
          ("rasa.core.actions.action:RemoteAction._action_call_format",),
          _action_call_current_turn),
    Patch("action_server_session", "rasa",
          "calls to the action server share one HTTP session per event loop (connections kept 2 s)",
          ("rasa.utils.endpoints:EndpointConfig.session", "rasa.utils.endpoints:EndpointConfig.request"),
          _action_server_session),
    Patch("connection_balance", "rasa",
          "a Rasa worker holding more connections than another passes new ones to it (SANIC_WORKERS > 1)",
          ("sanic.server.runners:serve", "sanic.server.runners:_build_protocol_kwargs",
           "sanic.server.runners:serve_multiple"),
          _connection_balance),
    Patch("session_length", "rasa",
          "a session also ends after SESSION_MAX_TURNS user messages (a new one starts as on expiry, "
          "slots carried over), so no conversation grows a turn's cost without bound",
          ("rasa.core.processor:MessageProcessor._has_session_expired",
           "rasa.core.processor:MessageProcessor._update_tracker_session"),
          _session_length),
    Patch("engineio_whole_body", "web",
          "the chat relay reads a long-polling POST body whole (python-engineio reads it with one read(n))",
          ("engineio.async_drivers.aiohttp:translate_request", "engineio.asyncio_server:AsyncServer.handle_request"),
          _engineio_whole_body),
)
BY_NAME = {patch.name: patch for patch in PATCHES}


@dataclass
class Installation:
    """What `install_patches` did in one process, for the log and for tests."""

    process: str
    installed: list[str] = field(default_factory=list)
    switched_off: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)   # why nothing was patched (version mismatches)


_undo: dict[str, Undo] = {}


def disabled_names(raw: str | None) -> frozenset[str]:
    """RASA_PATCHES_DISABLED as a set of names; unknown names are an error, `all` means every patch."""
    names = frozenset(name.strip() for name in (raw or "").split(",") if name.strip())
    if ALL in names:
        return frozenset(BY_NAME)
    unknown = sorted(names - set(BY_NAME))
    if unknown:
        raise ValueError(f"RASA_PATCHES_DISABLED names unknown patches {unknown}; known: {sorted(BY_NAME)} or all")
    return names


def install_patches(process: str, disabled: frozenset[str] | None = None,
                    version_problems: list[str] | None = None) -> Installation:
    """Installs the process's patches that are not switched off, if the libraries are the pinned versions.

    Safe to call more than once (installed patches stay as they are)."""
    if disabled is None:
        from bot.settings import get_settings
        disabled = get_settings().rasa_patches_disabled
    result = Installation(process)
    mine = [patch for patch in PATCHES if patch.process == process]
    result.switched_off = [patch.name for patch in mine if patch.name in disabled]
    wanted = [patch for patch in mine if patch.name not in disabled]
    if wanted:
        result.refused = versions.mismatches() if version_problems is None else version_problems
    if not result.refused:
        for patch in wanted:
            if patch.name not in _undo:
                _undo[patch.name] = patch.install()
            result.installed.append(patch.name)
    _log(result)
    return result


def _log(result: Installation) -> None:
    if result.refused:
        logger.warning("Running stock (no patches of library internals): %s. Check the patches against this "
                       "version (tests/contract/) and update requirements.lock.", "; ".join(result.refused))
    for name in result.installed:
        logger.info("Patch %s installed: %s", name, BY_NAME[name].summary)
    if result.switched_off:
        logger.info("Patches switched off (RASA_PATCHES_DISABLED): %s", ", ".join(result.switched_off))


def installed() -> list[str]:
    return list(_undo)


def uninstall_all() -> None:
    """Undoes every installed patch (tests)."""
    for name in reversed(list(_undo)):
        _undo.pop(name)()


def log_to_stderr() -> None:
    """The patch log goes to the process's output whatever Rasa's log level (the supervisor keeps it)."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-8s %(name)s  - %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

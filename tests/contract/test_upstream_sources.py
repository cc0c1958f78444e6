"""Each patch's upstream code, pinned: an upgrade that changes it fails here and names the patch.

The hashes are of the source of every function or class a patch replaces or
relies on (bot/runtime/patches.py, `upstream`), as released in the versions
requirements.lock pins. When one fails: read the new upstream code against
the patch named in the message, change or drop the patch, run its behaviour
tests (tests/contract/test_patch_behaviour.py), then update the hash here.
"""

import hashlib
import inspect

import pytest

from bot.runtime.patches import PATCHES, resolve

UPSTREAM_SHA256 = {
    "rasa.core.agent:Agent._create_tracker_store":
        "97499b594b45581b2c6d8ff7adb9083af24eba85654995a40350de65633ca574",
    "rasa.core.tracker_store:FailSafeTrackerStore":
        "84833481b14c227182874efd8cc077b834354f124289234c9ea26c053ec64e29",
    "rasa.core.actions.action:RemoteAction._validate_action_result":
        "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
    "rasa.core.actions.action:RemoteAction.action_response_format_spec":
        "091b74aa3738d1262cf3c028386aaf9dd4f0d5c1374b62392411d70a79104a46",
    "rasa.core.processor:MessageProcessor.parse_message":
        "b98d8e49b9f2c433040af62752212dc374600d50cd21deec82386642b64d30dc",
    "rasa.core.processor:MessageProcessor._parse_message_with_graph":
        "0bd50a53b5c013af8458cbefe5dbcbd5c02c82a671a841b1947b3e8964e5c3d1",
    "rasa.engine.runner.dask:DaskGraphRunner.run":
        "45f0f52f574f3aa9546a552bf671183e171092c18b66e97f5771a7fa295de37e",
    "rasa.engine.runner.dask:DaskGraphRunner.__init__":
        "29f069a010bd16a54bce609b8a31f757b2af90f2cb9c1c85b62ffbd27f104284",
    "rasa.core.actions.action:RemoteAction._action_call_format":
        "428795b944f22edba142d278ec47a30098975b01463ba337ec447dade52a0492",
    "rasa.utils.endpoints:EndpointConfig.session":
        "e55aa13d9d4fb4bc440ac33b870a97ee162b76dda7ccb6bf68433567475fdffb",
    "rasa.utils.endpoints:EndpointConfig.request":
        "ccdb778aed8208e23cde3c3f47eac7fbbbb735dac8f7ef7254d54451c64ad608",
    "sanic.server.runners:serve":
        "1588e933e436c5c3eb9eba1b78ea7c721215ac22da7274e8a3d8e3055f7171c8",
    "sanic.server.runners:_build_protocol_kwargs":
        "df364f22d706e31f9870ad90690125ac3d65b0dc6d76fe502134cd0edd3dce80",
    "sanic.server.runners:serve_multiple":
        "21e61cf242a9aa90dd7cef07c2832c3f6b559b34e10e18da7e95cfc3a18ee7cb",
    "rasa.core.processor:MessageProcessor._has_session_expired":
        "aa0e659a9cfa1f70616523da75045bd87d4424a03432726722c7dc80a9869200",
    "rasa.core.processor:MessageProcessor._update_tracker_session":
        "b0d44217b5ca28ba5b5702ac4f37315d00f9e3e8f5e720ecff3ef727c0d05331",
    "engineio.async_drivers.aiohttp:translate_request":
        "10c9de935428af0b7b8b78bdee6aebcd9c386f7808847d14536fb4ce05bf3b02",
    "engineio.asyncio_server:AsyncServer.handle_request":
        "12cdab981f048562e24259f53b76e2dbf2178bdb261be2a1b0e4911391a9b6d0",
}

PINNED = [(patch.name, reference) for patch in PATCHES for reference in patch.upstream]


def source_sha256(reference: str) -> str:
    target = resolve(reference)
    return hashlib.sha256(inspect.getsource(getattr(target, "__func__", target)).encode()).hexdigest()


@pytest.mark.parametrize(("patch", "reference"), PINNED, ids=[f"{p}-{r}" for p, r in PINNED])
def test_upstream_code_is_what_the_patch_was_written_for(patch, reference):
    assert reference in UPSTREAM_SHA256, f"patch {patch}: {reference} has no pinned hash yet"
    assert source_sha256(reference) == UPSTREAM_SHA256[reference], (
        f"{reference} changed upstream: revisit the patch `{patch}` (bot/runtime/patches.py) against the "
        f"new code before updating its hash in {__file__}")


def test_every_pinned_hash_belongs_to_a_patch():
    assert set(UPSTREAM_SHA256) == {reference for _, reference in PINNED}

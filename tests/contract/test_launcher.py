"""The launcher (python -m bot.runtime) patches only the library versions it was written for,
only the patches not switched off, and says what it did."""

import logging

import pytest
import yaml

from bot.runtime import launcher, patches, versions
from bot.runtime.endpoints import ACTION_SERVER_AUTHORIZATION, SQLITE_LOCK_STORE, effective_endpoints


def fake_installed(monkeypatch, **fake):
    real = versions.installed_version
    monkeypatch.setattr(versions, "installed_version", lambda name: fake.get(name.replace("-", "_"), real(name)))


@pytest.mark.parametrize(("library", "version"), [("rasa", "3.6.22"), ("sanic", "22.12.0"),
                                                   ("rasa_sdk", "3.7.0"), ("python_engineio", "4.9.0")])
def test_another_version_of_a_patched_library_is_run_stock_and_the_log_says_why(
        monkeypatch, caplog, tmp_path, library, version):
    fake_installed(monkeypatch, **{library: version})
    monkeypatch.setattr(launcher, "log_to_stderr", lambda: None)
    monkeypatch.delenv("RASA_PATCHES_DISABLED", raising=False)
    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:1/webhook\n")
    with caplog.at_level(logging.INFO, logger="bot.runtime.patches"):
        launcher.prepare(["--endpoints", str(tmp_path / "endpoints.yml")])
    assert patches.installed() == []
    refusal = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(refusal) == 1
    assert "Running stock" in refusal[0]
    assert f"{library.replace('_', '-')} {version} is installed, the patches were written for" in refusal[0]


def test_the_pinned_versions_get_every_patch_each_named_in_the_log(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(launcher, "log_to_stderr", lambda: None)
    (tmp_path / "endpoints.yml").write_text("{}\n")
    with caplog.at_level(logging.INFO, logger="bot.runtime.patches"):
        launcher.prepare(["--endpoints", str(tmp_path / "endpoints.yml")])
    rasa_patches = [p.name for p in patches.PATCHES if p.process == "rasa"]
    assert versions.mismatches() == []
    assert patches.installed() == rasa_patches
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for name in rasa_patches:
        assert f"Patch {name} installed" in logged


def test_patches_are_switched_off_by_name_or_all():
    assert patches.disabled_names("graph_runner, nlu_in_thread") == {"graph_runner", "nlu_in_thread"}
    assert patches.disabled_names("all") == set(patches.BY_NAME)
    assert patches.disabled_names("") == set()
    with pytest.raises(ValueError, match="slot_copy"):
        patches.disabled_names("slot_copy")
    result = patches.install_patches("rasa", patches.disabled_names("all"), version_problems=[])
    assert result.installed == [] and patches.installed() == []
    assert "graph_runner" in result.switched_off
    result = patches.install_patches("rasa", frozenset({"graph_runner"}), version_problems=[])
    assert "graph_runner" not in result.installed and "nlu_in_thread" in result.installed


def test_the_setting_reads_rasa_patches_disabled(monkeypatch):
    from bot.settings import load_settings

    monkeypatch.setenv("RASA_PATCHES_DISABLED", "graph_runner")
    assert load_settings().rasa_patches_disabled == {"graph_runner"}
    monkeypatch.setenv("RASA_PATCHES_DISABLED", "no_such_patch")
    with pytest.raises(ValueError, match="no_such_patch"):
        load_settings()


def test_several_workers_get_a_shared_lock_store_written_as_yaml(tmp_path, monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    source = tmp_path / "endpoints.yml"
    source.write_text("action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n"
                      "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n")
    assert effective_endpoints(source, 1, tmp_path / "locks.db", tmp_path / "out.yml") == source
    written = effective_endpoints(source, 2, tmp_path / "locks.db", tmp_path / "out.yml")
    config = yaml.safe_load(written.read_text())
    assert config["action_endpoint"] == {"url": "${ACTION_ENDPOINT_URL}",
                                         "headers": {"Authorization": ACTION_SERVER_AUTHORIZATION}}
    assert config["lock_store"] == {"type": SQLITE_LOCK_STORE, "db": str(tmp_path / "locks.db")}
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-token")
    assert AvailableEndpoints.read_endpoints(str(written)).lock_store.type == SQLITE_LOCK_STORE
    source.write_text("lock_store:\n  type: redis\n")  # a lock store of its own is kept
    assert effective_endpoints(source, 2, tmp_path / "locks.db", tmp_path / "out.yml") == source


def test_an_action_endpoint_without_authorization_gets_the_token_as_a_variable(tmp_path, monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    source = tmp_path / "endpoints.yml"   # as a Helm chart writes it: the URL only
    source.write_text("action_endpoint:\n  url: http://actions/webhook\n")
    written = effective_endpoints(source, 1, tmp_path / "locks.db", tmp_path / "out.yml")
    assert "action-token" not in written.read_text()   # the file names the variable, never the token
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-token")
    assert AvailableEndpoints.read_endpoints(str(written)).action.headers == {"Authorization": "Bearer action-token"}


def test_the_helm_charts_run_argument_is_taken_as_rasa_run(tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "log_to_stderr", lambda: None)
    monkeypatch.setenv("SANIC_WORKERS", "1")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("{}\n")
    arguments = launcher.prepare(["run", "--enable-api", "--port", "5005", "--endpoints", str(endpoints)])
    assert arguments == ["run", "--enable-api", "--port", "5005", "--endpoints", str(endpoints)]


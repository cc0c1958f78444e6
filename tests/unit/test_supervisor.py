"""The supervisor reports Rasa ready only once every worker has loaded the model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.settings import RASA_WORKER_READY, load_settings
from bot.supervisor import Supervisor


def test_every_rasa_worker_must_report_ready_since_this_launch(tmp_path: Path) -> None:
    settings = replace(load_settings(), rasa_workers=2, tracker_db=tmp_path / "tracker.db")
    supervisor = Supervisor(settings, tmp_path / "model.tar.gz", log_dir=tmp_path)
    rasa = supervisor.service("rasa")
    assert rasa.workers == 2
    log = tmp_path / "rasa.log"
    ready = RASA_WORKER_READY.encode()
    log.write_bytes(b"earlier run\n" + ready + b"\n" + ready + b"\n")
    rasa.log_start = log.stat().st_size  # what _launch records
    with open(log, "ab") as out:
        out.write(ready + b" (pid 12)\n")
    assert supervisor._workers_ready(rasa) == 1
    with open(log, "ab") as out:
        out.write(ready + b" (pid 12)\n")
    assert supervisor._workers_ready(rasa) == 2
    assert supervisor.service("backend").workers == 1


async def test_a_worker_announces_itself_once_and_only_with_a_model(monkeypatch, capsys) -> None:
    from types import SimpleNamespace

    from bot.runtime import webhook

    monkeypatch.setattr(webhook, "_announced", False)
    without_model = SimpleNamespace(ctx=SimpleNamespace(agent=None))
    await webhook.announce_ready(without_model, None)
    assert RASA_WORKER_READY not in capsys.readouterr().err
    ready = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(is_ready=lambda: True)))
    for _ in range(3):  # one listener per channel blueprint
        await webhook.announce_ready(ready, None)
    assert capsys.readouterr().err.count(RASA_WORKER_READY) == 1

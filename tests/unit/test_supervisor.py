"""The supervisor reports Rasa ready only once every worker has loaded the model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.settings import load_settings
from bot.supervisor import RASA_WORKER_READY, Supervisor


def test_every_rasa_worker_must_report_ready_since_this_launch(tmp_path: Path) -> None:
    settings = replace(load_settings(), rasa_workers=2, tracker_db=tmp_path / "tracker.db")
    supervisor = Supervisor(settings, tmp_path / "model.tar.gz", log_dir=tmp_path)
    rasa = supervisor.service("rasa")
    assert rasa.workers == 2
    log = tmp_path / "rasa.log"
    log.write_bytes(b"earlier run\n" + RASA_WORKER_READY + b"\n" + RASA_WORKER_READY + b"\n")
    rasa.log_start = log.stat().st_size  # what _launch records
    with open(log, "ab") as out:
        out.write(b"INFO root - " + RASA_WORKER_READY + b"\n")
    assert supervisor._workers_ready(rasa) == 1
    with open(log, "ab") as out:
        out.write(b"INFO root - " + RASA_WORKER_READY + b"\n")
    assert supervisor._workers_ready(rasa) == 2
    assert supervisor.service("backend").workers == 1

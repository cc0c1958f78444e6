"""A newcomer's path: clone the repository, `make run`, and wait for the first answer.

Clones the committed HEAD into a temporary directory, runs `make run` there
(a new .venv, the install, a clean training with an empty Rasa cache, the
start of every process) on free ports, and sends one chat message as soon as
the Rasa server listens. Prints the time of each step from the clone. With
`--cold`, uv's and pip's download caches are empty too, as on a new machine
(the Debian packages, once installed, stay installed: that step is not timed).

Run: .venv/bin/python -m bench.newcomer [--cold] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.common import REST_HEADERS
from bot.settings import REPO_ROOT
from bot.supervisor import free_port

# What `make run` prints when a step ends (scripts/install.sh, bot/training.py, bot/supervisor.py).
STEP_MARKS = {
    "installed": ("Training the model", "Model is up to date"),
    "trained": ("Your Rasa model is trained", "Model is up to date"),
    "started": ("The assistant is running.",),
}


def watch(process: subprocess.Popen, started: float, times: dict[str, float], log: Path) -> None:
    """Notes when each step's line appears in `make run`'s output."""
    with log.open("w", encoding="utf-8") as out:
        for line in process.stdout:
            out.write(line)
            for step, marks in STEP_MARKS.items():
                if step not in times and any(mark in line for mark in marks):
                    times[step] = time.perf_counter() - started


def first_answer(url: str, deadline: float) -> str:
    while time.perf_counter() < deadline:
        try:
            response = requests.post(url, json={"sender": "newcomer", "message": "Mitkä ovat puhelinpalvelun ajat?"},
                                     headers=REST_HEADERS, timeout=30)
            if response.status_code == 200 and response.json():
                return response.json()[0].get("text", "")
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise TimeoutError("no answer within the time limit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="empty uv and pip caches, as on a new machine")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    arguments = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newcomer-"))
    clone = workdir / "repo"
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT", "SMS_GATEWAY_PORT",
                                                 "BACKEND_PORT")}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(ports, PYTHONUNBUFFERED="1")
    if arguments.cold:
        env.update(UV_CACHE_DIR=str(workdir / "uv-cache"), PIP_NO_CACHE_DIR="1")
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    times = {"cloned": time.perf_counter() - started}
    process = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    watcher = threading.Thread(target=watch, args=(process, started, times, workdir / "make-run.log"), daemon=True)
    watcher.start()
    try:
        answer = first_answer(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook", started + 900)
        times["first answer"] = time.perf_counter() - started
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    previous = 0.0
    print(f"Newcomer's path ({'cold caches' if arguments.cold else 'warm download caches'}), from the clone:")
    for step in sorted(times, key=times.get):
            print(f"  {step:13} {times[step]:6.1f} s  (+{times[step] - previous:5.1f} s)")
            previous = times[step]
    print(f"  first answer: {answer[:100]!r}")
    if arguments.keep:
        print(f"Clone kept in {clone}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

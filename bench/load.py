"""Our assistant beside a stock Rasa 3.6 bot of similar size, on this machine, in one run.

The stock bot is `rasa init` plus generated FAQ intents (about 30 intents of 20
examples, rules answering each, one trivial custom action), with Rasa's default
pipeline and policies (DIET, TED, UnexpecTED, memoization, rules) and the REST
channel. Each is started cold; we time `/status`, then run closed-loop load:
every virtual user sends its next message when the last is answered, a new
conversation every 10 messages. Prints cold start, memory, p50/p99 latency and
throughput at 1, 8 and 32 concurrent conversations.

Run: .venv/bin/python -m bench.load [--messages 600]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import uvloop
import yaml

from bench.common import REST_HEADERS, held_out_sets, median, percentile
from bot.settings import RASA_PROCESS_ENV, REPO_ROOT, backend_token, load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model

STOCK_DIR = REPO_ROOT / "var" / "bench" / "stock-bot"
GENERATED_INTENTS = 23  # rasa init brings 7
WORDS = ("permit card office family study work visa passport queue number time fee letter form "
         "appointment decision status email phone city move renew apply extend child spouse").split()
CONCURRENCY = (1, 8, 32)
WORKERS = (1, 2)  # Rasa worker processes of ours


def build_stock_bot() -> Path:
    """A stock Rasa project of about our size, trained once and reused."""
    model = STOCK_DIR / "models" / "stock.tar.gz"
    if model.exists():
        return model
    import rasa.cli

    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    STOCK_DIR.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **RASA_PROCESS_ENV}
    # What `rasa init` writes: the starter project shipped inside the rasa package.
    shutil.copytree(Path(rasa.cli.__file__).parent / "initial_project", STOCK_DIR)
    shutil.rmtree(STOCK_DIR / "tests", ignore_errors=True)
    rng = random.Random(7)
    nlu, rules, responses = [], [], {}
    for number in range(GENERATED_INTENTS):
        topic = rng.sample(WORDS, 2)
        examples = {f"{' '.join(rng.sample(WORDS, 3))} {topic[0]} {topic[1]} question {number}" for _ in range(20)}
        nlu.append({"intent": f"faq_{number}", "examples": "".join(f"- {e}\n" for e in sorted(examples))})
        action = "action_hello" if number == 0 else f"utter_faq_{number}"
        rules.append({"rule": f"faq {number}", "steps": [{"intent": f"faq_{number}"}, {"action": action}]})
        responses[f"utter_faq_{number}"] = [{"text": f"Answer number {number} about {topic[0]} and {topic[1]}."}]
    (STOCK_DIR / "data" / "faq_nlu.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}))
    (STOCK_DIR / "data" / "faq_rules.yml").write_text(yaml.safe_dump({"version": "3.1", "rules": rules}))
    domain = yaml.safe_load((STOCK_DIR / "domain.yml").read_text())
    domain["intents"] += [f"faq_{n}" for n in range(GENERATED_INTENTS)]
    domain["responses"].update(responses)
    domain["actions"] = ["action_hello"]
    (STOCK_DIR / "domain.yml").write_text(yaml.safe_dump(domain))
    (STOCK_DIR / "actions" / "actions.py").write_text(
        "from rasa_sdk import Action\n\n\nclass ActionHello(Action):\n"
        "    def name(self):\n        return 'action_hello'\n\n"
        "    def run(self, dispatcher, tracker, domain):\n"
        "        dispatcher.utter_message(text='Hello from the action server.')\n        return []\n")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--out", "models", "--fixed-model-name", "stock"],
                   check=True, env=env, cwd=STOCK_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"stock bot trained in {time.monotonic() - started:.0f} s")
    return model


class StockBot:
    """Stock Rasa server and action server on loopback."""

    def __init__(self, model: Path) -> None:
        self.model = model
        self.rasa_port, self.actions_port = free_port(), free_port()
        self.processes: list[subprocess.Popen] = []

    def start(self) -> float:
        env = {**os.environ, **RASA_PROCESS_ENV, "SANIC_HOST": "127.0.0.1"}
        (STOCK_DIR / "endpoints.yml").write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.actions_port}/webhook\n")
        started = time.monotonic()
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=STOCK_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "rasa", "run", "-m", str(self.model), "-i", "127.0.0.1", "-p", str(self.rasa_port),
             "--enable-api", "--endpoints", "endpoints.yml"],
            cwd=STOCK_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        wait_for(f"http://127.0.0.1:{self.rasa_port}/status", 300)
        return time.monotonic() - started

    @property
    def rasa_pid(self) -> int:
        return self.processes[1].pid

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(30)


def wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(url)


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and proportional (PSS: shared pages divided among their users) memory of a
    process and its children (Rasa's workers), in MB. RSS counts the pages the workers share
    (the memory-mapped embedding model, libraries) once per worker."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    rss = pss = 0
    for each in pids:
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss / 1024, pss / 1024


async def closed_loop(url: str, scripts: list[list[str]], users: int, total: int, tag: str
                      ) -> tuple[list[float], float]:
    """`users` virtual users, each playing one conversation script after another until
    `total` messages have been answered; each message waits for the previous answer."""
    latencies: list[float] = []
    counter = iter(range(total))
    next_script = iter(range(10**9))

    async def user(index: int, session: aiohttp.ClientSession) -> None:
        script: list[str] = []
        sender = ""
        for _ in counter:
            if not script:
                number = next(next_script)
                script = list(scripts[number % len(scripts)])
                sender = f"{tag}-{users}-{index}-{number}"
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": script.pop(0)},
                                    headers=REST_HEADERS) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(f"status {r.status}")
            latencies.append(time.perf_counter() - started)

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(i, session) for i in range(users)))
        return latencies, time.perf_counter() - started


def measure(name: str, url: str, scripts: list[list[str]], total: int) -> dict[int, tuple[float, float, float]]:
    # The load generator shares the two cores with what it measures: uvloop makes it take less
    # of them (about a quarter of a core at 110 messages a second on asyncio's own loop).
    uvloop.run(closed_loop(url, scripts, 4, 40, f"warm-{name}"))  # warm-up, not counted
    results = {}
    for users in CONCURRENCY:
        latencies, seconds = uvloop.run(closed_loop(url, scripts, users, total, name))
        results[users] = (median(latencies) * 1000, percentile(latencies, 0.99) * 1000, len(latencies) / seconds)
    return results


BOOKING_SCRIPTS = {
    "fi": ["haluan varata ajan", "Oleskelulupa", "{city_fi}", "2", "{day_fi}", "1", "Aino Virtanen", "{phone}",
           "kyllä"],
    "sv": ["jag vill boka en tid", "Uppehållstillstånd", "i {city_sv}", "1", "{day_sv}", "2", "Erik Lindqvist",
           "{phone}", "ja"],
    "en": ["I want to book an appointment", "Residence permit", "in {city_en}", "3", "{day_en}", "1", "John Smith",
           "{phone}", "yes"],
}
LOOKUP_OPENERS = {"fi": "haluan tarkistaa varaukseni", "sv": "jag vill kontrollera min bokning",
                  "en": "I want to check my booking"}
CITIES = [("Tampereella", "Tammerfors", "Tampere"), ("Espooseen", "Esbo", "Espoo"), ("Turussa", "Åbo", "Turku"),
          ("Oulussa", "Uleåborg", "Oulu"), ("Vantaalla", "Vanda", "Vantaa"), ("Lahdessa", "Lahtis", "Lahti")]
DAYS = [("huomenna", "i morgon", "tomorrow"), ("ensi maanantaina", "nästa måndag", "next Monday"),
        ("perjantaina", "på fredag", "Friday"), ("mahdollisimman pian", "så snart som möjligt", "as soon as possible")]


def booked_keys(backend_url: str, token: str, count: int) -> list[tuple[str, str]]:
    """Reservation keys and PINs of bookings made through the backend API, for lookup scripts."""
    import json

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, path: str, body: dict | None = None, client: str = "bench") -> dict:
        request = urllib.request.Request(backend_url + path, method=method,
                                         headers={**headers, "X-Client-Id": client},
                                         data=json.dumps(body).encode() if body else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    slots = call("GET", "/booking/slots?service_point=kuopio&category=citizenship&limit=50"
                        f"&date_from={time.strftime('%Y-%m-%d')}&persons=1")["items"]
    keys = []
    for number, slot in enumerate(slots[:count]):
        made = call("POST", "/booking/bookings", {
            "category": "citizenship", "service_point": "kuopio", "slot_id": slot["id"], "persons": 1,
            "name": "Bench Mark", "email": f"bench{number}@example.com", "language": "en"}, client=f"bench-{number}")
        keys.append((made["reservation_key"], made["pin"]))
    return keys


def our_scripts(keys: list[tuple[str, str]], seed: int = 1) -> list[list[str]]:
    """A realistic mix: 70% FAQ conversations (5 held-out questions each, the three languages
    mixed as they come), 20% bookings and 10% lookups with a key and PIN."""
    from bot.knowledge.domain_export import FLOW_INTENTS

    rng = random.Random(seed)
    questions = [text for language in ("fi", "sv", "en") for intent, text in held_out_sets()[language]
                 if intent not in FLOW_INTENTS | {"stop"}]
    rng.shuffle(questions)
    faq = [questions[i:i + 5] for i in range(0, len(questions) - 4, 5)]
    scripts: list[list[str]] = []
    for number in range(100):
        kind = number % 10
        if kind < 7:
            scripts.append(faq[number % len(faq)])
        elif kind < 9:
            language = ("fi", "sv", "en")[number % 3]
            city, day = rng.choice(CITIES), rng.choice(DAYS)
            values = {"city_fi": city[0], "city_sv": city[1], "city_en": city[2], "day_fi": day[0],
                      "day_sv": day[1], "day_en": day[2], "phone": f"040 {rng.randrange(10**6, 10**7)}"}
            scripts.append([step.format(**values) for step in BOOKING_SCRIPTS[language]])
        else:
            language = ("fi", "sv", "en")[number % 3]
            key, pin = keys[number % len(keys)]
            scripts.append([LOOKUP_OPENERS[language], key, pin])
    return scripts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600, help="messages per concurrency level")
    args = parser.parse_args()
    stock_messages = ["hello", "I am great", "are you a bot?"] + [
        f"{w} question {n}" for n, w in enumerate(WORDS)]
    stock_scripts = [[stock_messages[(start + i) % len(stock_messages)] for i in range(10)]
                     for start in range(len(stock_messages))]

    stock = StockBot(build_stock_bot())
    stock_start = stock.start()
    try:
        stock_results = measure("stock", f"http://127.0.0.1:{stock.rasa_port}/webhooks/rest/webhook",
                                stock_scripts, args.messages)
        stock_memory = memory_mb(stock.rasa_pid)
    finally:
        stock.stop()

    ours = {workers: run_ours(workers, args.messages) for workers in WORKERS}

    print(f"\nLoad, {args.messages} messages per level, closed loop, REST channel (one run, this machine)")
    print("(ours: SQLite tracker store with redaction; 70% FAQ conversations in fi/sv/en, 20% bookings, 10% lookups;")
    print(" stock: in-memory tracker store, its own FAQ intents; ours once with one Rasa worker and once with")
    print(" two, the default)\n")
    print(f"{'':26} | {'stock Rasa 3.6':>22} | "
          + " | ".join(f"{f'ours, {w} worker(s)':>22} | {'ratio':11}" for w in WORKERS))

    def row(label: str, stock_value: str, values: list[tuple[str, str]]) -> None:
        print(f"{label:26} | {stock_value:>22} | " + " | ".join(f"{v:>22} | {r:11}" for v, r in values))

    row("cold start, all ready", f"{stock_start:.1f} s",
        [(f"{ours[w].start:.1f} s", f"{ours[w].start / stock_start:.2f}x") for w in WORKERS])
    for label, index in (("Rasa memory, PSS", 1), ("Rasa memory, RSS (sum)", 0)):
        row(label, f"{stock_memory[index]:.0f} MB", [(f"{ours[w].memory[index]:.0f} MB", "") for w in WORKERS])
    for users in CONCURRENCY:
        s50, s99, stps = stock_results[users]
        row(f"{users:2} conversations p50/p99", f"{s50:.0f} / {s99:.0f} ms",
            [(f"{ours[w].results[users][0]:.0f} / {ours[w].results[users][1]:.0f} ms",
              f"{ours[w].results[users][0] / s50:.2f}/{ours[w].results[users][1] / s99:.2f}x") for w in WORKERS])
        row("   throughput", f"{stps:.1f} msg/s",
            [(f"{ours[w].results[users][2]:.1f} msg/s", f"{ours[w].results[users][2] / stps:.2f}x") for w in WORKERS])


@dataclass
class OursMeasured:
    start: float
    memory: tuple[float, float]
    results: dict[int, tuple[float, float, float]]


def run_ours(workers: int, messages: int) -> OursMeasured:
    """Our five processes, started cold with `workers` Rasa workers, under the same load."""
    settings = replace(load_settings(), rasa_port=free_port(), actions_port=free_port(), web_port=free_port(),
                       sms_gateway_port=free_port(), backend_port=free_port(), rasa_workers=workers,
                       tracker_db=REPO_ROOT / "var" / "bench" / "tracker.db",
                       backend_db_url=f"sqlite:///{REPO_ROOT / 'var' / 'bench' / 'backend.db'}")
    for path in (settings.tracker_db, REPO_ROOT / "var" / "bench" / "backend.db"):
        path.unlink(missing_ok=True)
    supervisor = Supervisor(settings, ensure_model(), log_dir=REPO_ROOT / "var" / "bench" / "logs")
    started = time.monotonic()
    supervisor.start()
    start = time.monotonic() - started
    try:
        scripts = our_scripts(booked_keys(settings.backend_url, backend_token(), 40))
        results = measure(f"ours{workers}", f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook",
                          scripts, messages)
        return OursMeasured(start, memory_mb(supervisor.service("rasa").process.pid), results)
    finally:
        supervisor.stop()

if __name__ == "__main__":
    main()

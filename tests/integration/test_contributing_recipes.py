"""CONTRIBUTING.md's "Add an FAQ answer" recipe, followed step by step on a copy of the repository:
its YAML blocks applied where they say, the domain generated, Rasa's data checks passed, the model
trained, and the new answer given in the chat in each language."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from bot.settings import RASA_PROCESS_ENV, REPO_ROOT, SUPPORTED_LANGUAGES
from tests.helpers import loopback_stack
from tests.integration.helpers import Conversation

pytestmark = pytest.mark.integration
COPIED = ("config.yml", "domain.yml", "data", "knowledge", "bot", "actions", "channels")


def recipe_blocks(section: str) -> list[tuple[str, str]]:
    """(instruction, YAML) of each block in one section of CONTRIBUTING.md."""
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = []
    for block in re.findall(r"```yaml\n(.*?)```", body, re.S):
        lines = [line[3:] if line.startswith("   ") else line for line in block.splitlines()]
        instruction, *content = lines
        blocks.append((instruction.lstrip("# ").strip(), "\n".join(content) + "\n"))
    return blocks


def apply(root, instruction: str, content: str) -> None:
    if instruction.startswith("append to "):
        path = root / instruction.removeprefix("append to ")
        text = path.read_text(encoding="utf-8")
        path.write_text(text.rstrip("\n") + "\n\n" + content, encoding="utf-8")
    elif instruction == "in domain.yml, under intents:":
        path = root / "domain.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("intents:\n", "intents:\n" + content, 1),
                        encoding="utf-8")
    else:
        raise AssertionError(f"CONTRIBUTING.md: a block says {instruction!r}, which this test cannot follow")


# Questions the recipe's examples do not contain, one per language.
QUESTIONS = {"fi": "Voiko palvelupisteen luona pysäköidä autoa?", "sv": "Kan man parkera bilen vid servicestället?",
             "en": "Is there somewhere to park my car at your service point?"}


def run(root, *command, **env_overrides):
    env = {key: value for key, value in os.environ.items()
           if key not in ("KNOWLEDGE_DIR", "MODELS_DIR", "EMBEDDING_CACHE", "CLASSIFIER_WARM_START")}
    env.update(RASA_PROCESS_ENV, PYTHONPATH=str(root), **env_overrides)
    return subprocess.run([sys.executable, *command], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)


def test_adding_an_faq_answer_as_contributing_says(tmp_path, tmp_path_factory):
    root = tmp_path / "repo"
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            root.mkdir(exist_ok=True)
            shutil.copy(source, root / name)
    blocks = recipe_blocks("Add an FAQ answer")
    assert len(blocks) == 6
    for instruction, content in blocks:
        apply(root, instruction, content)

    exported = run(root, "-c", "from bot.knowledge.domain_export import write_generated_domain as w; print(w())")
    assert exported.returncode == 0, exported.stderr[-3000:]
    domain = yaml.safe_load((root / "var" / "generated" / "domain.yml").read_text(encoding="utf-8"))
    assert "ask_parking" in domain["intents"]
    answer = yaml.safe_load(blocks[0][1])["ask_parking"]["text"]
    texts = {(variation.get("condition") or [{"value": "en"}])[0]["value"]: variation["text"]
             for variation in domain["responses"]["utter_ask_parking"]}
    assert set(texts) == set(SUPPORTED_LANGUAGES)
    for language in SUPPORTED_LANGUAGES:
        assert texts[language] == answer[language].strip()

    validated = run(root, "-m", "rasa", "data", "validate", "--fail-on-warnings", "--config", "config.yml",
                    "--domain", "var/generated/domain.yml", "--data", "data")
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]

    # Step 6's training, as a contributor's checkout would do it: the main checkout's last classifier
    # weights (var/, when there) as the start, so the fit takes seconds instead of most of a minute.
    warm_start = REPO_ROOT / "var" / "intent_classifier_start.npz"
    if warm_start.exists():
        (root / "var").mkdir(exist_ok=True)
        shutil.copy(warm_start, root / "var" / warm_start.name)
    trained = run(root, "-m", "bot.training", RASA_TELEMETRY_ENABLED="false")
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    model = next((root / "models").glob("migri-*.tar.gz"))

    # Step 7: the new answer in the chat, in each language.
    with loopback_stack(tmp_path_factory, "recipe", model=model) as assistant:
        for language, question in QUESTIONS.items():
            conversation = Conversation(assistant)
            reply = conversation.texts(question)
            assert conversation.last_actions()[-1] == "utter_ask_parking", (language, reply)
            assert reply == answer[language].strip(), (language, reply)

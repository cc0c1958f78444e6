"""The container image (Dockerfile) is built the way `make run` installs, and the Helm values name it.

No registry is reachable here, so the image is not built in the tests: its
steps are linted (hadolint) and checked against scripts/install.sh instead.
"""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from bot.settings import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
INSTALL = (REPO_ROOT / "scripts" / "install.sh").read_text(encoding="utf-8")
IMAGE = "assistant"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_hadolint_finds_nothing():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run([str(hadolint), str(REPO_ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_installs_with_scripts_install_sh_alone():
    runs = [arguments for instruction, arguments in instructions() if instruction == "RUN"]
    assert any(arguments.startswith("scripts/install.sh") for arguments in runs)
    for arguments in runs:  # no second way of installing packages
        assert not re.search(r"\b(pip|apt-get|apt|dpkg)\b\s+install|--with-test-tools", arguments), arguments


def test_what_install_sh_reads_is_in_the_image_before_it_runs():
    steps = instructions()
    install_at = next(i for i, (instruction, arguments) in enumerate(steps)
                      if instruction == "RUN" and arguments.startswith("scripts/install.sh"))
    copied = " ".join(arguments for instruction, arguments in steps[:install_at] if instruction == "COPY")
    read = set(re.findall(r"(?<![\w./-])[\w-]+\.lock\b", INSTALL)) | {"scripts/install.sh"}  # not .venv's copy
    for path in read:
        assert path in copied, f"{path} (read by scripts/install.sh) is not copied before it runs"


def test_the_base_image_has_the_python_install_sh_requires():
    required = re.search(r"sys\.version_info\[:2\] != \((\d+), (\d+)\)", INSTALL).groups()
    base = next(arguments for instruction, arguments in instructions() if instruction == "FROM")
    assert re.match(rf"python:{required[0]}\.{required[1]}\.\d+-", base), base


def test_make_run_installs_with_the_same_script():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^install:\n\t@scripts/install\.sh$", makefile, re.M)
    assert re.search(r"^train: install$", makefile, re.M) and re.search(r"^run: train$", makefile, re.M)


def test_the_image_starts_rasa_through_the_launcher_as_the_supervisor_does():
    steps = dict(instructions())
    assert steps["ENTRYPOINT"] == '["/app/.venv/bin/python", "-m"]'
    assert steps["CMD"].startswith('["bot.runtime"')
    assert '"-m", "bot.runtime"' in (REPO_ROOT / "bot" / "supervisor.py").read_text(encoding="utf-8")


def test_local_state_and_secrets_stay_out_of_the_image():
    ignored = set((REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", "var", "models"} <= ignored


def test_the_helm_values_name_this_image_and_its_commands():
    rasa = yaml.safe_load((REPO_ROOT / "deploy" / "helm" / "values-rasa.yml").read_text(encoding="utf-8"))
    actions = yaml.safe_load((REPO_ROOT / "deploy" / "helm" / "values-action-server.yml").read_text(encoding="utf-8"))
    for values in (rasa, actions):
        assert values["image"]["name"] == IMAGE
    assert rasa["command"] == ["/app/.venv/bin/python", "-m", "bot.runtime"]
    assert actions["command"] == ["/app/.venv/bin/python", "-m", "bot.action_server"]   # rasa_sdk behind a token
    for values in (rasa, actions):   # both hold the action server's token
        assert "ACTION_SERVER_TOKEN" in {variable["name"] for variable in values["extraEnv"]}

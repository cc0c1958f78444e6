"""All configuration, read from the environment in one place, with laptop defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LANGUAGES = ("fi", "sv", "en")

# Environment for every Rasa process we start: no telemetry leaves the machine,
# and library warnings that say nothing to an operator are silenced.
RASA_PROCESS_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore",
}


def _number(name: str, default: float, kind: type = int):
    """An int or float from the environment; a clear error names the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be {'an integer' if kind is int else 'a number'}, got {raw!r}") from error


@dataclass(frozen=True)
class Settings:
    """Runtime settings; see README "Configuration" for each variable."""

    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    default_language: str = "fi"
    language_detector: str = "lingua"
    language_min_confidence: float = 0.75
    language_min_letters: int = 4
    timezone: str = "Europe/Helsinki"
    sms_gateway_port: int = 8025
    backend_port: int = 8030
    sms_sender: str = "18135"
    knowledge_dir: Path = field(default=REPO_ROOT / "knowledge")
    tracker_db: Path = field(default=REPO_ROOT / "var" / "tracker.db")
    models_dir: Path = field(default=REPO_ROOT / "models")
    backend_db_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'backend.db'}"
    backend_timeout: float = 5.0

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def backend_url(self) -> str:
        return os.environ.get("BACKEND_URL") or f"http://{self.host}:{self.backend_port}"

    @property
    def sms_gateway_url(self) -> str:
        return os.environ.get("SMS_GATEWAY_URL") or f"http://{self.host}:{self.sms_gateway_port}"

    @property
    def sms_webhook_url(self) -> str:
        """The URL the gateway calls; signatures are computed over it."""
        return os.environ.get("SMS_PUBLIC_URL") or f"http://{self.host}:{self.rasa_port}/webhooks/sms/webhook"


def persisted_secret(name: str, env_var: str) -> str:
    """The secret in `env_var`, or one made once and kept in var/secrets/<name> (mode 0600),
    so that every process of one installation shares it across restarts."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    path = Path(os.environ.get("SECRETS_DIR", REPO_ROOT / "var" / "secrets")) / name
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def backend_token() -> str:
    """The token the action server sends to the backend (BACKEND_TOKEN or a persisted one)."""
    return persisted_secret("backend_token", "BACKEND_TOKEN")


def load_settings() -> Settings:
    """Reads the environment now (no caching): use in tests and at process start."""
    default_language = os.environ.get("BOT_DEFAULT_LANGUAGE", "fi")
    if default_language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"BOT_DEFAULT_LANGUAGE must be one of {SUPPORTED_LANGUAGES}")
    detector = os.environ.get("LANGUAGE_DETECTOR", "lingua")
    if detector not in ("lingua", "langdetect"):
        raise ValueError("LANGUAGE_DETECTOR must be 'lingua' or 'langdetect'")
    return Settings(
        host=os.environ.get("BOT_HOST", "127.0.0.1"),
        rasa_port=_number("RASA_PORT", 5005),
        actions_port=_number("ACTIONS_PORT", 5055),
        web_port=_number("WEB_PORT", 8000),
        default_language=default_language,
        language_detector=detector,
        language_min_confidence=_number("LANGUAGE_MIN_CONFIDENCE", 0.75, float),
        language_min_letters=_number("LANGUAGE_MIN_LETTERS", 4),
        timezone=os.environ.get("BOT_TIMEZONE", "Europe/Helsinki"),
        sms_gateway_port=_number("SMS_GATEWAY_PORT", 8025),
        backend_port=_number("BACKEND_PORT", 8030),
        backend_db_url=os.environ.get("BACKEND_DB_URL") or f"sqlite:///{REPO_ROOT / 'var' / 'backend.db'}",
        backend_timeout=_number("BACKEND_TIMEOUT", 5.0, float),
        sms_sender=os.environ.get("SMS_SENDER", "18135"),
        knowledge_dir=Path(os.environ.get("KNOWLEDGE_DIR", REPO_ROOT / "knowledge")),
        models_dir=Path(os.environ.get("MODELS_DIR", REPO_ROOT / "models")),
        tracker_db=Path(os.environ.get("TRACKER_DB", REPO_ROOT / "var" / "tracker.db")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return load_settings()

"""All configuration, read from the environment in one place, with laptop defaults."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LANGUAGES = ("fi", "sv", "en")
# The longest message text the channels take; a longer one is answered with a request to shorten it.
MAX_MESSAGE_CHARACTERS = 4000
# The largest request body any HTTP entry point reads (Rasa's channels, the web server and its
# socket.io endpoint, the backend); larger ones are refused with 413 before they are read.
MAX_REQUEST_BYTES = 64 * 1024

# Each Rasa worker writes this line to its output once its model is loaded and it takes
# messages (bot/runtime/webhook.py); the supervisor counts them, as /status reaches only one worker.
RASA_WORKER_READY = "Rasa worker ready to take messages"

# Environment for every Rasa process we start: no telemetry leaves the machine,
# and library warnings that say nothing to an operator are silenced.
RASA_PROCESS_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore",
    # Native libraries use one thread each: several processes share few cores, and
    # spinning OpenMP threads slow everything down under load (see bench/).
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _number(name: str, default: float, kind: type = int):
    """An int or float from the environment; a clear error names the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be {'an integer' if kind is int else 'a number'}, got {raw!r}") from error


def _at_least_one(name: str, default: int) -> int:
    """A whole number of 1 or more from the environment."""
    value = _number(name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


def _optional_path(name: str, default: Path) -> Path | None:
    """A file path from the environment; "off" (or "none", "false", "0") means none."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in ("off", "none", "false", "0"):
        return None
    return Path(raw)
def _flag(name: str, default: bool) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off."""
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"{name} must be true or false, got {raw!r}")
    return raw in ("1", "true", "yes", "on")


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """One of `allowed` from the environment (the first is the default)."""
    value = (os.environ.get(name) or allowed[0]).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


@dataclass(frozen=True)
class CaseSettings:
    """The case register's verification, tickets and abuse limits (bot/cases); docs/configuration.md."""

    code_ttl_seconds: int = 300          # a one-time code is valid this long
    code_attempts: int = 3               # wrong codes allowed per verification
    verification_ttl_seconds: int = 900  # a started verification is abandoned after this
    # A verified status ends with the conversation session: Rasa's session_expiration_time
    # (60 min, domain.yml) of inactivity, so a ticket unused that long is dead.
    ticket_idle_seconds: int = 3600
    ticket_max_seconds: int = 4 * 3600
    rate_window_seconds: float = 3600.0
    starts_per_client: int = 5           # verifications per conversation per window
    starts_per_customer: int = 5         # verifications per customer number per window
    sms_per_phone: int = 3               # codes to one phone per window
    sms_per_window: int = 500            # codes in all per window (a flood brake)
    status_per_client: int = 60          # status look-ups per conversation per window
    lockout_failures: int = 5            # failures (client or customer number) before a lockout
    lockout_seconds: int = 3600
    seed_demo: bool = False              # fill an empty register with the demo data (LOCAL_DEMO, CASES_SEED_DEMO)


@dataclass(frozen=True)
class Settings:
    """Runtime settings; docs/configuration.md describes each variable."""

    host: str = "127.0.0.1"
    # A laptop demo (LOCAL_DEMO): the SMS gateway simulator runs (loopback only) and the case
    # register gets its demo people. Off by default: nothing unauthenticated starts unless asked.
    local_demo: bool = False
    rasa_port: int = 5005
    # Rasa worker processes on the one port (each a core's worth of work; about 0.5 GB each).
    rasa_workers: int = 2
    # Messages one Rasa process works on at once; the rest wait their turn in order (bot/runtime/admission.py).
    message_concurrency: int = 4
    # Patches of library internals switched off (RASA_PATCHES_DISABLED=a,b or all; bot/runtime/patches.py).
    rasa_patches_disabled: frozenset[str] = frozenset()
    # A conversation session ends after this many user messages, as after an hour's pause (slots carried over).
    session_max_turns: int = 50
    # Chat page messages one network client may send a minute (bot/web/chat_relay.py; TRUSTED_PROXIES).
    chat_messages_per_minute: int = 30
    # REST messages one integrator (bearer token) and SMS one phone number may send a minute (channels/limits.py).
    rest_messages_per_minute: int = 300
    sms_messages_per_minute: int = 10
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
    cases: CaseSettings = field(default_factory=CaseSettings)
    models_dir: Path = field(default=REPO_ROOT / "models")
    # Training's sentence embeddings by (model, text) hash (bot/nlu/embedding_cache.py); None: not kept.
    embedding_cache: Path | None = field(default=REPO_ROOT / "var" / "embeddings.sqlite")
    # The intent classifier's last weights, where a retraining starts (bot/nlu/warm_start.py); None: from zero.
    classifier_warm_start: Path | None = field(default=REPO_ROOT / "var" / "intent_classifier_start.npz")
    backend_db_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'backend.db'}"
    backend_timeout: float = 5.0
    # Staff review tool (bot/review): its own database, defaulting to review.db beside the tracker DB.
    tracker_db_url: str = ""
    review_db_url: str = ""
    review_retention_days: int = 180
    review_secure_cookies: bool = False
    review_index_seconds: float = 30.0
    # Booking backend (bot/booking)
    booking_cap_per_contact: int = 3
    booking_horizon_days: int = 92
    booking_rate_window: float = 600.0
    booking_create_limit: int = 20
    booking_key_limit: int = 30
    booking_resend_limit: int = 5
    # Booking messages (confirmations, cancellations...) one phone number or address gets a day.
    booking_messages_per_contact_day: int = 6
    # Notifications (bot/notifications): "local" records as sent; "gateway" / "smtp" really send.
    notify_sms_sender: str = "local"
    notify_email_sender: str = "local"
    notify_poll_seconds: float = 1.0
    notify_max_attempts: int = 8
    outbox_retention_days: int = 30   # finished outbox messages (with phone numbers, addresses) are then deleted
    # Retention of the backend's other tables (bot/backend/retention.py), purged every retention_interval_seconds.
    booking_retention_days: int = 30            # bookings, counted from the end of their appointment
    cases_verification_retention_days: int = 7  # verifications and status tickets, from when they were made
    cases_audit_retention_days: int = 365       # the case audit log, per entry
    retention_interval_seconds: float = 3600.0
    reminder_days_before: int = 2
    sms_account_sid: str = "AC-local"
    sms_auth_token: str = field(default="", repr=False)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "noreply@migri.invalid"
    smtp_starttls: bool = True

    @property
    def tracker_url(self) -> str:
        """SQLAlchemy URL of the conversation store (TRACKER_DB_URL, else SQLite at TRACKER_DB)."""
        return self.tracker_db_url or f"sqlite:///{self.tracker_db}"

    @property
    def review_url(self) -> str:
        return self.review_db_url or f"sqlite:///{self.tracker_db.parent / 'review.db'}"

    @property
    def rasa_url(self) -> str:
        """Where the web server relays chat messages (RASA_URL, e.g. a load balancer; else the local Rasa)."""
        return os.environ.get("RASA_URL") or f"http://{self.host}:{self.rasa_port}"

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


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can enter (0700), made if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


class EmptySecret(ValueError):
    """A secret file exists but holds nothing: refused rather than used as a key."""


def persisted_secret(name: str, env_var: str) -> str:
    """The secret in `env_var`, or one made once and kept in var/secrets/<name> (mode 0600),
    so that every process of one installation shares it across restarts.

    The file appears whole or not at all (written aside, then linked into place: of
    processes starting together, the first link wins and all read that one), and an
    empty file is refused, never used as a key."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    path = private_dir(Path(os.environ.get("SECRETS_DIR", REPO_ROOT / "var" / "secrets"))) / name
    if not path.exists():
        import secrets
        import tempfile

        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(draft, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(draft)
    value = path.read_text().strip()
    if not value:
        raise EmptySecret(f"{path} is empty: delete it to have a new secret made, or set {env_var}")
    return value


def backend_token() -> str:
    """The token the action server sends to the backend (BACKEND_TOKEN or a persisted one)."""
    return persisted_secret("backend_token", "BACKEND_TOKEN")


def action_server_token() -> str:
    """The token Rasa shows the action server (ACTION_SERVER_TOKEN or a persisted one)."""
    return persisted_secret("action_server_token", "ACTION_SERVER_TOKEN")


def sms_hash_key() -> str:
    """SMS_HASH_KEY, or a key kept in var/secrets, so a phone's conversation id survives restarts."""
    return persisted_secret("sms_hash_key", "SMS_HASH_KEY")


def rest_sender_key() -> str:
    """The key of the keyed hashes under which REST integrators' sender ids are stored."""
    return persisted_secret("rest_sender_key", "REST_SENDER_KEY")


def conversation_display_key() -> str:
    """The key of the display ids staff see instead of routing ids (bot/conversation_ids.display_id)."""
    return persisted_secret("conversation_display_key", "CONVERSATION_DISPLAY_KEY")


def load_case_settings() -> CaseSettings:
    defaults = CaseSettings()
    return CaseSettings(
        code_ttl_seconds=_number("CASES_CODE_TTL", defaults.code_ttl_seconds),
        code_attempts=_number("CASES_CODE_ATTEMPTS", defaults.code_attempts),
        verification_ttl_seconds=_number("CASES_VERIFICATION_TTL", defaults.verification_ttl_seconds),
        ticket_idle_seconds=_number("CASES_TICKET_IDLE", defaults.ticket_idle_seconds),
        ticket_max_seconds=_number("CASES_TICKET_MAX", defaults.ticket_max_seconds),
        rate_window_seconds=_number("CASES_RATE_WINDOW", defaults.rate_window_seconds, float),
        starts_per_client=_number("CASES_STARTS_PER_CLIENT", defaults.starts_per_client),
        starts_per_customer=_number("CASES_STARTS_PER_CUSTOMER", defaults.starts_per_customer),
        sms_per_phone=_number("CASES_SMS_PER_PHONE", defaults.sms_per_phone),
        sms_per_window=_number("CASES_SMS_PER_WINDOW", defaults.sms_per_window),
        status_per_client=_number("CASES_STATUS_PER_CLIENT", defaults.status_per_client),
        lockout_failures=_number("CASES_LOCKOUT_FAILURES", defaults.lockout_failures),
        lockout_seconds=_number("CASES_LOCKOUT_SECONDS", defaults.lockout_seconds),
        seed_demo=_flag("CASES_SEED_DEMO", _flag("LOCAL_DEMO", False)),
    )


def cases_hash_key() -> str:
    """The key of the keyed hashes of customer numbers (audit log, lockouts) and codes."""
    return persisted_secret("cases_hash_key", "CASES_HASH_KEY")


def identity_seal_key() -> str:
    """The key with which channels seal a verified login identity for the backend to check."""
    return persisted_secret("identity_seal_key", "IDENTITY_SEAL_KEY")


def chat_relay_token() -> str:
    """The token the web server's chat relay shows the Rasa server (CHAT_RELAY_TOKEN or a persisted one)."""
    return persisted_secret("chat_relay_token", "CHAT_RELAY_TOKEN")


def _patches_disabled() -> frozenset[str]:
    from bot.runtime.patches import disabled_names  # the registry knows the names

    return disabled_names(os.environ.get("RASA_PATCHES_DISABLED"))
INTEGRATOR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
MIN_TOKEN_CHARACTERS = 24


def rest_channel_tokens() -> dict[str, str]:
    """Integrating systems allowed on the REST channel: REST_CHANNEL_TOKENS="name=token,name2=token2"
    (token -> name). Empty (the default): the REST channel is off. docs/security.md."""
    tokens: dict[str, str] = {}
    for entry in re.split(r"[,\s]+", os.environ.get("REST_CHANNEL_TOKENS", "").strip()):
        if not entry:
            continue
        name, _, token = entry.partition("=")
        if not INTEGRATOR_NAME.fullmatch(name) or len(token) < MIN_TOKEN_CHARACTERS:
            raise ValueError("REST_CHANNEL_TOKENS: each entry must be name=token, the name of lower-case letters, "
                             f"digits, - or _ (at most 32), the token at least {MIN_TOKEN_CHARACTERS} characters")
        tokens[token] = name
    return tokens


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
        local_demo=_flag("LOCAL_DEMO", False),
        rasa_port=_number("RASA_PORT", 5005),
        rasa_workers=_number("RASA_WORKERS", 2),
        message_concurrency=_at_least_one("MESSAGE_CONCURRENCY", 4),
        rasa_patches_disabled=_patches_disabled(),
        session_max_turns=_at_least_one("SESSION_MAX_TURNS", 50),
        chat_messages_per_minute=_at_least_one("CHAT_MESSAGES_PER_MINUTE", 30),
        rest_messages_per_minute=_at_least_one("REST_MESSAGES_PER_MINUTE", 300),
        sms_messages_per_minute=_at_least_one("SMS_MESSAGES_PER_MINUTE", 10),
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
        booking_cap_per_contact=_number("BOOKING_CAP_PER_CONTACT", 3),
        booking_horizon_days=_number("BOOKING_HORIZON_DAYS", 92),
        booking_rate_window=_number("BOOKING_RATE_WINDOW", 600.0, float),
        booking_create_limit=_number("BOOKING_CREATE_LIMIT", 20),
        booking_key_limit=_number("BOOKING_KEY_LIMIT", 30),
        booking_resend_limit=_number("BOOKING_RESEND_LIMIT", 5),
        booking_messages_per_contact_day=_at_least_one("BOOKING_MESSAGES_PER_CONTACT_DAY", 6),
        notify_sms_sender=_choice("NOTIFY_SMS_SENDER", ("local", "gateway")),
        notify_email_sender=_choice("NOTIFY_EMAIL_SENDER", ("local", "smtp")),
        notify_poll_seconds=_number("NOTIFY_POLL_SECONDS", 1.0, float),
        notify_max_attempts=_number("NOTIFY_MAX_ATTEMPTS", 8),
        outbox_retention_days=_at_least_one("OUTBOX_RETENTION_DAYS", 30),
        booking_retention_days=_at_least_one("BOOKING_RETENTION_DAYS", 30),
        cases_verification_retention_days=_at_least_one("CASES_VERIFICATION_RETENTION_DAYS", 7),
        cases_audit_retention_days=_at_least_one("CASES_AUDIT_RETENTION_DAYS", 365),
        retention_interval_seconds=_number("RETENTION_INTERVAL_SECONDS", 3600.0, float),
        reminder_days_before=_number("REMINDER_DAYS_BEFORE", 2),
        sms_account_sid=os.environ.get("SMS_ACCOUNT_SID", "AC-local"),
        sms_auth_token=os.environ.get("SMS_AUTH_TOKEN", ""),
        smtp_host=os.environ.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=_number("SMTP_PORT", 587),
        smtp_user=os.environ.get("SMTP_USER", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_from=os.environ.get("SMTP_FROM", "noreply@migri.invalid"),
        smtp_starttls=os.environ.get("SMTP_STARTTLS", "true").strip().lower() not in ("0", "false", "no", "off"),
        sms_sender=os.environ.get("SMS_SENDER", "18135"),
        knowledge_dir=Path(os.environ.get("KNOWLEDGE_DIR", REPO_ROOT / "knowledge")),
        models_dir=Path(os.environ.get("MODELS_DIR", REPO_ROOT / "models")),
        embedding_cache=_optional_path("EMBEDDING_CACHE", REPO_ROOT / "var" / "embeddings.sqlite"),
        classifier_warm_start=_optional_path("CLASSIFIER_WARM_START",
                                             REPO_ROOT / "var" / "intent_classifier_start.npz"),
        tracker_db=Path(os.environ.get("TRACKER_DB", REPO_ROOT / "var" / "tracker.db")),
        cases=load_case_settings(),
        tracker_db_url=os.environ.get("TRACKER_DB_URL", ""),
        review_db_url=os.environ.get("REVIEW_DB_URL", ""),
        review_retention_days=_number("REVIEW_RETENTION_DAYS", 180),
        review_secure_cookies=os.environ.get("REVIEW_SECURE_COOKIES", "").strip().lower() in ("1", "true", "yes"),
        review_index_seconds=_number("REVIEW_INDEX_SECONDS", 30.0, float),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return load_settings()

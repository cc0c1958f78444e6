# One image for every process of the assistant: the Rasa server (default), the action
# server, the backend and the web server, each started with `python -m <module>`
# (deploy/container.md). Built from requirements.lock by scripts/install.sh, the same
# steps as `make run`; the model is trained at build time and kept in models/.
#
#   docker build -t registry.example.fi/migri/assistant:1.0.0 .
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_NO_CACHE=1 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    PYTHON=/usr/local/bin/python3.11

WORKDIR /app

# The install steps first, so that a change of code alone reuses this layer.
COPY requirements.lock ./
COPY scripts/install.sh scripts/
RUN scripts/install.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN .venv/bin/python -m bot.training \
    && useradd --create-home --uid 10001 assistant \
    && mkdir -p var \
    && chown -R assistant:assistant var

USER 10001
EXPOSE 5005 5055 8000 8030

# The Rasa server through its launcher (version check, patches, endpoints; bot/runtime).
# The others: `bot.backend --host 0.0.0.0`, `rasa_sdk --actions actions`, `bot.web.app --host 0.0.0.0`.
ENTRYPOINT ["/app/.venv/bin/python", "-m"]
CMD ["bot.runtime", "--enable-api", "--port", "5005"]

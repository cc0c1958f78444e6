# The two commands of the README: `make run` and `make test`.
.PHONY: install train run demo test test-scale bench clean

# No Rasa telemetry leaves the machine, whichever command runs.
export RASA_TELEMETRY_ENABLED := false

install:
	@scripts/install.sh

train: install
	@.venv/bin/python -m bot.training

run: train
	@.venv/bin/python -m bot.supervisor

# A laptop demo: also the local SMS gateway simulator (loopback only, unauthenticated) and the
# case register's demo people (docs/security.md).
demo: train
	@LOCAL_DEMO=true .venv/bin/python -m bot.supervisor

test: train
	@scripts/install.sh --with-test-tools
	@scripts/test.sh

# Only the scale-out test (two Rasa servers behind nginx, PostgreSQL, Redis; also part of `make test`).
test-scale: train
	@scripts/install.sh --with-test-tools
	@.venv/bin/python -m pytest tests/scale

bench: train
	@.venv/bin/python -m bench.langid
	@.venv/bin/python -m bench.nlu
	@.venv/bin/python -m bench.sms
	@.venv/bin/python -m bench.booking
	@.venv/bin/python -m bench.review
	@.venv/bin/python -m bench.redaction
	@.venv/bin/python -m bench.load
	@.venv/bin/python -m bench.scale

clean:
	rm -rf var models .pytest_cache

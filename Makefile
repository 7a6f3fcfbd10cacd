# Two commands on a fresh machine: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

DEMO := .demo

.PHONY: demo run serve-simulator test test-quick test-postgres lint bench loadtest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# The report lands in build/report/ (git-ignored): HTML, JSON and JUnit; its path is printed last.
run: $(STAMP)
	$(BIN)/sms-simulator run scenarios/ --html build/report/report.html \
		--json build/report/report.json --junit build/report/junit.xml

serve-simulator: $(STAMP)
	$(BIN)/sms-simulator serve --scenario scenarios/mixed.yaml --port 8090

# The console on a realistic lab: simulator :8090, gateway :8080 on a fresh database, the
# traffic of scenarios/mixed.yaml played through the API; then both stay up until Ctrl-C.
demo: $(STAMP)
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@$(BIN)/sms-gateway migrate --db $(DEMO)/gateway.db > /dev/null
	@$(BIN)/sms-gateway create-org "Demo" --db $(DEMO)/gateway.db | tail -1 > $(DEMO)/key
	@set -e; \
	$(BIN)/sms-simulator serve --scenario scenarios/mixed.yaml --port 8090 > $(DEMO)/simulator.log 2>&1 & sim=$$!; \
	$(BIN)/sms-gateway serve --config gateway/demo.yaml --db $(DEMO)/gateway.db > $(DEMO)/gateway.log 2>&1 & gw=$$!; \
	trap 'kill $$sim $$gw 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 50); do curl -sf http://127.0.0.1:8080/healthz > /dev/null && break; sleep 0.2; done; \
	echo "playing scenarios/mixed.yaml (a minute or so)..."; \
	$(BIN)/sms-simulator run scenarios/mixed.yaml --gateway-url http://127.0.0.1:8080 \
		--simulator-url http://127.0.0.1:8090 --api-key "$$(cat $(DEMO)/key)" | tail -3 || true; \
	echo; echo "console: http://127.0.0.1:8080/ui/   API key: $$(cat $(DEMO)/key)"; \
	echo "(logs in $(DEMO)/; Ctrl-C stops both servers)"; \
	wait $$gw

# Lint, format and types are part of the suite: CI fails on any of them.
test: $(STAMP) lint
	$(BIN)/python -m pytest -q

# The inner loop while changing code: no real processes, no thousands of messages.
test-quick: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not e2e"

# The tests that reach the gateway's store (marker `postgres`), again on a throwaway
# PostgreSQL cluster (tests/databases.py; needs the server binaries: initdb and postgres).
test-postgres: $(STAMP)
	SMSLAB_TEST_DB=postgresql $(BIN)/python -m pytest -q -m postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# CPU per message per process first (about 15 s on 2 cores): the figure other load barely moves;
# then the simulator alone, and the open-loop latencies with a stored history (minutes).
bench: $(STAMP)
	$(BIN)/python loadtests/bench_gateway.py --quick
	$(BIN)/python loadtests/bench_simulator.py
	$(BIN)/python loadtests/bench.py

loadtest: $(STAMP)
	$(BIN)/python loadtests/run_locust.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

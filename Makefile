# Two commands on a fresh machine: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run serve-simulator test test-postgres lint bench loadtest clean

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

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# The tests that touch the gateway's store, again on a throwaway PostgreSQL cluster
# (tests/databases.py; needs the server binaries: initdb and postgres).
test-postgres: $(STAMP)
	SMSLAB_TEST_DB=postgresql $(BIN)/python -m pytest -q tests/gateway tests/e2e \
		tests/simulator/runner/test_library.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy telecom gateway/search

bench: $(STAMP)
	$(BIN)/python loadtests/bench_simulator.py
	$(BIN)/python loadtests/bench_gateway.py
	$(BIN)/python loadtests/bench.py

loadtest: $(STAMP)
	$(BIN)/python loadtests/run_locust.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

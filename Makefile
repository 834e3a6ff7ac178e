# Two commands: `make run` sets everything up and serves; `make test` runs the whole suite.
# `make bench` (not part of `make test`) measures the key pages; see README, Performance.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := tracker
# Static security scan of the code: any medium or high finding fails. A finding that is
# safe in context is marked on its line: `# nosec B311  # why it is safe`.
BANDIT := $(BIN)/bandit -q -r tracker -ll

.PHONY: install run test test-postgres test-all lint security format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask catalog load
	$(BIN)/flask demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BANDIT)
	$(BIN)/pytest

# The same suite on PostgreSQL: a throwaway server (installed from Debian's packages if
# missing) for the length of the run; `make test-all` runs both, as CI does.
test-postgres: install
	scripts/with-postgres $(MAKE) --no-print-directory test

test-all: test test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BANDIT)

security: install
	$(BANDIT)
	$(BIN)/pytest -q tests/security tests/unit/test_policy.py tests/unit/test_policy_roles.py

# Options for scripts/bench.py, e.g. `make bench BENCH_ARGS="--fresh --scales large"`.
BENCH_ARGS ?=
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info .bench

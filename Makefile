# Two commands do everything on a fresh machine with Python 3.11+:
#   make run    start the app on the bundled data
#   make test   lint and run the whole test suite
# Both build .venv from requirements.lock first (once; again when the lock or pyproject changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock

.PHONY: run test setup lint format lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, this is " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-resolve the newest versions allowed by pyproject.toml into requirements.lock.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet ".[test]"
	{ echo "# Exact versions for every fresh machine: 'make' installs with -c requirements.lock."; \
	  echo "# Regenerate: make lock (resolves pyproject.toml's ranges afresh in a clean venv)."; \
	  .lock-venv/bin/python -m pip freeze --all --exclude impact-screen --exclude pip; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis

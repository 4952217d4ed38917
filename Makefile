# Two entry points for a fresh machine: `make demo` and `make test` (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120

.PHONY: setup demo test lint bench browser

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --python $(PY) -e ".[dev]"
	touch $@

demo: setup
	$(VENV)/bin/sslsci demo

lint: setup
	$(VENV)/bin/ruff check .

# Headless Chromium for the tests that check rendered pages (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: lint browser
	$(VENV)/bin/pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=25

bench: setup
	$(PY) benchmarks/bench_store.py
	$(PY) benchmarks/bench_train_step.py

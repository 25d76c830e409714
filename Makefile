# make demo: set up and run the tour.  make test: set up, lint and run the whole test suite.
# make lint: ruff over the checkout and mypy over autograd/.
# Each step says what it does first: the first install takes about a minute.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= test,plots,digits,bench,playground,interop
TOUR_OUT ?= tour

.PHONY: demo test lint install system-deps browser-deps

demo: install system-deps
	@echo "make demo: the tour, written into $(TOUR_OUT)/"
	$(PY) -m examples.tour --out $(TOUR_OUT)

test: install system-deps browser-deps lint
	@echo "make test: the test suite (a few minutes; a dot per test)"
	$(PY) -m pytest -q tests

lint: install
	@echo "make lint: ruff over the checkout, then mypy over autograd/ (types)"
	$(PY) -m ruff check .
	$(PY) -m mypy

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || echo "make: creating the virtual environment $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "make: installing chainrule with its extras ($(EXTRAS)) into $(VENV): about a minute the first time"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -e ".[$(EXTRAS)]"
	@touch $@
	@echo "make: $(VENV) is ready"

system-deps:
	@bash scripts/system-deps.sh

browser-deps:
	@bash scripts/system-deps.sh --browser
